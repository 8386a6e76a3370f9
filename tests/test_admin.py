"""Admin pages: team accounts and the audit log, as an administrator uses them."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, event, select, update
from werkzeug.test import TestResponse

from intake import accounts
from intake.audit import record_event
from intake.extensions import db
from intake.models import AuditEvent, AuditEventImmutable, Role, User
from tests.helpers import (
    STORY,
    AuthActions,
    FormPage,
    all_rows,
    filled_testimony,
    make_user,
    page_text,
)

USERS = "/moderation/admin/comptes"
AUDIT = "/moderation/admin/journal"
NEW_PASSWORD = "un autre mot de passe solide"
ADMIN_EMAIL = "admin@intake.example"


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    """Same as conftest's, which currently lacks its import of AuthActions (see report)."""
    return AuthActions(client)


@pytest.fixture
def admin(app: Flask, auth: AuthActions) -> int:
    """The test client, logged in as an admin; the admin's account id."""
    admin_id = _account(app, "admin", ADMIN_EMAIL)
    auth.client.get("/langue/en")  # assertions read the English source strings
    assert auth.login(ADMIN_EMAIL).status_code == 303
    return admin_id


def _account(app: Flask, role: str, email: str | None = None) -> int:
    with app.app_context():
        return int(make_user(role, email).id)


def _user(app: Flask, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        db.session.expunge(user)
        return user


def _events(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context():
        return [e for e in all_rows(AuditEvent) if e.action == action]


def open_account(auth: AuthActions, **fields: str) -> TestResponse:
    """Fill in and send the form that opens an account."""
    data = {
        **auth.csrf(USERS),
        "email": "nadia@intake.example",
        "display_name": "Nadia",
        "role": "moderator",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
        **fields,
    }
    return auth.client.post(USERS, data=data)


def post_from_accounts_page(auth: AuthActions, url: str, **fields: str) -> TestResponse:
    """Send one of the per-account forms of the accounts page."""
    return auth.client.post(url, data={**auth.csrf(USERS), **fields})


# Accounts


def test_admin_opens_an_account_that_appears_in_the_list_and_the_trail(
    app: Flask, auth: AuthActions, admin: int
) -> None:
    response = open_account(auth, role="editor")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(USERS)

    page = page_text(auth.client.get(USERS))
    assert "Nadia" in page and "nadia@intake.example" in page
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "nadia@intake.example"))
        assert user is not None and user.role == Role.EDITOR and user.active
        (created,) = [e for e in all_rows(AuditEvent) if e.target_id == str(user.id)]
        assert (created.action, created.actor) == ("user.created", f"user:{admin}")
        assert created.details == {"role": "editor"}
    assert (
        AuthActions(app.test_client()).login("nadia@intake.example", NEW_PASSWORD).status_code
        == 303
    )


def test_admin_changes_the_role_of_an_account(app: Flask, auth: AuthActions, admin: int) -> None:
    moderator = _account(app, "moderator")
    url = f"{USERS}/{moderator}/role"
    assert post_from_accounts_page(auth, url, role="editor").status_code == 303

    assert _user(app, moderator).role == Role.EDITOR
    (changed,) = _events(app, "user.role_changed")
    assert changed.actor == f"user:{admin}"
    assert changed.details == {"before": "moderator", "after": "editor"}


def test_admin_deactivates_an_account_whose_open_session_then_ends(
    app: Flask, auth: AuthActions, admin: int
) -> None:
    moderator = _account(app, "moderator", "camille@intake.example")
    other = AuthActions(app.test_client())
    assert other.login("camille@intake.example").status_code == 303
    assert other.client.get("/moderation/").status_code == 200

    url = f"{USERS}/{moderator}/desactiver"
    assert post_from_accounts_page(auth, url).status_code == 303

    assert not _user(app, moderator).active
    (closed,) = _events(app, "user.deactivated")
    assert closed.actor == f"user:{admin}" and closed.target_id == str(moderator)
    refused = other.client.get("/moderation/")
    assert refused.status_code in (302, 303)
    assert "/moderation/connexion" in refused.headers["Location"]
    assert other.login("camille@intake.example").status_code == 401


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("court", "at least 12 characters"),
        ("motdepasse123", "too common"),
        ("nadia-est-la-2025", "too common or too close to the address"),
    ],
)
def test_weak_password_shows_the_form_again_with_what_was_typed(
    app: Flask, auth: AuthActions, admin: int, password: str, message: str
) -> None:
    response = open_account(auth, role="editor", password=password, confirm=password)

    assert response.status_code == 422
    _assert_typed_values_kept(response, password)
    assert message in page_text(response)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "nadia@intake.example")) is None


def test_duplicate_address_shows_the_form_again_with_what_was_typed(
    app: Flask, auth: AuthActions, admin: int
) -> None:
    _account(app, "moderator", "nadia@intake.example")
    response = open_account(auth, email="Nadia@Intake.example", role="editor")

    assert response.status_code == 422
    assert "An account already uses this address." in page_text(response)
    assert 'value="Nadia@Intake.example"' in response.get_data(as_text=True)
    assert NEW_PASSWORD not in response.get_data(as_text=True)


def test_malformed_address_or_mismatched_passwords_are_refused_kindly(
    app: Flask, auth: AuthActions, admin: int
) -> None:
    malformed = open_account(auth, email="pas une adresse")
    assert malformed.status_code == 422
    assert "This e-mail address is not valid." in page_text(malformed)

    mismatched = open_account(auth, confirm=NEW_PASSWORD + "!")
    assert mismatched.status_code == 422
    assert "The two passwords differ." in page_text(mismatched)
    with app.app_context():
        assert len(all_rows(User)) == 1


def _assert_typed_values_kept(response: TestResponse, password: str) -> None:
    body = response.get_data(as_text=True)
    assert 'value="nadia@intake.example"' in body
    assert 'value="Nadia"' in body
    assert re.search(r'<option selected value="editor">', body)
    assert f'value="{html.escape(password)}"' not in body


def test_admin_cannot_deactivate_themselves(app: Flask, auth: AuthActions, admin: int) -> None:
    response = post_from_accounts_page(auth, f"{USERS}/{admin}/desactiver")

    assert response.status_code == 422
    assert "You cannot deactivate your own account" in page_text(response)
    assert _user(app, admin).active
    assert auth.client.get(USERS).status_code == 200
    assert _events(app, "user.deactivated") == []


def test_admin_cannot_remove_their_own_admin_role(
    app: Flask, auth: AuthActions, admin: int
) -> None:
    response = post_from_accounts_page(auth, f"{USERS}/{admin}/role", role="editor")

    assert response.status_code == 422
    assert "You cannot remove your own administrator role" in page_text(response)
    assert _user(app, admin).role == Role.ADMIN


def test_unknown_account_or_role_is_a_clear_refusal(
    app: Flask, auth: AuthActions, admin: int
) -> None:
    assert post_from_accounts_page(auth, f"{USERS}/999999/desactiver").status_code == 404
    moderator = _account(app, "moderator")
    response = post_from_accounts_page(auth, f"{USERS}/{moderator}/role", role="superuser")
    assert response.status_code == 422
    assert _user(app, moderator).role == Role.MODERATOR


def _admin_requests(app: Flask) -> Iterator[tuple[str, str]]:
    """Every (method, url) of the admin blueprint, with an account id where one is needed."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin."):
            url = rule.build({"user_id": 1}, append_unknown=False)
            assert url is not None
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                yield method, url[1]


@pytest.mark.parametrize("role", ["moderator", "editor"])
def test_moderators_and_editors_get_403_on_every_admin_page(
    app: Flask, auth: AuthActions, role: str
) -> None:
    _account(app, "admin")
    _account(app, role, "equipe@intake.example")
    assert auth.login("equipe@intake.example").status_code == 303
    token = auth.csrf()
    requests = list(_admin_requests(app))
    assert {m for m, _ in requests} == {"GET", "POST"}
    for method, url in requests:
        response = auth.client.open(url, method=method, data=token if method == "POST" else None)
        assert response.status_code == 403, (method, url)
    with app.app_context():
        assert [u.active for u in all_rows(User)] == [True, True]


def test_anonymous_visitor_is_sent_to_the_login_page(app: Flask, client: FlaskClient) -> None:
    for url in (USERS, AUDIT):
        response = client.get(url)
        assert response.status_code in (302, 303)
        assert "/moderation/connexion" in response.headers["Location"]


# Audit log


def shown_events(response: TestResponse) -> list[tuple[str, str]]:
    """The (action, target id) of every row of an audit page, top to bottom."""
    body = response.get_data(as_text=True)
    rows = re.findall(r'<tr class="audit-event".*?</tr>', body, re.S)
    return [
        (
            html.unescape(re.findall(r"action=[^\"]*\"><code>(.*?)</code>", row)[0]),
            html.unescape(re.findall(r"target=[^\"]*\"><code>(.*?)</code>", row)[0]),
        )
        for row in rows
    ]


def _record(app: Flask, *events: tuple[str, str, str]) -> None:
    with app.app_context():
        for action, target, actor in events:
            record_event(action, "thing", target, actor=actor)
        db.session.commit()


def test_audit_page_filters_by_action_prefix_actor_and_target(
    app: Flask, auth: AuthActions, admin: int
) -> None:
    me = f"user:{admin}"
    _record(
        app,
        ("submission.received", "S-1", "public"),
        ("submission.claimed", "S-1", me),
        ("login.failed", "unknown", "anonymous"),
        ("contact.received", "C-1", "public"),
        ("submission.approved", "S-2", me),
    )

    def shown(**filters: str) -> list[tuple[str, str]]:
        response = auth.client.get(AUDIT, query_string=filters)
        assert response.status_code == 200
        return shown_events(response)

    assert shown(action="submission.") == [
        ("submission.approved", "S-2"),
        ("submission.claimed", "S-1"),
        ("submission.received", "S-1"),
    ]
    assert [a for a, _ in shown(action="login.")] == ["login.failed", "login.succeeded"]
    assert shown(action="submission.claimed") == [("submission.claimed", "S-1")]
    assert shown(action="submission") == []
    assert shown(actor="public") == [("contact.received", "C-1"), ("submission.received", "S-1")]
    assert shown(actor=me, action="submission.") == [
        ("submission.approved", "S-2"),
        ("submission.claimed", "S-1"),
    ]
    assert shown(actor="anonymous") == [("login.failed", "unknown")]
    assert shown(target="S-1") == [("submission.claimed", "S-1"), ("submission.received", "S-1")]


def test_audit_page_filters_by_dates_of_the_team_time_zone(
    app: Flask, auth: AuthActions, admin: int
) -> None:
    with app.app_context():
        for target, at in [
            ("before", datetime(2024, 1, 9, 22, 30, tzinfo=UTC)),  # 23:30 in Paris
            ("first", datetime(2024, 1, 9, 23, 30, tzinfo=UTC)),  # 00:30 on the 10th in Paris
            ("last", datetime(2024, 1, 11, 22, 59, tzinfo=UTC)),
            ("after", datetime(2024, 1, 11, 23, 1, tzinfo=UTC)),
        ]:
            db.session.add(
                AuditEvent(
                    at=at, actor="cli", action="test.dated", target_type="thing", target_id=target
                )
            )
        db.session.commit()

    response = auth.client.get(AUDIT, query_string={"since": "2024-01-10", "until": "2024-01-11"})
    assert [t for _, t in shown_events(response)] == ["last", "first"]


def test_audit_page_walks_pages_of_100_newest_first(
    app: Flask, auth: AuthActions, admin: int
) -> None:
    _record(app, *[("test.tick", f"t{i:03}", "cli") for i in range(150)])

    first = auth.client.get(AUDIT, query_string={"action": "test."})
    assert [t for _, t in shown_events(first)] == [f"t{i:03}" for i in range(149, 49, -1)]
    older = _link(first, "next")
    assert "action=test." in older and "OFFSET" not in older

    second = auth.client.get(older)
    assert [t for _, t in shown_events(second)] == [f"t{i:03}" for i in range(49, -1, -1)]
    assert 'rel="next"' not in second.get_data(as_text=True)

    back = auth.client.get(_link(second, "prev"))
    assert shown_events(back) == shown_events(first)

    everything = auth.client.get(AUDIT)
    assert len(shown_events(everything)) == 100


def _link(response: TestResponse, rel: str) -> str:
    body = response.get_data(as_text=True)
    match = re.search(rf'<a href="([^"]+)" rel="{rel}">', body)
    assert match, f"no {rel} link"
    return html.unescape(match.group(1))


def test_audit_page_names_actors_with_one_query_whatever_their_number(
    app: Flask, auth: AuthActions, admin: int
) -> None:
    def queries_for_page() -> int:
        with _counting_queries(app) as count:
            assert auth.client.get(AUDIT).status_code == 200
        return count[0]

    _record(app, ("test.one", "x", f"user:{admin}"))
    few = queries_for_page()
    with app.app_context():
        members = [_member(f"Membre {i}") for i in range(8)]
    _record(app, *[("test.many", "x", f"user:{m}") for m in members])
    rows = re.findall(
        r'<tr class="audit-event".*?</tr>', auth.client.get(AUDIT).get_data(True), re.S
    )
    assert all(f"Membre {i}" in row for i, row in enumerate(reversed(rows[:8])))
    assert queries_for_page() == few


def _member(name: str) -> int:
    user = accounts.create_user(
        f"{name.replace(' ', '.').lower()}@intake.example",
        name,
        Role.MODERATOR,
        NEW_PASSWORD,
        "test",
    )
    db.session.commit()
    return int(user.id)


@contextmanager
def _counting_queries(app: Flask) -> Iterator[list[int]]:
    count = [0]

    def counted(*args: Any) -> None:
        count[0] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counted)
    try:
        yield count
    finally:
        event.remove(engine, "before_cursor_execute", counted)


def test_audit_page_shows_details_as_escaped_pairs(
    app: Flask, auth: AuthActions, admin: int
) -> None:
    with app.app_context():
        record_event(
            "test.detail", "thing", "<b>t</b>", actor="cli", reason="<script>x</script>", n=3
        )
        db.session.commit()

    response = auth.client.get(AUDIT, query_string={"action": "test.detail"})
    body = response.get_data(as_text=True)
    assert "<script>x" not in body and "<b>t</b>" not in body
    assert "n=3 reason=<script>x</script>" in page_text(response)
    assert "Command line" in page_text(response)


@pytest.mark.parametrize(
    "query",
    [
        {"since": "pas une date"},
        {"since": "0001-01-01"},
        {"since": "2024-02-01", "until": "2024-01-01"},
        {"before": str(2**70)},
        {"after": "-4"},
        {"action": "x" * 65},
    ],
)
def test_audit_page_refuses_bad_filters_with_a_message(
    app: Flask, auth: AuthActions, admin: int, query: dict[str, str]
) -> None:
    response = auth.client.get(AUDIT, query_string=query)
    assert response.status_code == 422
    assert "This could not be done" in page_text(response)


def test_audit_page_never_shows_story_text_or_email_addresses(
    app: Flask, auth: AuthActions, admin: int, forms: FormPage
) -> None:
    story_canary, story_email = "CANARI-RECIT-7781", "canari.recit@example.org"
    account_email = "canari.compte@example.org"
    sent = forms.send(
        "/temoigner",
        filled_testimony(story=f"{STORY} {story_canary}", email=story_email, contact="y"),
    )
    assert sent.status_code == 303
    assert open_account(auth, email=account_email, display_name="Claude").status_code == 303
    AuthActions(app.test_client()).login(account_email, "pas le bon mot de passe")
    AuthActions(app.test_client()).login(story_email, "pas le bon mot de passe")

    assert account_email in page_text(auth.client.get(USERS))
    response = auth.client.get(AUDIT)
    actions = {a for a, _ in shown_events(response)}
    assert {"submission.received", "user.created", "login.failed"} <= actions
    body = response.get_data(as_text=True).lower()
    for canary in (story_canary, story_email, account_email):
        assert canary.lower() not in body
    with app.app_context():
        for row in all_rows(AuditEvent):
            stored = f"{row.actor} {row.action} {row.target_id} {row.details}".lower()
            for canary in (story_canary, story_email, account_email):
                assert canary.lower() not in stored


def test_audit_events_cannot_be_changed_or_deleted(app: Flask) -> None:
    with app.app_context():
        record_event("test.kept", "thing", "t1", actor="cli")
        db.session.commit()

        (kept,) = all_rows(AuditEvent)
        kept.action = "test.rewritten"
        with pytest.raises(AuditEventImmutable):
            db.session.flush()
        db.session.rollback()

        (kept,) = all_rows(AuditEvent)
        db.session.delete(kept)
        with pytest.raises(AuditEventImmutable):
            db.session.commit()
        db.session.rollback()

        for bulk in (
            update(AuditEvent).values(action="test.rewritten"),
            delete(AuditEvent),
        ):
            with pytest.raises(AuditEventImmutable):
                db.session.execute(bulk)
            db.session.rollback()

        (kept,) = all_rows(AuditEvent)
        assert (kept.action, kept.target_id) == ("test.kept", "t1")
