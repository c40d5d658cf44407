"""The display room: the lobby call board on a TV (public, no names)."""


def blueprints():
    from .routes import bp

    return (bp,)
