"""The officer room: its routes (and forms) in this package, its templates under templates/officer/."""


def blueprints():
    from . import survey  # issue 17
    from .routes import bp

    return (bp, survey.bp)
