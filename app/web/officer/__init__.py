"""The officer room: its routes (and forms) in this package, its templates under templates/officer/."""


def blueprints():
    from .routes import bp

    return (bp,)
