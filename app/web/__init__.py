"""Blueprints per audience, registered in one place: a package per room (citizen, kiosk, staff,
officer, admin, display), and the shared parts (auth, forms, rendering) beside them."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from . import admin, auth, citizen, display, kiosk, officer, staff, system
    from .rendering import install_template_globals

    app.register_blueprint(system.bp)
    for room in (citizen, auth, kiosk, staff, officer, admin, display):
        for blueprint in room.blueprints():
            app.register_blueprint(blueprint)
    install_template_globals(app)
    auth.install(app)
