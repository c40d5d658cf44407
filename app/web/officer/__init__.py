"""The officer room: its routes (and forms) in this package, its templates under templates/officer/."""


def blueprints():
    from .queue import bp as queue_bp  # issue 12: the lobby queue and the counter walk-in
    from .routes import bp

    return (bp, queue_bp)
