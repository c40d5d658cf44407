"""The admin room: its routes (and forms) in this package, its templates under templates/admin/."""


def blueprints():
    from .routes import bp

    return (bp,)
