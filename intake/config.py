"""Configuration: defaults, then environment variables, then the test overrides.

Nothing here is read at import time: ``load_config`` is called by the factory with the
environment it should read, so tests can pass their own.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# The interface languages, French first; English is the source language of the strings.
LANGUAGES = {"fr": "Français", "en": "English"}
DEVELOPMENT = "development"
PRODUCTION = "production"
# How mail leaves the application, how the SMTP connection is protected (with the port each
# protection usually listens on), and how the team hears of new stories.
MAIL_BACKENDS = ("console", "smtp", "off")
MAIL_SECURITY_PORTS = {"starttls": 587, "tls": 465, "none": 25}
NEW_SUBMISSION_NOTICES = ("immediate", "daily", "off")
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
# Where gunicorn listens (intake/gunicorn_conf.py), the port it takes when a bind names none,
# and the addresses a browser on the same machine uses for a bind to every interface.
DEFAULT_BIND = "127.0.0.1:5000"
GUNICORN_DEFAULT_PORT = 8000
REACHABLE_HOSTS = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}  # noqa: S104

# The keys that must exist: in development they are generated once into instance/,
# in production the application refuses to start without them.
SECRET_KEYS = {
    "SECRET_KEY": "signs sessions and form tokens",
    "DATA_ENCRYPTION_KEY": "encrypts stories, names and e-mail addresses at rest",
}
# A session key an attacker could guess lets them forge a moderator's session.
SECRET_KEY_MIN_BYTES = 32
GENERATE_KEY = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
# The values of FLASK_DEBUG that Flask itself reads as "off" (flask.helpers.get_debug_flag).
DEBUG_OFF = ("0", "false", "no")


class ConfigurationError(RuntimeError):
    """The environment does not allow the application to start safely."""


@dataclass(frozen=True)
class Setting:
    """One environment variable: its default and how to read it."""

    default: Any
    kind: type = str
    doc: str = ""


# Documented in the README's configuration table; keep both in step.
SETTINGS: dict[str, Setting] = {
    "INTAKE_ENV": Setting(DEVELOPMENT, str, "development or production"),
    "DATABASE_URL": Setting(None, str, "SQLAlchemy URL; SQLite in instance/ by default"),
    "RATELIMIT_STORAGE_URI": Setting(
        "memory://", str, "rate-limit storage, redis://… in production"
    ),
    "SITE_NAME": Setting("Intake", str, "the media's name, in exports"),
    "SITE_URL": Setting("https://example.org", str, "the media's public site, for WordPress"),
    "CONTROLLER_NAME": Setting("Association Intake (démo)", str, "data controller"),
    "CONTROLLER_CONTACT": Setting("dpo@example.org", str, "where people exercise their rights"),
    "RETENTION_SUBMISSION_DAYS": Setting(730, int, "unpublished stories are erased after"),
    "RETENTION_CONTACT_DAYS": Setting(365, int, "contact messages are erased after"),
    "RETENTION_AUDIT_DAYS": Setting(1825, int, "audit events are kept for"),
    "TRUSTED_PROXY_COUNT": Setting(0, int, "reverse proxies in front of the app"),
    "SUBMIT_RATE_LIMIT": Setting("10 per minute;60 per hour", str, "POSTs per client"),
    "MIN_FILL_SECONDS": Setting(3, int, "a form sent faster is treated as a robot"),
    "LOGIN_RATE_LIMIT": Setting("10 per 15 minutes", str, "failed logins per client"),
    "FOLLOWUP_RATE_LIMIT": Setting("10 per minute;30 per hour", str, "code entries per client"),
    "FOLLOWUP_GLOBAL_RATE_LIMIT": Setting("300 per minute", str, "code entries, all clients"),
    # E-mail (intake/mail.py, intake/notifications.py).
    "PORTAL_URL": Setting("", str, "this portal's address, for mail links; else INTAKE_BIND's"),
    "MAIL_BACKEND": Setting("console", str, "console (development), smtp, or off"),
    "MAIL_SERVER": Setting("localhost", str, "SMTP server"),
    "MAIL_PORT": Setting(None, int, "SMTP port; follows MAIL_SECURITY when unset"),
    "MAIL_SECURITY": Setting("starttls", str, "starttls, tls (implicit) or none"),
    "MAIL_USERNAME": Setting("", str, "SMTP login, if the server asks for one"),
    "MAIL_PASSWORD": Setting("", str, "SMTP password"),
    "MAIL_DEFAULT_SENDER": Setting("", str, "the From address; needed for smtp in production"),
    "MAIL_TIMEOUT": Setting(10, int, "seconds before giving up on the SMTP server"),
    "MODERATION_EMAIL": Setting("", str, "the team's notices go there, else to every account"),
    "NEW_SUBMISSION_NOTICE": Setting("immediate", str, "immediate, daily (digest) or off"),
    "INTAKE_BIND": Setting(DEFAULT_BIND, str, "where gunicorn listens"),
}


def load_config(environ: Mapping[str, str], instance_path: str) -> dict[str, Any]:
    """Build the Flask configuration from an environment mapping."""
    config: dict[str, Any] = {name: _read(environ, name, s) for name, s in SETTINGS.items()}
    env = config["INTAKE_ENV"]
    if env not in (DEVELOPMENT, PRODUCTION):
        raise ConfigurationError(
            f"INTAKE_ENV must be '{DEVELOPMENT}' or '{PRODUCTION}', not {env!r}"
        )
    production = env == PRODUCTION
    for name in SECRET_KEYS:
        config[name] = environ.get(name) or _dev_secret(name, instance_path, production)
    if production:
        refuse_unsafe_production(config, environ)
    config["DATA_ENCRYPTION_KEY"] = decode_key(config["DATA_ENCRYPTION_KEY"])
    config["SQLALCHEMY_DATABASE_URI"] = database_url(config.pop("DATABASE_URL"), instance_path)
    config.update(_fixed_settings(production))
    config.update(mail_settings(config, environ, production))
    return config


def refuse_unsafe_production(config: Mapping[str, Any], environ: Mapping[str, str]) -> None:
    """Refuse a session key short enough to guess, and Flask's debug mode."""
    length = len(config["SECRET_KEY"].encode())
    if length < SECRET_KEY_MIN_BYTES:
        raise ConfigurationError(
            f"SECRET_KEY is {length} bytes long: production needs at least "
            f"{SECRET_KEY_MIN_BYTES}. Generate one with: {GENERATE_KEY}"
        )
    debug = environ.get("FLASK_DEBUG", "")
    if debug and debug.lower() not in DEBUG_OFF:
        raise ConfigurationError(
            f"FLASK_DEBUG is {debug!r}: production never runs in debug mode (under `flask run` "
            "it serves a debugger that runs any code a browser sends). Unset FLASK_DEBUG "
            "and do not pass --debug."
        )


def mail_settings(
    config: Mapping[str, Any], environ: Mapping[str, str], production: bool
) -> dict[str, Any]:
    """Check the e-mail settings; fill in the port and, in development, the sender."""
    for name, allowed in (
        ("MAIL_BACKEND", MAIL_BACKENDS),
        ("MAIL_SECURITY", tuple(MAIL_SECURITY_PORTS)),
        ("NEW_SUBMISSION_NOTICE", NEW_SUBMISSION_NOTICES),
    ):
        if config[name] not in allowed:
            raise ConfigurationError(f"{name} must be one of {', '.join(allowed)}")
    portal_url = config["PORTAL_URL"] or bound_url(config["INTAKE_BIND"])
    portal = urlsplit(portal_url)
    if portal.scheme not in ("http", "https") or not portal.hostname:
        raise ConfigurationError("PORTAL_URL must be an address such as https://example.org")
    if production and config["MAIL_BACKEND"] == "smtp":
        # Links and the sender must be the operator's choice: never guessed from a request.
        for name in ("PORTAL_URL", "MAIL_DEFAULT_SENDER"):
            if not environ.get(name):
                raise ConfigurationError(f"{name} is not set: it is needed to send e-mail")
    if (
        config["MAIL_SECURITY"] == "none"
        and config["MAIL_PASSWORD"]
        and config["MAIL_SERVER"] not in LOCAL_HOSTS
    ):
        raise ConfigurationError(
            "MAIL_SECURITY is none: MAIL_PASSWORD would cross the network unencrypted"
        )
    return {
        "PORTAL_URL": portal_url,
        "MAIL_PORT": config["MAIL_PORT"] or MAIL_SECURITY_PORTS[config["MAIL_SECURITY"]],
        "MAIL_DEFAULT_SENDER": config["MAIL_DEFAULT_SENDER"]
        or f"{config['SITE_NAME']} <no-reply@localhost>",
    }


def bound_url(bind: str) -> str:
    """The address where a browser on this machine reaches gunicorn bound to ``bind``.

    The default of PORTAL_URL, so that a newcomer's mail links lead to the port the server
    really listens on. A Unix socket has no such address: set PORTAL_URL for it.
    """
    if bind.startswith(("unix:", "fd://")):
        return "http://localhost"
    parts = urlsplit("//" + bind.removeprefix("tcp://"))
    try:
        port = parts.port or GUNICORN_DEFAULT_PORT
    except ValueError as error:
        raise ConfigurationError(f"INTAKE_BIND must be host:port, not {bind!r}") from error
    host = parts.hostname or ""
    host = REACHABLE_HOSTS.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _read(environ: Mapping[str, str], name: str, setting: Setting) -> Any:
    raw = environ.get(name)
    if raw is None or raw == "":
        return setting.default
    try:
        return setting.kind(raw)
    except ValueError as error:
        raise ConfigurationError(f"{name} must be a {setting.kind.__name__}: {raw!r}") from error


def _fixed_settings(production: bool) -> dict[str, Any]:
    """Settings that follow from the environment rather than being chosen one by one."""
    return {
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # A story of 20,000 characters, URL-encoded, can take six bytes a character.
        "MAX_CONTENT_LENGTH": 512 * 1024,
        "MAX_FORM_MEMORY_SIZE": 512 * 1024,
        # Long enough for an hour-long writing session; expiry is still handled kindly.
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "RATELIMIT_HEADERS_ENABLED": False,
        "RATELIMIT_KEY_PREFIX": "intake",
    }


def database_url(url: str | None, instance_path: str) -> str:
    """The configured URL, with PostgreSQL going through psycopg 3; SQLite in instance/ if unset."""
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "intake.db")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _dev_secret(name: str, instance_path: str, production: bool) -> str:
    """Read a development key from instance/, creating it on first use."""
    if production:
        raise ConfigurationError(
            f"{name} is not set: it {SECRET_KEYS[name]}. Set it in the environment "
            f"(generate one with: {GENERATE_KEY})."
        )
    path = Path(instance_path) / name.lower()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def decode_key(value: str) -> bytes:
    """Decode a URL-safe base64 key of 32 bytes, refusing anything weaker."""
    try:
        key = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError as error:
        raise ConfigurationError("DATA_ENCRYPTION_KEY is not valid base64") from error
    if len(key) != 32:
        raise ConfigurationError("DATA_ENCRYPTION_KEY must decode to 32 bytes")
    return key
