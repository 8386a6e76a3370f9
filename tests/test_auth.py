"""Team accounts: logging in, throttling and lockout, and sessions that end when they should."""

from __future__ import annotations

import html
import json
import re
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from intake import accounts
from intake.extensions import db
from intake.models import AuditEvent, Role, User, utcnow
from tests.conftest import build_app
from tests.helpers import TEAM_PASSWORD, AuthActions, hidden_fields, make_user

LOGIN = "/moderation/connexion"
QUEUE = "/moderation/"
EMAIL = "camille.moderatrice@intake.example"
WRONG = "pas le bon mot de passe du tout"
NEW_PASSWORD = "un tout autre mot de passe"


def log_in(
    client: FlaskClient, email: str, password: str = TEAM_PASSWORD, next_url: str | None = None
) -> TestResponse:
    """Open the login page (with ?next= if given) and send it, as a browser would."""
    url = LOGIN + (f"?{urlencode({'next': next_url})}" if next_url else "")
    fields = hidden_fields(client.get(url).get_data(as_text=True))
    return client.post(url, data={**fields, "email": email, "password": password})


def error_text(response: TestResponse) -> str:
    """The text of the page's alert, as a screen reader announces it."""
    match = re.search(
        r'<(\w+)[^>]*role="alert"[^>]*>(.*?)</\1>', response.get_data(as_text=True), re.S
    )
    assert match, "the page shows no alert"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(2))).split())


def sent_to_login(response: TestResponse) -> bool:
    return response.status_code in (302, 303) and urlsplit(response.location).path == LOGIN


def landed_on(response: TestResponse) -> str:
    """Where a redirect leads, as path and query, refusing any other host."""
    assert response.status_code == 303, response.status_code
    target = urlsplit(response.location)
    assert target.netloc in ("", "localhost"), response.location
    return target.path + (f"?{target.query}" if target.query else "")


def audit(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def mentions(event: AuditEvent, *fragments: str) -> bool:
    blob = json.dumps([event.actor, event.target_id, event.details], ensure_ascii=False).lower()
    return any(fragment.lower() in blob for fragment in fragments)


@pytest.fixture
def camille(app: Flask) -> int:
    """A moderator's account, by id."""
    with app.app_context():
        return int(make_user("moderator", EMAIL).id)


def set_clock(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """The time the login view hands to accounts.authenticate."""
    monkeypatch.setattr("intake.auth.views.utcnow", lambda: moment)


def set_time(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """The time the session guard reads."""
    monkeypatch.setattr(time, "time", lambda: seconds)


# --- Logging in ---------------------------------------------------------------------------


def test_moderator_logs_in_and_lands_on_the_queue(
    app: Flask, client: FlaskClient, camille: int
) -> None:
    response = log_in(client, EMAIL)

    assert landed_on(response) == QUEUE
    assert client.get(QUEUE).status_code == 200
    with app.app_context():
        (event,) = audit("login.succeeded")
        assert (event.actor, event.target_id) == (f"user:{camille}", str(camille))
        assert not mentions(event, EMAIL, "camille")


def test_wrong_password_and_unknown_address_get_the_same_message(
    app: Flask, client: FlaskClient, camille: int
) -> None:
    wrong_password = log_in(client, EMAIL, WRONG)
    unknown_address = log_in(client, "personne@intake.example", TEAM_PASSWORD)

    assert (wrong_password.status_code, unknown_address.status_code) == (401, 401)
    assert error_text(wrong_password) == error_text(unknown_address) != ""
    assert sent_to_login(client.get(QUEUE))
    with app.app_context():
        failures = audit("login.failed")
        assert len(failures) == 2
        for event in failures:
            assert event.actor == "anonymous"
            assert not mentions(event, EMAIL, "camille", "personne@", "personne")


def test_deactivated_account_cannot_log_in(app: Flask, client: FlaskClient, camille: int) -> None:
    with app.app_context():
        accounts.deactivate_user(db.session.get(User, camille), actor="test")
        db.session.commit()
    refused = log_in(client, EMAIL)
    wrong = log_in(app.test_client(), "personne@intake.example")

    assert refused.status_code == 401
    assert error_text(refused) == error_text(wrong)
    assert sent_to_login(client.get(QUEUE))


def test_deactivating_an_account_ends_its_open_session(
    app: Flask, client: FlaskClient, camille: int
) -> None:
    assert log_in(client, EMAIL).status_code == 303
    with app.app_context():
        accounts.deactivate_user(db.session.get(User, camille), actor="test")
        db.session.commit()
    assert sent_to_login(client.get(QUEUE))


# --- Throttling ---------------------------------------------------------------------------


def test_account_locks_after_ten_failures_then_opens_again_after_fifteen_minutes(
    app: Flask, client: FlaskClient, camille: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = utcnow()
    set_clock(monkeypatch, start)
    generic = error_text(log_in(client, EMAIL, WRONG))
    for _ in range(9):
        assert log_in(client, EMAIL, WRONG).status_code == 401

    locked = log_in(client, EMAIL)
    assert locked.status_code == 401
    assert error_text(locked) != generic and "15" in error_text(locked)
    # Only this account is locked: a colleague on the same computer still gets in.
    with app.app_context():
        make_user("editor", "dominique@intake.example")
    assert log_in(app.test_client(), "dominique@intake.example").status_code == 303

    set_clock(monkeypatch, start + timedelta(minutes=14))
    assert error_text(log_in(client, EMAIL)) == error_text(locked)
    set_clock(monkeypatch, start + timedelta(minutes=15, seconds=1))
    assert landed_on(log_in(client, EMAIL)) == QUEUE
    with app.app_context():
        assert audit("login.locked")


def test_unknown_address_locks_the_same_way_so_the_lock_reveals_no_account(
    client: FlaskClient, camille: int
) -> None:
    for address in (EMAIL, "personne@intake.example"):
        for _ in range(10):
            log_in(client, address, WRONG)
    known, unknown = log_in(client, EMAIL), log_in(client, "personne@intake.example")
    assert (known.status_code, unknown.status_code) == (401, 401)
    assert error_text(known) == error_text(unknown)


def test_nine_failures_do_not_lock_and_a_success_starts_the_count_again(
    client: FlaskClient, camille: int
) -> None:
    for _ in range(9):
        assert log_in(client, EMAIL, WRONG).status_code == 401
    assert log_in(client, EMAIL).status_code == 303
    for _ in range(9):
        assert log_in(client, EMAIL, WRONG).status_code == 401
    assert log_in(client, EMAIL).status_code == 303


@pytest.fixture
def throttled_app(db_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The application with per-client login throttling on, counting from zero."""
    application = build_app(
        tmp_path / "instance",
        db_url,
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="3 per 15 minutes",
        # Clients are keyed by a hash under the secret key: a fresh key, fresh counters.
        SECRET_KEY=f"login-throttle-{uuid.uuid4().hex}",
    )
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def test_one_client_trying_many_addresses_is_throttled_but_successes_do_not_count(
    throttled_app: Flask,
) -> None:
    with throttled_app.app_context():
        make_user("moderator", EMAIL)
    client = throttled_app.test_client()

    statuses = [
        log_in(client, EMAIL).status_code,
        log_in(client, "alice@intake.example", WRONG).status_code,
        log_in(client, EMAIL).status_code,
        log_in(client, "bob@intake.example", WRONG).status_code,
        log_in(client, EMAIL).status_code,
        log_in(client, "chloe@intake.example", WRONG).status_code,
        log_in(client, "denis@intake.example", WRONG).status_code,
        log_in(client, EMAIL).status_code,
    ]
    assert statuses == [303, 401, 303, 401, 303, 401, 429, 429]
    # Another computer is not affected.
    elsewhere = throttled_app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert log_in(elsewhere, EMAIL).status_code == 303


# --- Sessions -----------------------------------------------------------------------------


def test_logging_out_on_one_device_ends_the_session_on_every_device(
    app: Flask, camille: int
) -> None:
    phone, laptop = app.test_client(), app.test_client()
    assert log_in(phone, EMAIL).status_code == 303
    assert log_in(laptop, EMAIL).status_code == 303
    assert laptop.get(QUEUE).status_code == 200

    assert landed_on(AuthActions(phone).logout()) == LOGIN

    assert sent_to_login(laptop.get(QUEUE))
    assert sent_to_login(phone.get(QUEUE))
    with app.app_context():
        (event,) = audit("logout")
        assert event.actor == f"user:{camille}"


def test_old_cookie_replayed_after_logout_is_refused(
    app: Flask, client: FlaskClient, auth: AuthActions, camille: int
) -> None:
    assert log_in(client, EMAIL).status_code == 303
    assert client.get(QUEUE).status_code == 200
    cookie = client.get_cookie("session")
    assert cookie is not None
    kept = cookie.value

    auth.logout()

    replay = app.test_client()
    replay.set_cookie("session", kept)
    assert sent_to_login(replay.get(QUEUE))


def test_changing_password_ends_other_sessions_and_keeps_this_one(app: Flask, camille: int) -> None:
    here, elsewhere = app.test_client(), app.test_client()
    assert log_in(here, EMAIL).status_code == 303
    assert log_in(elsewhere, EMAIL).status_code == 303

    page = here.get("/moderation/mot-de-passe")
    assert page.status_code == 200
    change = {"current": TEAM_PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    response = here.post(
        "/moderation/mot-de-passe", data={**hidden_fields(page.get_data(as_text=True)), **change}
    )

    assert landed_on(response) == QUEUE
    assert here.get(QUEUE).status_code == 200
    assert sent_to_login(elsewhere.get(QUEUE))
    assert log_in(app.test_client(), EMAIL, TEAM_PASSWORD).status_code == 401
    assert log_in(app.test_client(), EMAIL, NEW_PASSWORD).status_code == 303
    with app.app_context():
        assert [e.actor for e in audit("user.password_changed")] == [f"user:{camille}"]


def test_session_survives_29_idle_minutes_but_not_31(
    client: FlaskClient, camille: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = time.time()
    assert log_in(client, EMAIL).status_code == 303

    set_time(monkeypatch, start + 29 * 60)
    assert client.get(QUEUE).status_code == 200
    set_time(monkeypatch, start + 29 * 60 + 31 * 60)
    assert sent_to_login(client.get(QUEUE))
    # Once ended, the session stays ended.
    assert sent_to_login(client.get(QUEUE))


def test_busy_session_still_ends_after_twelve_hours(
    client: FlaskClient, camille: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = time.time()
    assert log_in(client, EMAIL).status_code == 303

    statuses = []
    for step in range(1, 38):  # a page every 20 minutes, up to 12 h 20
        set_time(monkeypatch, start + step * 20 * 60)
        response = client.get(QUEUE)
        statuses.append("login" if sent_to_login(response) else response.status_code)
    assert statuses == [200] * 36 + ["login"]


# --- Where the login leads --------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "https:evil.example",
        "javascript:alert(1)",
        "http://localhost.evil.example/moderation/",
    ],
)
def test_login_never_sends_to_another_site(client: FlaskClient, camille: int, target: str) -> None:
    assert landed_on(log_in(client, EMAIL, next_url=target)) == QUEUE


def test_line_break_in_next_neither_breaks_the_login_nor_leaves_the_queue(
    client: FlaskClient, camille: int
) -> None:
    response = log_in(client, EMAIL, next_url="/moderation/\r\nSet-Cookie: piege=1")
    assert landed_on(response) == QUEUE
    assert client.get(QUEUE).status_code == 200


def test_login_returns_to_the_page_that_was_asked_for(client: FlaskClient, camille: int) -> None:
    asked = client.get("/moderation/?status=received")
    assert sent_to_login(asked)

    login_page = urlsplit(asked.location)
    url = login_page.path + "?" + login_page.query
    fields = hidden_fields(client.get(url).get_data(as_text=True))
    response = client.post(url, data={**fields, "email": EMAIL, "password": TEAM_PASSWORD})

    assert landed_on(response) == "/moderation/?status=received"


# --- Passwords ----------------------------------------------------------------------------


def common_password() -> str:
    """A password from the shipped list of common ones."""
    path = Path(accounts.__file__).parent / "data" / "common_passwords.txt"
    return next(
        line.strip() for line in path.read_text().splitlines() if line.strip()[:1] not in ("", "#")
    )


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("onze-caract", "too_short"),
        ("x" * 1025, "too_long"),
        (common_password(), "too_common"),
        (common_password().upper(), "too_common"),
        ("Camille.Moderatrice-2024!", "too_common"),
    ],
    ids=["11-chars", "1025-chars", "common", "common-upper", "contains-address"],
)
def test_weak_passwords_are_refused(password: str, reason: str) -> None:
    with pytest.raises(accounts.WeakPassword) as refused:
        accounts.check_password(password, EMAIL)
    assert refused.value.reason == reason


@pytest.mark.parametrize("password", ["douze-caract", "é" * 1024])
def test_passwords_at_the_limits_are_accepted(password: str) -> None:
    accounts.check_password(password, EMAIL)


def test_weak_password_opens_no_account(app: Flask) -> None:
    with app.app_context():
        with pytest.raises(accounts.WeakPassword):
            accounts.create_user(EMAIL, "Camille", Role.MODERATOR, "trop-court", actor="test")
        assert accounts.find_user(EMAIL) is None


def test_long_password_is_used_whole(app: Flask, client: FlaskClient) -> None:
    long_password = ("Les lilas fleurissent en avril, le 3 du mois ! " * 5)[:200]
    assert len(long_password) == 200
    with app.app_context():
        make_user("moderator", EMAIL, password=long_password)

    assert log_in(client, EMAIL, long_password[:72]).status_code == 401
    assert log_in(client, EMAIL, long_password[:-1]).status_code == 401
    assert landed_on(log_in(client, EMAIL, long_password)) == QUEUE


def test_password_is_stored_as_an_argon2id_hash(app: Flask, camille: int) -> None:
    with app.app_context():
        stored = db.session.get(User, camille)
        assert stored is not None
        assert stored.password_hash.startswith("$argon2id$")
        assert TEAM_PASSWORD not in stored.password_hash
