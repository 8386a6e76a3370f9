"""The `flask users` commands, as an operator runs them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from intake import accounts
from intake.extensions import db
from intake.models import AuditEvent, Call, Role, Submission, User, utcnow
from tests.conftest import TEST_CONFIG, make_environ
from tests.helpers import TEAM_PASSWORD, AuthActions, all_rows, make_user

PASSWORD = "une longue phrase de passe"


def create(runner: Any, *args: str, password: str = PASSWORD) -> Any:
    """Run `flask users create`, typing the password twice on standard input."""
    return runner.invoke(args=["users", "create", *args], input=f"{password}\n{password}\n")


def _account(app: Flask, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def test_create_reads_the_password_from_standard_input(app: Flask, runner: Any) -> None:
    result = create(runner, "Nadia@Example.org", "--role", "admin", "--name", "Nadia")

    assert result.exit_code == 0, result.output
    assert re.search(r"Account \d+ created \(admin\)\.", result.output)
    assert PASSWORD not in result.output
    user = _account(app, "nadia@example.org")
    assert user is not None and user.role == Role.ADMIN and user.display_name == "Nadia"
    with app.app_context():
        assert accounts.authenticate("nadia@example.org", PASSWORD, utcnow()).id == user.id
        (created,) = [e for e in all_rows(AuditEvent) if e.action == "user.created"]
        assert created.actor == "cli" and created.details == {"role": "admin"}


def test_create_defaults_to_the_moderator_role(app: Flask, runner: Any) -> None:
    assert create(runner, "camille@example.org").exit_code == 0
    user = _account(app, "camille@example.org")
    assert user is not None and user.role == Role.MODERATOR


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("court", "The password needs at least 12 characters."),
        ("motdepasse123", "This password is too common or too close to the address."),
        ("camille-2025-ok", "This password is too common or too close to the address."),
        ("x" * 1025, "The password may have at most 1024 characters."),
    ],
)
def test_create_refuses_a_weak_password_and_says_why(
    app: Flask, runner: Any, password: str, message: str
) -> None:
    result = create(runner, "camille@example.org", password=password)

    assert result.exit_code != 0
    assert message in result.output
    assert _account(app, "camille@example.org") is None


def test_create_refuses_an_address_already_in_use(app: Flask, runner: Any) -> None:
    assert create(runner, "camille@example.org").exit_code == 0
    result = create(runner, "CAMILLE@example.org", "--role", "admin")

    assert result.exit_code != 0
    assert "An account already uses this address." in result.output
    with app.app_context():
        assert [u.role for u in all_rows(User)] == [Role.MODERATOR]


def test_create_refuses_a_malformed_address_or_name(app: Flask, runner: Any) -> None:
    malformed = create(runner, "pas-une-adresse")
    assert malformed.exit_code != 0
    assert "Invalid e-mail address" in malformed.output

    too_long = create(runner, "camille@example.org", "--name", "C" * 101)
    assert too_long.exit_code != 0
    assert "100 characters" in too_long.output
    with app.app_context():
        assert all_rows(User) == []


def test_create_refuses_passwords_that_differ(app: Flask, runner: Any) -> None:
    result = runner.invoke(
        args=["users", "create", "camille@example.org"], input=f"{PASSWORD}\nautre chose\n"
    )
    assert result.exit_code != 0
    assert _account(app, "camille@example.org") is None


def test_deactivate_closes_the_account_and_ends_its_sessions(app: Flask, runner: Any) -> None:
    with app.app_context():
        make_user("moderator", "camille@example.org")
    browser = AuthActions(app.test_client())
    assert browser.login("camille@example.org").status_code == 303

    result = runner.invoke(args=["users", "deactivate", "Camille@example.org"])

    assert result.exit_code == 0, result.output
    assert re.search(r"Account \d+ deactivated\.", result.output)
    user = _account(app, "camille@example.org")
    assert user is not None and not user.active
    refused = browser.client.get("/moderation/")
    assert refused.status_code in (302, 303)
    assert "/moderation/connexion" in refused.headers["Location"]
    assert browser.login("camille@example.org", TEAM_PASSWORD).status_code == 401
    with app.app_context():
        (closed,) = [e for e in all_rows(AuditEvent) if e.action == "user.deactivated"]
        assert (closed.actor, closed.target_id) == ("cli", str(user.id))


def test_deactivate_an_unknown_address_says_so(runner: Any) -> None:
    result = runner.invoke(args=["users", "deactivate", "personne@example.org"])
    assert result.exit_code != 0
    assert "No account uses this address." in result.output


def test_list_shows_each_account_with_its_role_and_state(app: Flask, runner: Any) -> None:
    with app.app_context():
        make_user("moderator", "bruno@example.org")
        make_user("admin", "alice@example.org")
        accounts.deactivate_user(make_user("editor", "chloe@example.org"), actor="test")
        db.session.commit()

    result = runner.invoke(args=["users", "list"])

    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "alice@example.org\tadmin\tactive",
        "bruno@example.org\tmoderator\tactive",
        "chloe@example.org\teditor\tdeactivated",
    ]


def test_dev_admin_creates_one_admin_on_an_empty_database_and_shows_its_password_once(
    app: Flask, runner: Any
) -> None:
    first = runner.invoke(args=["users", "dev-admin"])

    assert first.exit_code == 0, first.output
    match = re.search(r"admin@intake\.example / (\S+)", first.output)
    assert match, first.output
    password = match.group(1)
    with app.app_context():
        (user,) = all_rows(User)
        assert user.role == Role.ADMIN and password not in user.password_hash
        assert accounts.authenticate(user.email, password, utcnow()).id == user.id
        assert {"user.created", "user.dev_admin"} <= {e.action for e in all_rows(AuditEvent)}

    again = runner.invoke(args=["users", "dev-admin"])
    assert again.exit_code == 0
    assert "already exist" in again.output and password not in again.output
    with app.app_context():
        assert len(all_rows(User)) == 1


def test_dev_admin_login_link_leads_where_the_server_listens(db_url: str, tmp_path: Path) -> None:
    from intake import create_app

    environ = make_environ(tmp_path / "instance", db_url, INTAKE_BIND="0.0.0.0:8080")
    app = create_app(TEST_CONFIG, environ=environ)
    result = app.test_cli_runner().invoke(args=["users", "dev-admin"])

    assert result.exit_code == 0, result.output
    assert "Log in at http://127.0.0.1:8080/moderation/connexion" in result.output
    with app.app_context():
        db.engine.dispose()


def test_dev_admin_does_nothing_when_any_account_exists(app: Flask, runner: Any) -> None:
    with app.app_context():
        make_user("moderator")
    result = runner.invoke(args=["users", "dev-admin"])
    assert result.exit_code == 0
    assert "no development admin created" in result.output
    with app.app_context():
        assert [u.role for u in all_rows(User)] == [Role.MODERATOR]


def test_dev_admin_refuses_in_production(db_url: str, tmp_path: Path) -> None:
    from intake import create_app

    environ = make_environ(tmp_path / "instance", db_url, INTAKE_ENV="production")
    production = create_app(TEST_CONFIG, environ=environ)
    result = production.test_cli_runner().invoke(args=["users", "dev-admin"])

    assert result.exit_code != 0
    assert "Not in production" in result.output
    with production.app_context():
        assert all_rows(User) == []
        db.engine.dispose()


def test_demo_seed_refuses_in_production(db_url: str, tmp_path: Path) -> None:
    from intake import create_app

    environ = make_environ(tmp_path / "instance", db_url, INTAKE_ENV="production")
    production = create_app(TEST_CONFIG, environ=environ)
    result = production.test_cli_runner().invoke(args=["demo", "seed"])

    assert result.exit_code != 0
    assert "Not in production" in result.output
    with production.app_context():
        assert all_rows(Call) == [] and all_rows(Submission) == []
        db.engine.dispose()
