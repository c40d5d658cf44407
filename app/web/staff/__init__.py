"""The staff room: its routes (and forms) in this package, its templates under templates/staff/."""


def blueprints():
    from . import outreach  # noqa: F401  (issue 14: registers the outreach views on bp)
    from .routes import bp

    return (bp,)
