"""The officer room: its routes (and forms) in this package, its templates under templates/officer/."""


def blueprints():
    from .routes import bp
    from .stations import bp as stations_bp  # issue 16

    return (bp, stations_bp)
