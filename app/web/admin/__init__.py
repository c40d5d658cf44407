"""The admin room: its routes (and forms) in this package, its templates under templates/admin/."""


def blueprints():
    from . import ikm  # issue 17
    from .routes import bp

    return (bp, ikm.bp)
