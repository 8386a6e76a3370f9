"""Fixtures: every database test runs on SQLite and, when TEST_DATABASE_URL is set, PostgreSQL.

The schema always comes from the migrations (never ``create_all``), as in production.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from intake import create_app
from intake.config import database_url
from intake.extensions import db
from tests.helpers import TEST_DATA_KEY, TEST_SECRET_KEY, AuthActions, FormPage, make_user
from tests.review_helpers import team_client
from tests.server import Server, running_server

PG_BASE_URL = os.environ.get("TEST_DATABASE_URL")
# Each test session works in its own schema, so that runs sharing the database never meet.
PG_SCHEMA = f"intake_test_{os.getpid()}_{secrets.token_hex(3)}"
PG_URL = f"{PG_BASE_URL}?options=-csearch_path%3D{PG_SCHEMA}" if PG_BASE_URL else None
DATABASES = ["sqlite", *(["postgresql"] if PG_URL else [])]


def make_environ(instance: Path, url: str, **extra: str) -> dict[str, str]:
    """The environment a test application is created from."""
    return {
        "INTAKE_ENV": "development",
        "INTAKE_INSTANCE_PATH": str(instance),
        "SECRET_KEY": TEST_SECRET_KEY,
        "DATA_ENCRYPTION_KEY": TEST_DATA_KEY,
        "DATABASE_URL": url,
        **extra,
    }


TEST_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "MIN_FILL_SECONDS": 0,
    "RATELIMIT_ENABLED": False,
    # Mails stay in memory (app.extensions["mailman"].outbox); tests/test_mail.py uses SMTP.
    "MAIL_BACKEND": "memory",
}


def build_app(instance: Path, url: str, **config: Any) -> Flask:
    """An application on the given database, with the test defaults."""
    return create_app({**TEST_CONFIG, **config}, environ=make_environ(instance, url))


def migrate_to_head(instance: Path, url: str) -> None:
    """Apply every migration to an empty database."""
    app = build_app(instance, url)
    with app.app_context():
        upgrade()
        db.engine.dispose()


def postgresql_schema(base_url: str, create: bool) -> None:
    """Create this session's schema, or drop it with everything in it."""
    engine = create_engine(database_url(base_url, ""))
    with engine.begin() as connection:
        if create:
            connection.execute(text(f'CREATE SCHEMA "{PG_SCHEMA}"'))
        else:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
    engine.dispose()


@pytest.fixture(scope="session", params=DATABASES)
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The name of the database the tests run on, migrated once per session."""
    instance = tmp_path_factory.mktemp("instance-template")
    if request.param == "postgresql":
        assert PG_BASE_URL is not None and PG_URL is not None
        postgresql_schema(PG_BASE_URL, create=True)
        try:
            migrate_to_head(instance, PG_URL)
            yield f"{request.param}:{instance}"
        finally:
            postgresql_schema(PG_BASE_URL, create=False)
        return
    migrate_to_head(instance, f"sqlite:///{instance / 'template.db'}")
    yield f"{request.param}:{instance}"


@pytest.fixture
def db_url(database: str, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database for one test."""
    kind, template_dir = database.split(":", 1)
    if kind == "sqlite":
        target = tmp_path / "intake.db"
        shutil.copyfile(Path(template_dir) / "template.db", target)
        yield f"sqlite:///{target}"
        return
    assert PG_URL is not None
    yield PG_URL
    _truncate_postgresql(PG_URL)


def _truncate_postgresql(url: str) -> None:
    engine = create_engine(database_url(url, ""))
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def app(db_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The application on a fresh database."""
    application = build_app(tmp_path / "instance", db_url)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser-like client of the application."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    """The command-line runner of the application."""
    return app.test_cli_runner()


@pytest.fixture
def forms(client: FlaskClient) -> FormPage:
    """Open a form page and send it back, as a person would."""
    return FormPage(client)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """A fresh, migrated database served by a real gunicorn, stopped after the test."""
    with running_server(tmp_path) as running:
        yield running


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    """Log the test client in and out."""
    return AuthActions(client)


@pytest.fixture
def team(app: Flask) -> dict[str, Any]:
    """One account per role, by role name: moderator, editor, admin."""
    with app.app_context():
        return {role: make_user(role) for role in ("moderator", "editor", "admin")}


@pytest.fixture
def moderator(app: Flask, auth: AuthActions) -> AuthActions:
    """The test client, logged in as a moderator."""
    with app.app_context():
        make_user("moderator", "moderatrice@intake.example")
    assert auth.login("moderatrice@intake.example").status_code == 303
    return auth


@pytest.fixture
def desk(app: Flask) -> FlaskClient:
    """A moderator's own browser, logged in (moderatrice@intake.example)."""
    return team_client(app, "moderator", "moderatrice@intake.example")


@pytest.fixture
def editor(app: Flask) -> FlaskClient:
    """An editor's own browser, logged in (editrice@intake.example): exports, calls."""
    return team_client(app, "editor", "editrice@intake.example")
