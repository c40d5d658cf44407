"""The kiosk room: the lobby's touch screen (walk-ins, scanning a receipt, printing a ticket)."""


def blueprints():
    from .routes import bp

    return (bp,)
