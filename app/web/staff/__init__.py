"""The staff room: its routes (and forms) in this package, its templates under templates/staff/."""


def blueprints():
    from .routes import bp

    return (bp,)
