"""The officer room: its routes (and forms) in this package, its templates under templates/officer/."""


def blueprints():
    from . import (
        day,  # noqa: F401  (issue 13: the day list and the booking's steps, on bp)
        survey,  # issue 17
    )
    from .queue import bp as queue_bp  # issue 12: the lobby queue and the counter walk-in
    from .routes import bp
    from .stations import bp as stations_bp  # issue 16

    return (bp, queue_bp, survey.bp, stations_bp)
