"""The admin room: its routes (and forms) in this package, its templates under templates/admin/.
Each page module adds its views to the one `admin` blueprint (routes.py) and its link to the
room's navigation (nav.py)."""


def blueprints():
    from . import audit, figures, hours, inbox, people, settings, stations, status  # noqa: F401  (register their views on the blueprint)
    from .routes import bp

    return (bp,)
