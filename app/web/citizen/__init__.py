"""The citizen's room: home, requirements, booking and managing it, verifying a receipt,
today's service status. Anyone may enter; no sign-in."""


def blueprints():
    # Imported when registered, not with the package: app.api still borrows booking_forms.
    from .room import BLUEPRINTS

    return BLUEPRINTS
