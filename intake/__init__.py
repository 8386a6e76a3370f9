"""Intake: the testimony and contact portal."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, session

from intake.config import LANGUAGES, PRODUCTION, load_config
from intake.crypto import Keyring
from intake.extensions import babel, csrf, db, limiter, login_manager, migrate
from intake.inputs import register_inputs

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(
    test_config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Flask:
    """Create and configure the application."""
    environ = os.environ if environ is None else environ
    instance_path = environ.get("INTAKE_INSTANCE_PATH") or str(PROJECT_ROOT / "instance")
    app = Flask(
        __name__,
        instance_path=instance_path,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.from_mapping(load_config(environ, app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    register_extensions(app)
    register_inputs(app)
    register_blueprints(app)
    register_templates(app)
    register_hardening(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the extensions and the data keyring to this application."""
    from intake.accounts import load_session_user
    from intake.database import register_database
    from intake.mail import init_mail

    app.extensions["intake.keyring"] = Keyring(app.config["DATA_ENCRYPTION_KEY"])
    register_database(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(load_session_user)
    limiter.init_app(app)
    babel.init_app(
        app,
        locale_selector=_select_locale,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    init_mail(app)
    if (
        app.config["INTAKE_ENV"] == PRODUCTION
        and app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    ):
        app.logger.warning(
            "RATELIMIT_STORAGE_URI is memory://: each worker counts alone; use Redis in production"
        )


def _select_locale() -> str:
    chosen = session.get("locale") if has_request_context() else None
    return chosen if chosen in LANGUAGES else "fr"


def register_blueprints(app: Flask) -> None:
    """Attach one blueprint per audience, and the command-line groups."""
    from intake.admin import bp as admin_bp
    from intake.auth import bp as auth_bp
    from intake.cli import register_cli
    from intake.moderation import bp as moderation_bp
    from intake.public import bp as public_bp

    for blueprint in (public_bp, auth_bp, moderation_bp, admin_bp):
        app.register_blueprint(blueprint)
    register_cli(app)


def register_templates(app: Flask) -> None:
    """Filters and values every template may use."""
    from flask_babel import format_date, format_number, get_locale

    from intake import labels
    from intake.help_lines import HELP_LINES
    from intake.models import Role
    from intake.public.drafts import drafts_to_drop
    from intake.sanitize import render_markdown

    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.globals.update(
        help_lines=HELP_LINES,
        labels=labels,
        Role=Role,
        languages=LANGUAGES,
        get_locale=get_locale,
        format_date=format_date,
        format_number=format_number,
        drafts_to_drop=drafts_to_drop,
    )


def register_hardening(app: Flask) -> None:
    """Security headers, error pages."""
    from intake.errors import register_errors
    from intake.security import register_security

    register_security(app)
    register_errors(app)
