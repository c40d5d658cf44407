"""The admin room: its routes (and forms) in this package, its templates under templates/admin/."""


def blueprints():
    from . import coverage, ikm, outreach  # issues 14 and 17
    from .routes import bp

    return (bp, outreach.bp, coverage.bp, ikm.bp)
