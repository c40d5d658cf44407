"""The citizen's room: home, requirements, booking and managing it, verifying a receipt.
Anyone may enter; no sign-in."""


def blueprints():
    # Imported when registered, not with the package: app.api still borrows booking_forms.
    from . import booking, guidance, public, status, verify

    return (public.bp, guidance.bp, booking.bp, verify.bp, status.bp)
