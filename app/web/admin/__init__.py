"""The admin room: its routes (and forms) in this package, its templates under templates/admin/.
Each page module adds its views to the one `admin` blueprint (routes.py) and its link to the
room's navigation (nav.py)."""


def blueprints():
    from . import (  # noqa: F401  (the room's pages register their views on the blueprint)
        audit,
        coverage,  # issue 14
        figures,
        hours,
        ikm,  # issue 17
        inbox,
        kiosks,  # issues 12 and 15: the people page's kiosks
        outreach,  # issue 14
        people,
        settings,
        stations,
        status,
    )
    from .routes import bp

    return (bp, outreach.bp, coverage.bp, ikm.bp)
