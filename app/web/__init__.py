"""Blueprints per audience, registered in one place."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from . import admin, auth, booking, guidance, officer, public, staff, system, verify
    from .rendering import install_template_globals

    for module in (system, public, guidance, booking, auth, staff, officer, admin, verify):
        app.register_blueprint(module.bp)
    install_template_globals(app)
    auth.install(app)
