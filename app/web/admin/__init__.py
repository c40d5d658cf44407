"""The admin room: its routes (and forms) in this package, its templates under templates/admin/."""


def blueprints():
    from . import coverage, outreach  # issue 14
    from .routes import bp

    return (bp, outreach.bp, coverage.bp)
