"""A person follows their story with the code: entering, status, dialogue, rereading, consents,
download, and bad input on every form. Team actions go through the moderation pages."""

from __future__ import annotations

import json
import os
import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake import codes, workflow
from intake.consent import wording_hash
from intake.extensions import db
from intake.followup import PERSON_STATUS
from intake.history import ACTIONS
from intake.labels import DECLINE_REASON
from intake.models import (
    AuditEvent,
    Consent,
    DeclineReason,
    FollowupSession,
    Message,
    Proofreading,
    Purpose,
    QuestionKind,
    Submission,
    SubmissionStatus,
)
from intake.moderation.blueprint import refusal_message
from intake.public.views import rate_limited
from tests.conftest import build_app
from tests.followup_helpers import (
    ANSWER,
    CONSENTS,
    DOWNLOAD,
    ENTRY,
    LEAVE,
    REREAD,
    STORY_PAGE,
    Clock,
    Person,
    alert_text,
    events,
    export_file,
    form_fields,
    input_value,
    person_with_story,
    public_id_for,
    send_for_rereading,
    send_story,
    shows_story,
    status_label,
    stored,
)
from tests.helpers import all_rows, hidden_fields, make_call, page_text, question, textarea_value
from tests.review_helpers import act, in_french

S = SubmissionStatus
REDIS_URL = os.environ.get("TEST_REDIS_URL")
QUESTION = "Pouvons-nous retirer le nom de votre ville du texte ?"
REPLY = "Oui, bien sûr.\n\nMerci de me l'avoir demandé."


def the_story(app: Flask, public_id: str) -> Submission:
    """The submission as stored now, detached but fully loaded (consents included)."""
    with app.app_context():
        found = stored(public_id)
        assert found is not None
        found.consents  # noqa: B018 - loaded before the context closes
        return found


# --- Entering with the code ---------------------------------------------------------------


@pytest.fixture
def lookalike_person(app: Flask) -> Person:
    """A story whose code holds a 0 and a 1, the characters people mistype as O, I or L."""
    with app.app_context():
        key = codes.new_submission_key()
        while not {"0", "1"} <= set(codes.derive_code(key)):
            key = codes.new_submission_key()
    return person_with_story(app, submission_key=key)


LOOSE_SPELLINGS: dict[str, Callable[[str], str]] = {
    "lower case": str.lower,
    "spaces instead of dashes": lambda code: code.replace("-", " "),
    "no separators": lambda code: code.replace("-", ""),
    "O for 0": lambda code: code.replace("0", "O"),
    "I for 1": lambda code: code.replace("1", "I"),
    "L for 1": lambda code: code.replace("1", "L"),
    "l for 1, lower case": lambda code: code.lower().replace("1", "l"),
    "surrounding spaces": lambda code: f"   {code}  ",
    "everything at once": lambda code: " " + code.lower().replace("-", "").replace("0", "o") + " ",
}


@pytest.mark.parametrize("spelling", LOOSE_SPELLINGS.values(), ids=LOOSE_SPELLINGS.keys())
def test_code_typed_loosely_still_opens_the_story(
    app: Flask, lookalike_person: Person, spelling: Callable[[str], str]
) -> None:
    typed = spelling(lookalike_person.code)
    assert typed != lookalike_person.code

    response = lookalike_person.enter(typed)

    assert response.status_code == 303
    assert response.headers["Location"] == STORY_PAGE
    page = lookalike_person.page()
    assert page.status_code == 200
    assert shows_story(page)
    assert len(events(app, "followup.opened")) == 1


def test_wrong_codes_get_one_message_and_a_trace_without_the_code(
    app: Flask, client: FlaskClient
) -> None:
    send_story(client)
    with app.app_context():
        unknown = codes.derive_code(codes.new_submission_key())
    attempts = [unknown, "QZ7K-MALF-ORMD", ""]
    visitor = Person(app.test_client(), code="")

    responses = [visitor.enter(typed) for typed in attempts]

    assert {r.status_code for r in responses} <= set(range(400, 500))
    assert len({r.status_code for r in responses}) == 1
    messages = [alert_text(r) for r in responses]
    assert messages[0] and messages == [messages[0]] * len(attempts)
    assert [input_value(r, "code") for r in responses] == attempts
    assert visitor.page().status_code == 200 and not shows_story(visitor.page())
    failures = events(app, "followup.failed")
    assert len(failures) == len(attempts)
    assert events(app, "followup.opened") == []
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.__table__).where(AuditEvent.action == "followup.failed")
        ).all()
    trail = json.dumps([[str(value) for value in row] for row in rows])
    fragments = [unknown, unknown.replace("-", ""), *unknown.split("-"), "QZ7K", "MALF", "ORMD"]
    assert [f for f in fragments if f.lower() in trail.lower()] == []
    assert all(event.details in ({}, None) or "code" not in event.details for event in failures)


# --- Rate limits ----------------------------------------------------------------------------


def throttled(db_url: str, tmp_path: Path, name: str, **config: Any) -> Flask:
    """The application with the follow-up limits on, counting from zero."""
    return build_app(
        tmp_path / name,
        db_url,
        RATELIMIT_ENABLED=True,
        # Clients are keyed by a hash under the secret key: a fresh key, fresh counters.
        SECRET_KEY=f"followup-limits-{uuid.uuid4().hex}",
        **config,
    )


def unshared_global_limit(count: int) -> str:
    """An overall limit of ``count`` tries whose counter no other test shares.

    The overall counter's key holds no client, and Flask-Limiter keeps the key prefix of
    the first application it served in the process; but the limit's own text is part of
    the key, so a window of a length nobody else uses gives a counter of its own in Redis.
    """
    return f"{count} per {secrets.randbelow(100_000) + 2} minutes"


@pytest.fixture
def limited_app(db_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The application with the production limits on code entries."""
    application = throttled(db_url, tmp_path, "limited")
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def rate_limit_notice(app: Flask) -> str:
    """What the page says when too many forms came from one place."""
    with app.test_request_context(ENTRY, method="POST", data={"code": "x"}):
        body, _status = rate_limited(None)  # type: ignore[arg-type]
    return alert_text(body)


def test_eleventh_code_in_a_minute_from_one_client_is_refused_kindly(limited_app: Flask) -> None:
    code = send_story(limited_app.test_client())
    guesser = Person(limited_app.test_client(), code)
    with limited_app.app_context():
        wrong = codes.derive_code(codes.new_submission_key())

    statuses = [guesser.enter(wrong).status_code for _ in range(10)]
    eleventh = guesser.enter(code)

    assert statuses == [401] * 10
    assert eleventh.status_code == 429
    assert alert_text(eleventh) == rate_limit_notice(limited_app)
    assert input_value(eleventh, "code") == code  # the form is there, with what was typed
    assert not shows_story(guesser.page())
    # Someone on another connection is not affected.
    elsewhere = Person(limited_app.test_client(), code)
    elsewhere.client.environ_base["REMOTE_ADDR"] = "192.0.2.44"
    assert elsewhere.enter().status_code == 303


@pytest.mark.parametrize("behind_proxy", [False, True], ids=["direct", "behind a proxy"])
def test_the_overall_limit_stops_many_clients_together(
    db_url: str, tmp_path: Path, behind_proxy: bool
) -> None:
    app = throttled(
        db_url,
        tmp_path,
        "global",
        FOLLOWUP_GLOBAL_RATE_LIMIT="5 per minute",
        TRUSTED_PROXY_COUNT=1 if behind_proxy else 0,
    )
    code = send_story(app.test_client())
    with app.app_context():
        wrong = codes.derive_code(codes.new_submission_key())

    statuses = []
    for n in range(7):
        visitor = Person(app.test_client(), code)
        address = f"198.51.100.{n + 1}"
        if behind_proxy:
            visitor.client.environ_base["HTTP_X_FORWARDED_FOR"] = address
        else:
            visitor.client.environ_base["REMOTE_ADDR"] = address
        statuses.append(visitor.enter(wrong if n < 6 else code).status_code)

    assert statuses == [401] * 5 + [429, 429]
    with app.app_context():
        assert len(all_rows(FollowupSession)) == 0
        db.engine.dispose()


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set (CI sets it)")
def test_two_servers_sharing_redis_count_code_entries_together(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "SECRET_KEY": f"followup-redis-{uuid.uuid4().hex}",
        "FOLLOWUP_RATE_LIMIT": "3 per minute",
        "FOLLOWUP_GLOBAL_RATE_LIMIT": unshared_global_limit(5),
    }
    servers = [build_app(tmp_path / f"instance-{n}", db_url, **shared) for n in range(2)]
    code = send_story(servers[0].test_client())
    with servers[0].app_context():
        wrong = codes.derive_code(codes.new_submission_key())
    # One client alternating between two servers: its third try on either is its last.
    same = [Person(app.test_client(), code) for app in servers]
    one_client = [same[n % 2].enter(wrong).status_code for n in range(4)]
    # Other clients: the overall counter (5) is shared too, and 4 tries were already made.
    others = []
    for n in range(2):
        visitor = Person(servers[n % 2].test_client(), code)
        visitor.client.environ_base["REMOTE_ADDR"] = f"203.0.113.{n + 1}"
        others.append(visitor.enter(wrong).status_code)

    assert one_client == [401, 401, 401, 429]
    assert others == [401, 429]
    for app in servers:
        with app.app_context():
            db.engine.dispose()


# --- The session ----------------------------------------------------------------------------


def test_follow_up_closes_30_minutes_after_opening(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    person = person_with_story(app)
    person.open()

    clock.advance(minutes=29, seconds=59)
    assert shows_story(person.page())
    clock.advance(seconds=2)
    closed = person.page()

    assert closed.status_code == 200
    assert not shows_story(closed)
    assert 'name="code"' in closed.get_data(as_text=True)
    assert person.client.get(ENTRY).status_code == 200  # no longer sent on to the story
    assert person.enter().status_code == 303
    assert shows_story(person.page())


def test_leaving_ends_the_session_and_the_old_cookie_opens_nothing(app: Flask) -> None:
    person = person_with_story(app)
    person.open()
    cookie = person.client.get_cookie("session")
    assert cookie is not None

    left = person.send(LEAVE)

    assert left.status_code == 303 and left.headers["Location"] == ENTRY
    assert not shows_story(person.page())
    person.client.set_cookie("session", cookie.value)
    replayed = person.page()
    assert replayed.status_code == 200 and not shows_story(replayed)
    # Replaying the cookie on a form is refused too, and changes nothing.
    assert person.client.post(ANSWER, data={"message": "Encore moi."}).status_code in (400, 401)
    with app.app_context():
        assert all_rows(FollowupSession) == []
        assert all_rows(Message) == []


def test_answer_written_after_the_session_closed_comes_back_once_the_code_is_typed(
    app: Flask, desk: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    person = person_with_story(app, contact="y")
    public_id = public_id_for(app, person.code)
    act(desk, public_id, "prendre")
    act(desk, public_id, "question", question=QUESTION)
    shown = person.open()
    clock.advance(minutes=45)

    late = person.send(ANSWER, shown, message=REPLY)

    assert late.status_code == 401
    assert 'name="code"' in late.get_data(as_text=True)
    kept = hidden_fields(late.get_data(as_text=True))
    assert kept["draft"].replace("\r\n", "\n") == REPLY and kept["draft_for"] == "answer"
    with app.app_context():
        assert [m.sender.value for m in all_rows(Message)] == ["team"]

    back = person.client.post(ENTRY, data={**kept, "code": person.code})

    assert back.status_code == 200
    assert textarea_value(back, "message") == REPLY
    sent = person.send(ANSWER, back, message=textarea_value(back, "message"))
    assert sent.status_code == 303
    with app.app_context():
        assert [m.body for m in all_rows(Message)] == [QUESTION, REPLY]


# --- Where the story stands -----------------------------------------------------------------

ARTICLE = "https://media.example.org/temoignages/parentalite-et-bipolarite"
EXPLANATION = "Votre récit cite trop de lieux précis ; nous préférons ne pas le publier."


def _claim(app: Flask, desk: FlaskClient, public_id: str) -> None:
    assert act(desk, public_id, "prendre").status_code == 303


def _edit(app: Flask, desk: FlaskClient, public_id: str, text: str = "Version relue.") -> None:
    assert act(desk, public_id, "version-publiable", text=text).status_code == 303


def _approve(app: Flask, desk: FlaskClient, public_id: str) -> None:
    _claim(app, desk, public_id)
    _edit(app, desk, public_id)
    assert act(desk, public_id, "approuver").status_code == 303


STEPS: dict[str, tuple[dict[str, str], Callable[[Flask, FlaskClient, str], Any]]] = {
    "received": ({}, lambda app, desk, pid: None),
    "in review": ({}, _claim),
    "a question": (
        {"contact": "y"},
        lambda app, desk, pid: (
            _claim(app, desk, pid),
            act(desk, pid, "question", question=QUESTION),
        ),
    ),
    "rereading": (
        {"edit": "y", "review_edits": "y"},
        lambda app, desk, pid: (
            _claim(app, desk, pid),
            _edit(app, desk, pid),
            send_for_rereading(app, desk, pid),
        ),
    ),
    "approved": ({}, _approve),
    "published": (
        {},
        lambda app, desk, pid: (
            _approve(app, desk, pid),
            act(desk, pid, "publier", url=ARTICLE, published_on="2025-03-14"),
        ),
    ),
    "declined": (
        {},
        lambda app, desk, pid: (
            _claim(app, desk, pid),
            act(desk, pid, "refuser", reason="identifying", explanation=EXPLANATION),
        ),
    ),
    "spam": ({}, lambda app, desk, pid: act(desk, pid, "spam")),
}
EXPECTED = {
    "received": (S.RECEIVED, "Received"),
    "in review": (S.IN_REVIEW, "Being read"),
    "a question": (S.AWAITING_SUBMITTER, "A question for you"),
    "rereading": (S.AWAITING_SUBMITTER, "Your rereading is awaited"),
    "approved": (S.APPROVED, "Approved"),
    "published": (S.PUBLISHED, "Published"),
    "declined": (S.REJECTED, "Not kept"),
    "spam": (S.SPAM, "Not kept"),
}


@pytest.mark.parametrize("state", STEPS, ids=STEPS.keys())
def test_the_person_reads_where_their_story_stands(
    app: Flask, desk: FlaskClient, state: str
) -> None:
    fields, steps = STEPS[state]
    person = person_with_story(app, **fields)
    public_id = public_id_for(app, person.code)
    steps(app, desk, public_id)
    person.client.get("/langue/en")

    page = person.open()

    status, label = EXPECTED[state]
    assert the_story(app, public_id).status == status
    assert status_label(page) == label
    body, text = page.get_data(as_text=True), page_text(page)
    assert (f'href="{ARTICLE}"' in body) == (state == "published")
    reason = str(DECLINE_REASON[DeclineReason.IDENTIFYING])
    assert (reason in text, EXPLANATION in text) == ((state == "declined",) * 2)
    if state == "spam":
        assert "The reason:" not in text
    if state == "a question":
        assert QUESTION in text
    if state == "rereading":
        assert "<ins>" in body or "<del>" in body


def test_the_default_french_page_uses_the_translated_wording(app: Flask) -> None:
    person = person_with_story(app)

    assert status_label(person.open()) == in_french(app, lambda: str(PERSON_STATUS["received"][0]))


def test_a_withdrawn_story_says_so_and_its_code_opens_nothing_more(app: Flask) -> None:
    person = person_with_story(app)
    person.client.get("/langue/en")
    person.open()
    confirm = person.client.get("/suivi/retrait")
    done = person.client.post("/suivi/retrait", data=hidden_fields(confirm.get_data(as_text=True)))

    assert done.status_code == 200
    assert "Your story is withdrawn" in page_text(done)
    assert person.enter().status_code == 401
    assert not shows_story(person.page())


# --- A question and its answer --------------------------------------------------------------


def test_a_question_and_its_answer_bring_the_story_back_to_review(
    app: Flask, desk: FlaskClient
) -> None:
    person = person_with_story(app, contact="y")
    public_id = public_id_for(app, person.code)
    _claim(app, desk, public_id)
    assert act(desk, public_id, "question", question=QUESTION).status_code == 303

    page = person.open()
    assert QUESTION in page_text(page)
    assert the_story(app, public_id).status == S.AWAITING_SUBMITTER

    sent = person.answer(REPLY)

    assert sent.status_code == 303
    assert REPLY.split("\n")[0] in person.text()
    assert the_story(app, public_id).status == S.IN_REVIEW
    team_page = page_text(desk.get(f"/moderation/temoignages/{public_id}"))
    assert "Merci de me l'avoir demandé." in team_page
    (answered,) = events(app, "submission.answered")
    assert answered.actor == "public" and answered.target_id == public_id
    assert answered.details == {"before": "awaiting_submitter", "after": "in_review"}
    with app.app_context():
        assert [(m.sender.value, m.body) for m in all_rows(Message)] == [
            ("team", QUESTION),
            ("submitter", REPLY),
        ]


def test_an_answer_to_an_unclaimed_story_goes_back_to_the_queue(
    app: Flask, desk: FlaskClient
) -> None:
    person = person_with_story(app, contact="y")
    public_id = public_id_for(app, person.code)
    _claim(app, desk, public_id)
    act(desk, public_id, "question", question=QUESTION)
    act(desk, public_id, "liberer")
    person.open()

    assert person.answer(REPLY).status_code == 303

    assert the_story(app, public_id).status == S.RECEIVED


def test_markup_in_the_thread_is_shown_as_text_on_both_sides(app: Flask, desk: FlaskClient) -> None:
    person = person_with_story(app, contact="y")
    public_id = public_id_for(app, person.code)
    _claim(app, desk, public_id)
    act(desk, public_id, "question", question="<b>Question</b> <script>alert(1)</script>")
    person.open()

    person.answer("<img src=x onerror=alert(2)> Réponse & merci")

    for page in (person.page(), desk.get(f"/moderation/temoignages/{public_id}")):
        body = page.get_data(as_text=True)
        assert "<script>alert(1)" not in body and "<img src=x" not in body
        assert "&lt;script&gt;alert(1)" in body and "&lt;img src=x" in body


def test_no_message_can_be_sent_once_the_team_has_decided(app: Flask, desk: FlaskClient) -> None:
    person = person_with_story(app, contact="y")
    public_id = public_id_for(app, person.code)
    shown = person.open()
    _approve(app, desk, public_id)

    late = person.send(ANSWER, shown, message=REPLY)

    assert late.status_code == 409
    assert textarea_value(late, "message") == REPLY
    assert 'action="/suivi/repondre"' not in person.page().get_data(as_text=True)
    with app.app_context():
        assert all_rows(Message) == []
    assert the_story(app, public_id).status == S.APPROVED


# --- Proofreading gates approval ------------------------------------------------------------

ORIGINAL = (
    "Quand ma fille est née, je vivais déjà avec un trouble bipolaire depuis dix ans, à "
    "Saint-Malo. J'avais peur de ne pas être à la hauteur, et j'ai appris à demander de l'aide."
)
FIRST_EDIT = ORIGINAL.replace(", à Saint-Malo", "")
SECOND_EDIT = FIRST_EDIT.replace("J'avais peur", "Je craignais")
INSERTED = re.compile(r"<ins>[^<]*Je craignais[^<]*</ins>")
CHANGES = "Pouvez-vous garder « J'avais peur » ? C'est ma façon de le dire."


def test_rereading_gates_approval_until_the_person_accepts(app: Flask, desk: FlaskClient) -> None:
    person = person_with_story(app, story=ORIGINAL, edit="y", review_edits="y")
    public_id = public_id_for(app, person.code)
    _claim(app, desk, public_id)
    _edit(app, desk, public_id, FIRST_EDIT)

    refused = act(desk, public_id, "approuver")

    assert refused.status_code == 303
    pending = in_french(app, lambda: refusal_message(workflow.ProofreadingPending(public_id)))
    assert pending in page_text(desk.get(refused.headers["Location"]))
    assert the_story(app, public_id).status == S.IN_REVIEW

    send_for_rereading(app, desk, public_id)
    page = person.open()
    assert "<del>, à Saint-Malo</del>" in page.get_data(as_text=True)
    asked = person.ask_changes(CHANGES, page)

    assert asked.status_code == 303
    story = the_story(app, public_id)
    assert (story.status, story.proofreading) == (S.IN_REVIEW, Proofreading.CHANGES_REQUESTED)
    assert "C'est ma façon de le dire." in page_text(
        desk.get(f"/moderation/temoignages/{public_id}")
    )
    assert act(desk, public_id, "approuver").status_code == 303
    assert the_story(app, public_id).status == S.IN_REVIEW

    _edit(app, desk, public_id, SECOND_EDIT)
    send_for_rereading(app, desk, public_id)
    page = person.page()
    assert INSERTED.search(page.get_data(as_text=True))
    assert person.accept(page).status_code == 303
    story = the_story(app, public_id)
    assert (story.status, story.proofreading) == (S.IN_REVIEW, Proofreading.ACCEPTED)

    assert act(desk, public_id, "approuver").status_code == 303
    assert the_story(app, public_id).status == S.APPROVED
    actions = [e.action for e in events_of(app, public_id)]
    assert actions.count("submission.sent_for_rereading") == 2
    assert "submission.rereading_changes_asked" in actions
    assert "submission.rereading_accepted" in actions


def events_of(app: Flask, public_id: str) -> list[AuditEvent]:
    with app.app_context():
        return [e for e in all_rows(AuditEvent) if e.target_id == public_id]


def test_accepting_a_version_the_team_changed_since_is_refused_with_the_new_one(
    app: Flask, desk: FlaskClient
) -> None:
    person = person_with_story(app, story=ORIGINAL, edit="y", review_edits="y")
    public_id = public_id_for(app, person.code)
    _claim(app, desk, public_id)
    _edit(app, desk, public_id, FIRST_EDIT)
    send_for_rereading(app, desk, public_id)
    shown = person.open()
    _edit(app, desk, public_id, SECOND_EDIT)
    before = events_of(app, public_id)

    stale = person.accept(shown)

    assert stale.status_code == 409
    assert INSERTED.search(stale.get_data(as_text=True))
    story = the_story(app, public_id)
    assert (story.status, story.proofreading) == (S.AWAITING_SUBMITTER, Proofreading.REQUESTED)
    assert story.proofread_hash is None
    assert len(events_of(app, public_id)) == len(before)
    # The page now carries the new version: accepting it works, and approval follows.
    assert person.accept(stale).status_code == 303
    assert act(desk, public_id, "approuver").status_code == 303
    assert the_story(app, public_id).status == S.APPROVED


def test_an_edit_after_the_person_accepted_needs_a_new_rereading(
    app: Flask, desk: FlaskClient
) -> None:
    person = person_with_story(app, story=ORIGINAL, edit="y", review_edits="y")
    public_id = public_id_for(app, person.code)
    _claim(app, desk, public_id)
    _edit(app, desk, public_id, FIRST_EDIT)
    send_for_rereading(app, desk, public_id)
    person.open()
    assert person.accept().status_code == 303

    _edit(app, desk, public_id, SECOND_EDIT)
    refused = act(desk, public_id, "approuver")

    pending = in_french(app, lambda: refusal_message(workflow.ProofreadingPending(public_id)))
    assert pending in page_text(desk.get(refused.headers["Location"]))
    assert the_story(app, public_id).status == S.IN_REVIEW


def test_taking_back_the_rereading_wish_lets_the_team_go_on(app: Flask, desk: FlaskClient) -> None:
    person = person_with_story(app, story=ORIGINAL, edit="y", review_edits="y")
    public_id = public_id_for(app, person.code)
    _claim(app, desk, public_id)
    _edit(app, desk, public_id, FIRST_EDIT)
    send_for_rereading(app, desk, public_id)
    person.open()

    assert person.consent("review_edits", granted=False).status_code == 303

    assert 'action="/suivi/relecture"' not in person.page().get_data(as_text=True)
    assert act(desk, public_id, "approuver").status_code == 303
    assert the_story(app, public_id).status == S.APPROVED


def test_a_stale_change_request_keeps_the_comment(app: Flask, desk: FlaskClient) -> None:
    person = person_with_story(app, story=ORIGINAL, edit="y", review_edits="y")
    public_id = public_id_for(app, person.code)
    _claim(app, desk, public_id)
    _edit(app, desk, public_id, FIRST_EDIT)
    send_for_rereading(app, desk, public_id)
    shown = person.open()
    _edit(app, desk, public_id, SECOND_EDIT)

    stale = person.ask_changes(CHANGES, shown)

    assert stale.status_code == 409
    assert textarea_value(stale, "comment") == CHANGES
    with app.app_context():
        assert all_rows(Message) == []


# --- Consents -------------------------------------------------------------------------------


def exported_ids(editor: FlaskClient, use: str) -> set[str]:
    data = export_file(editor, "jsonl", use) or b""
    return {json.loads(line)["public_id"] for line in data.decode().splitlines()}


def test_taking_back_one_use_removes_the_story_from_that_export_at_once(
    app: Flask, desk: FlaskClient, editor: FlaskClient
) -> None:
    person = person_with_story(app, publish_social="y")
    public_id = public_id_for(app, person.code)
    _approve(app, desk, public_id)
    assert public_id in exported_ids(editor, "publish_social")
    granted_at = the_story(app, public_id).consent_for(Purpose.PUBLISH_SOCIAL).decided_at
    person.open()

    response = person.consent("publish_social", granted=False)

    assert response.status_code == 303
    assert public_id not in exported_ids(editor, "publish_social")
    assert public_id in exported_ids(editor, "publish_site")
    assert public_id in exported_ids(editor, "")
    assert export_file(editor, "csv", "publish_social") is None
    story = the_story(app, public_id)
    social = story.consent_for(Purpose.PUBLISH_SOCIAL)
    assert social is not None
    assert (social.granted, social.decided_at) == (False, granted_at)
    assert social.withdrawn_at is not None and social.withdrawn_at >= granted_at
    assert story.status == S.APPROVED
    (event,) = events(app, "consent.withdrawn")
    assert event.details == {"purpose": "publish_social"}
    (line,) = (export_file(editor, "jsonl") or b"").decode().splitlines()
    assert json.loads(line)["uses"] == ["publish_site"]


def test_taking_back_the_last_use_sends_an_approved_story_back_to_review(
    app: Flask, desk: FlaskClient, editor: FlaskClient
) -> None:
    person = person_with_story(app)
    public_id = public_id_for(app, person.code)
    _approve(app, desk, public_id)
    person.open()

    assert person.consent("publish_site", granted=False).status_code == 303

    assert the_story(app, public_id).status == S.IN_REVIEW
    assert exported_ids(editor, "") == set()
    assert [e.details["after"] for e in events(app, "submission.approval_lifted")] == ["in_review"]


def test_taking_back_contact_erases_the_email(app: Flask) -> None:
    person = person_with_story(app, contact="y", email="plume.exemple@example.org")
    public_id = public_id_for(app, person.code)
    assert the_story(app, public_id).email == "plume.exemple@example.org"
    person.open()

    assert person.consent("contact", granted=False).status_code == 303

    story = the_story(app, public_id)
    assert story.email is None
    assert story.consent_for(Purpose.CONTACT).granted is False
    assert "plume.exemple" not in json.dumps([e.details for e in events(app, "consent.withdrawn")])


def test_giving_a_use_back_records_when_and_under_which_wording(app: Flask) -> None:
    person = person_with_story(app)
    public_id = public_id_for(app, person.code)
    person.open()

    assert person.consent("publish_audio", granted=True).status_code == 303
    assert person.consent("publish_audio", granted=False).status_code == 303
    assert person.consent("publish_audio", granted=True).status_code == 303

    audio = the_story(app, public_id).consent_for(Purpose.PUBLISH_AUDIO)
    assert audio is not None and audio.granted and audio.withdrawn_at is None
    with app.app_context():
        row = db.session.get(Consent, audio.id)
        assert row is not None and row.wording_hash == wording_hash(row.wording.text)
    assert [e.action for e in events_of(app, public_id) if e.action.startswith("consent.")] == [
        "consent.given",
        "consent.withdrawn",
        "consent.given",
    ]


def test_agreeing_to_a_use_never_given_is_not_agreeing_again(app: Flask) -> None:
    person = person_with_story(app, publish_site="y", publish_social=None)
    person.open()

    buttons = _consent_buttons(person)
    assert buttons["Extraits sur les réseaux sociaux"] == "Donner mon accord"
    assert buttons["Article sur le site"] == "Retirer mon accord"

    person.consent("publish_site", granted=False)
    assert _consent_buttons(person)["Article sur le site"] == "Donner à nouveau mon accord"
    person.consent("publish_social", granted=True)
    person.consent("publish_social", granted=False)
    assert _consent_buttons(person)["Extraits sur les réseaux sociaux"] == (
        "Donner à nouveau mon accord"
    )


def _consent_buttons(person: Person) -> dict[str, str]:
    """The button of each use on the follow-up page, by the use it names (for screen readers)."""
    page = person.page().get_data(as_text=True)
    buttons = re.findall(
        r'<button[^>]*>([^<]*)<span class="visually-hidden"> : ([^<]*)</span></button>', page
    )
    return {" ".join(use.split()).replace("&#39;", "'"): label.strip() for label, use in buttons}


# --- Download my data -----------------------------------------------------------------------


def test_my_data_holds_the_story_answers_credit_consents_messages_and_history(
    app: Flask, desk: FlaskClient
) -> None:
    with app.app_context():
        call = make_call(
            questions=[
                question("Vous écrivez en tant que…", QuestionKind.SHORT_TEXT, position=0),
                question(
                    "Vos ressources",
                    QuestionKind.MULTIPLE_CHOICE,
                    choices=["Amis", "Soignants"],
                    position=1,
                ),
            ]
        )
        first, second = (q.id for q in call.questions)
    person = person_with_story(
        app,
        url="/appels/parentalite",
        credit_mode="pseudonym",
        credit_name="Plume",
        contact="y",
        email="plume.exemple@example.org",
        publish_social="y",
        **{f"q_{first}": "Parent", f"q_{second}": ["Amis", "Soignants"]},
    )
    public_id = public_id_for(app, person.code)
    _claim(app, desk, public_id)
    act(desk, public_id, "question", question=QUESTION)
    act(desk, public_id, "notes", note="Note interne à ne pas montrer.")
    person.open()
    person.answer(REPLY)
    person.consent("publish_social", granted=False)
    page = person.page()

    response = person.client.post(DOWNLOAD, data=form_fields(page.get_data(as_text=True), DOWNLOAD))

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    document = json.loads(response.get_data())
    assert document["story"]["text"].startswith("Quand ma fille est née")
    assert document["story"]["call"] == "Parentalité et troubles psychiques"
    assert document["answers"] == [
        {"question": "Vous écrivez en tant que…", "answer": "Parent"},
        {"question": "Vos ressources", "answer": ["Amis", "Soignants"]},
    ]
    assert document["credit"] == {"mode": "pseudonym", "name": "Plume"}
    assert document["email"] == "plume.exemple@example.org"
    consents = {c["purpose"]: c for c in document["consents"]}
    assert set(consents) == {p.value for p in Purpose}
    for consent in consents.values():
        assert consent["wording_sha256"] == wording_hash(consent["wording"])
        datetime.fromisoformat(consent["decided_at"])
    assert consents["publish_social"]["granted"] is False
    assert consents["publish_social"]["withdrawn_at"] is not None
    assert consents["contact"]["granted"] is True and consents["contact"]["withdrawn_at"] is None
    assert [(m["from"], m["text"]) for m in document["messages"]] == [
        ("team", QUESTION),
        ("you", REPLY),
    ]
    history = document["status"]["history"]
    assert (history[0]["event"], history[0]["by"]) == (
        in_french(app, lambda: str(ACTIONS["submission.received"])),
        "you",
    )
    moves = [(h["by"], h["status"]) for h in history if h["status"]]
    assert moves == [
        ("you", "received"),
        ("team", "in_review"),
        ("team", "awaiting_submitter"),
        ("you", "in_review"),
    ]
    assert document["status"]["current"] == "in_review"
    assert "Note interne" not in response.get_data(as_text=True)
    assert "moderatrice" not in response.get_data(as_text=True)
    assert events(app, "followup.downloaded")[0].details == {}


# --- Bad input on every follow-up form ------------------------------------------------------


@pytest.fixture
def asked(app: Flask, desk: FlaskClient) -> tuple[Person, str]:
    """A person whose story holds a question, their follow-up open."""
    person = person_with_story(app, contact="y")
    public_id = public_id_for(app, person.code)
    _claim(app, desk, public_id)
    act(desk, public_id, "question", question=QUESTION)
    person.open()
    return person, public_id


@pytest.fixture
def rereading(app: Flask, desk: FlaskClient) -> tuple[Person, str]:
    """A person asked to reread the edited version, their follow-up open."""
    person = person_with_story(app, story=ORIGINAL, edit="y", review_edits="y")
    public_id = public_id_for(app, person.code)
    _claim(app, desk, public_id)
    _edit(app, desk, public_id, FIRST_EDIT)
    send_for_rereading(app, desk, public_id)
    person.open()
    return person, public_id


def _token_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    later = time.time() + 9 * 3600
    monkeypatch.setattr(time, "time", lambda: later)


@pytest.mark.parametrize("token", ["missing", "expired"])
def test_an_answer_sent_without_a_valid_token_is_kept(
    app: Flask, asked: tuple[Person, str], monkeypatch: pytest.MonkeyPatch, token: str
) -> None:
    person, public_id = asked
    data = form_fields(person.page().get_data(as_text=True), ANSWER)
    if token == "missing":
        del data["csrf_token"]
    else:
        _token_expires(monkeypatch)

    response = person.client.post(ANSWER, data={**data, "message": REPLY})

    assert response.status_code == 400
    assert textarea_value(response, "message") == REPLY
    assert alert_text(response)
    with app.app_context():
        assert [m.sender.value for m in all_rows(Message)] == ["team"]
    assert the_story(app, public_id).status == S.AWAITING_SUBMITTER
    again = person.send(ANSWER, response, message=textarea_value(response, "message"))
    assert again.status_code == 303


@pytest.mark.parametrize("token", ["missing", "expired"])
def test_a_change_request_sent_without_a_valid_token_is_kept(
    app: Flask, rereading: tuple[Person, str], monkeypatch: pytest.MonkeyPatch, token: str
) -> None:
    person, public_id = rereading
    data = form_fields(person.page().get_data(as_text=True), REREAD)
    if token == "missing":
        del data["csrf_token"]
    else:
        _token_expires(monkeypatch)

    response = person.client.post(REREAD, data={**data, "ask_changes": "1", "comment": CHANGES})

    assert response.status_code == 400
    assert textarea_value(response, "comment") == CHANGES
    story = the_story(app, public_id)
    assert (story.status, story.proofreading) == (S.AWAITING_SUBMITTER, Proofreading.REQUESTED)
    assert person.ask_changes(textarea_value(response, "comment"), response).status_code == 303


def test_the_code_form_without_a_valid_token_keeps_the_code(app: Flask) -> None:
    person = person_with_story(app)
    response = person.client.post(ENTRY, data={"code": person.code})
    assert response.status_code == 400
    assert input_value(response, "code") == person.code
    assert person.enter(input_value(response, "code")).status_code == 303


@pytest.mark.parametrize(
    ("message", "kept"),
    [("", ""), ("   \n  ", None), ("x" * 5_001, "x" * 5_001)],
    ids=["empty", "blank", "5,001 characters"],
)
def test_an_empty_or_too_long_answer_is_refused_with_a_message(
    app: Flask, asked: tuple[Person, str], message: str, kept: str | None
) -> None:
    person, public_id = asked

    response = person.answer(message)

    assert response.status_code == 422
    assert alert_text(response) or "field-error" in response.get_data(as_text=True)
    assert 'class="field-error"' in response.get_data(as_text=True)
    if kept is not None:
        assert textarea_value(response, "message") == kept
    with app.app_context():
        assert [m.sender.value for m in all_rows(Message)] == ["team"]
    assert the_story(app, public_id).status == S.AWAITING_SUBMITTER


def test_an_answer_of_exactly_5000_characters_is_sent(
    app: Flask, asked: tuple[Person, str]
) -> None:
    person, _public_id = asked
    assert person.answer("é" * 5_000).status_code == 303


def test_asking_for_changes_without_saying_which_is_refused(
    app: Flask, rereading: tuple[Person, str]
) -> None:
    person, public_id = rereading
    response = person.ask_changes("")
    assert response.status_code == 422
    assert 'class="field-error"' in response.get_data(as_text=True)
    assert the_story(app, public_id).proofreading == Proofreading.REQUESTED


def test_a_rereading_decision_without_the_version_shown_changes_nothing(
    app: Flask, rereading: tuple[Person, str]
) -> None:
    person, public_id = rereading
    data = form_fields(person.page().get_data(as_text=True), REREAD)
    for fingerprint in ("", "0" * 64):
        response = person.client.post(
            REREAD, data={**data, "fingerprint": fingerprint, "accept": "1"}
        )
        assert 400 <= response.status_code < 500
    story = the_story(app, public_id)
    assert (story.status, story.proofreading) == (S.AWAITING_SUBMITTER, Proofreading.REQUESTED)


BAD_CONSENTS = {
    "unknown purpose": {"purpose": "publish_moon", "granted": "0"},
    "required purpose": {"purpose": "health_data", "granted": "0"},
    "age attestation": {"purpose": "age", "granted": "0"},
    "not asked by the call": {"purpose": "publish_audio", "granted": "1"},
    "odd value": {"purpose": "publish_site", "granted": "maybe"},
    "nothing": {},
}


@pytest.mark.parametrize("change", BAD_CONSENTS.values(), ids=BAD_CONSENTS.keys())
def test_a_consent_the_form_did_not_offer_cannot_be_changed(
    app: Flask, change: dict[str, str]
) -> None:
    with app.app_context():
        make_call(publication_uses=["publish_site"])
    person = person_with_story(app, url="/appels/parentalite")
    public_id = public_id_for(app, person.code)
    page = person.open()
    before = [(c.purpose, c.granted, c.withdrawn_at) for c in the_story(app, public_id).consents]
    assert 'value="publish_audio"' not in page.get_data(as_text=True)
    token = {"csrf_token": hidden_fields(page.get_data(as_text=True))["csrf_token"]}

    response = person.client.post(CONSENTS, data={**token, **change})

    assert 400 <= response.status_code < 500
    after = [(c.purpose, c.granted, c.withdrawn_at) for c in the_story(app, public_id).consents]
    assert after == before
    assert [e for e in events_of(app, public_id) if e.action.startswith("consent.")] == []


def test_a_consent_whose_call_no_longer_offers_it_can_still_be_changed(app: Flask) -> None:
    """Agreeing again is to the sentence the page shows: the one agreed to at first."""
    with app.app_context():
        call = make_call(publication_uses=["publish_site", "publish_social"])
    person = person_with_story(app, url="/appels/parentalite", publish_social="y")
    public_id = public_id_for(app, person.code)
    with app.app_context():
        db.session.add(call)
        call.publication_uses = ["publish_site"]
        db.session.commit()
    person.open()
    first = the_story(app, public_id).consent_for(Purpose.PUBLISH_SOCIAL)
    assert first is not None
    first_wording = first.wording_hash

    assert person.consent("publish_social", granted=False).status_code == 303
    again = person.consent("publish_social", granted=True)

    assert again.status_code == 303
    social = the_story(app, public_id).consent_for(Purpose.PUBLISH_SOCIAL)
    assert social is not None and social.granted is True and social.withdrawn_at is None
    assert social.wording_hash == first_wording


@pytest.mark.parametrize("url", [ANSWER, REREAD, CONSENTS, DOWNLOAD, LEAVE, "/suivi/retrait"])
def test_follow_up_forms_without_a_session_show_the_code_form(app: Flask, url: str) -> None:
    person = person_with_story(app)
    token = hidden_fields(person.client.get(ENTRY).get_data(as_text=True))["csrf_token"]
    response = person.client.post(url, data={"csrf_token": token, "message": "Bonjour."})
    assert response.status_code in (303, 401)
    if response.status_code == 401:
        assert 'name="code"' in response.get_data(as_text=True)
    assert person.client.get(url).status_code in (200, 405)
    with app.app_context():
        assert all_rows(Message) == []
        assert len(all_rows(Submission)) == 1
