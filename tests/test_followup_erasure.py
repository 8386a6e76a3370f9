"""A person withdraws their story with the code: two requests, then nothing of it is left in
the database, on disk (SQLite file and WAL), in any export or in the logs."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import uuid
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from intake.extensions import db
from intake.models import (
    Answer,
    AuditEvent,
    Consent,
    FollowupSession,
    Message,
    Note,
    QuestionKind,
    Submission,
)
from tests.followup_helpers import (
    EXPORT_FORMATS,
    STORY_PAGE,
    WITHDRAW,
    events,
    export_file,
    export_text,
    person_with_story,
    public_id_for,
    send_story,
    shows_story,
)
from tests.helpers import hidden_fields, iter_bytes, make_call, question
from tests.review_helpers import act

PADDING = " Puis la maison, le jardin, les enfants, le travail, la fatigue, le printemps revenu."
CONTROL_STORY = "CONTROL-STORY une autre histoire, qui reste publiée sur le site."


def canary(label: str) -> str:
    """A marker nobody else could have typed."""
    return f"{label}{uuid.uuid4().hex}"


def database_file(app: Flask) -> Path | None:
    """The SQLite file the application writes to, or None on PostgreSQL."""
    url = str(app.config["SQLALCHEMY_DATABASE_URI"])
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def on_disk(path: Path) -> bytes:
    """The raw bytes of the database file and its WAL (and rollback journal, if any)."""
    return b"".join(iter_bytes(path))


ENCRYPTED_COLUMNS = {
    "submission": ("id", ("story", "publishable_text", "credit_name", "email")),
    "message": ("submission_id", ("body",)),
    "note": ("submission_id", ("body",)),
    "answer": ("submission_id", ("value",)),
}


def ciphertexts(path: Path, submission_id: int) -> dict[str, bytes]:
    """The encrypted bytes the database holds for one submission, read as stored."""
    found: dict[str, bytes] = {}
    connection = sqlite3.connect(path)
    try:
        for table, (key, columns) in ENCRYPTED_COLUMNS.items():
            query = f"SELECT {', '.join(columns)} FROM {table} WHERE {key} = ?"  # noqa: S608
            for row_number, row in enumerate(connection.execute(query, (submission_id,))):
                for column, value in zip(columns, row, strict=True):
                    if value is not None:
                        found[f"{table}.{column}#{row_number}"] = bytes(value)
    finally:
        connection.close()
    return found


def rows_about(submission_id: int) -> dict[str, int]:
    """How many rows of each table still point at a submission."""
    counts = {"submission": select(func.count()).where(Submission.id == submission_id)}
    for model in (Answer, Consent, Message, Note, FollowupSession):
        counts[model.__tablename__] = select(func.count()).where(
            model.submission_id == submission_id
        )
    return {table: db.session.scalar(query) or 0 for table, query in counts.items()}


def every_export(editor: FlaskClient) -> dict[str, str]:
    """The text of every export format, for any use, as an editor downloads it."""
    texts = {}
    for fmt in EXPORT_FORMATS:
        data = export_file(editor, fmt)
        assert data is not None, "the control story keeps every export non-empty"
        texts[fmt] = export_text(fmt, data)
    return texts


def approve_through_pages(desk: FlaskClient, public_id: str, text: str) -> None:
    for action, data in (
        ("prendre", {}),
        ("version-publiable", {"text": text}),
        ("approuver", {}),
    ):
        assert act(desk, public_id, action, **data).status_code == 303, action


def test_withdrawing_leaves_nothing_of_the_story_anywhere(
    app: Flask,
    desk: FlaskClient,
    editor: FlaskClient,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hear_every_logger(monkeypatch)
    caplog.set_level(logging.DEBUG)
    story, answer, name = canary("CANARY-STORY-"), canary("CANARY-ANSWER-"), canary("CanaryName")
    email = f"{canary('canary.mail.')}@example.org"
    note, team_question, reply = (
        canary("CANARY-NOTE-"),
        canary("CANARY-QUESTION-"),
        canary("CANARY-REPLY-"),
    )
    edited = f"{story} (version relue){PADDING}"
    with app.app_context():
        call = make_call(
            questions=[question("Ce qui vous a aidé", QuestionKind.LONG_TEXT, publishable=True)]
        )
        (asked,) = (q.id for q in call.questions)

    control = public_id_for(
        app, send_story(app.test_client(), story=CONTROL_STORY + PADDING, edit="y")
    )
    approve_through_pages(desk, control, CONTROL_STORY)
    person = person_with_story(
        app,
        url="/appels/parentalite",
        story=story + PADDING,
        credit_mode="pseudonym",
        credit_name=name,
        email=email,
        contact="y",
        publish_social="y",
        **{f"q_{asked}": answer},
    )
    public_id = public_id_for(app, person.code)
    assert act(desk, public_id, "prendre").status_code == 303
    assert act(desk, public_id, "notes", note=note).status_code == 303
    assert act(desk, public_id, "question", question=team_question).status_code == 303
    person.open()
    assert person.answer(reply).status_code == 303
    assert act(desk, public_id, "version-publiable", text=edited).status_code == 303
    assert act(desk, public_id, "approuver").status_code == 303
    secrets = [story, answer, name, email, note, team_question, reply, person.code]

    # Positive controls: the story is in every export, and its ciphertext is on disk.
    before = every_export(editor)
    for fmt, text in before.items():
        assert story in text and CONTROL_STORY in text, fmt
    with app.app_context():
        submission_id = db.session.scalar(
            select(Submission.id).where(Submission.public_id == public_id)
        )
        assert submission_id is not None
        assert all(rows_about(submission_id).values())
    path = database_file(app)
    stored: dict[str, bytes] = {}
    if path is not None:
        stored = ciphertexts(path, submission_id)
        assert {"submission.story#0", "submission.email#0", "message.body#1"} <= set(stored)
        written = on_disk(path)
        assert [where for where, blob in stored.items() if blob not in written] == []

    # The two requests after the code: the confirmation, then the erasure.
    page = person.page()
    assert f'href="{WITHDRAW}"' in page.get_data(as_text=True)
    confirmation = person.client.get(WITHDRAW)
    assert confirmation.status_code == 200
    form = confirmation.get_data(as_text=True)
    assert set(hidden_fields(form)) == {"csrf_token"}
    assert not re.search(r"<(textarea|select)|<input(?![^>]*hidden)", form)
    done = person.client.post(WITHDRAW, data=hidden_fields(form))
    assert done.status_code == 200
    assert "data-clear-drafts" in done.get_data(as_text=True)

    # Nothing of it in the tables; a trace without content in the audit trail.
    with app.app_context():
        assert rows_about(submission_id) == dict.fromkeys(
            ("submission", "answer", "consent", "message", "note", "followup_session"), 0
        )
        trail = db.session.execute(select(AuditEvent.__table__)).all()
    (withdrawn,) = events(app, "submission.withdrawn")
    assert (withdrawn.actor, withdrawn.target_id) == ("public", public_id)
    assert withdrawn.details == {"before": "approved", "after": "withdrawn"}
    dumped = json.dumps([[str(value) for value in row] for row in trail], ensure_ascii=False)
    assert [s for s in secrets if s.lower() in dumped.lower()] == []

    # Nothing of it on disk: neither the text nor the very bytes that were stored.
    if path is not None:
        written = on_disk(path)
        assert [s for s in secrets if s.encode() in written] == []
        assert [where for where, blob in stored.items() if blob in written] == []
        wal = Path(f"{path}-wal")
        assert not wal.exists() or stored_nowhere(stored, wal.read_bytes())

    # Nothing of it in any export; the other story is still there.
    after = every_export(editor)
    for fmt, text in after.items():
        assert CONTROL_STORY in text, fmt
        assert [s for s in secrets if s in text] == [], fmt

    # The code opens nothing any more.
    assert person.enter().status_code == 401
    assert not shows_story(person.client.get(STORY_PAGE))

    # Nothing of it in the logs or on the console (where development mail is printed).
    output = capfd.readouterr()
    logs = caplog.text + output.out + output.err
    assert caplog.records, "the capture sees the application's logs"
    assert [s for s in secrets if s.lower() in logs.lower()] == []
    # The mails the story caused (to the team, and to the person) said nothing of it either.
    mails = getattr(app.extensions["mailman"], "outbox", [])
    assert mails, "the person and the team were told of news"
    words = "".join(
        f"{m.subject}{m.body}{''.join(str(a[0]) for a in m.alternatives)}" for m in mails
    )
    assert [s for s in secrets if s.lower() in words.lower()] == []


def hear_every_logger(monkeypatch: pytest.MonkeyPatch) -> None:
    """Turn back on the loggers that Alembic's fileConfig switched off.

    The PostgreSQL schema is migrated in this process when its first test starts, and
    migrations/env.py calls logging.config.fileConfig, which disables every logger that
    exists by then, the application's included: without this, the log check would pass
    because nothing is logged at all.
    """
    for logger in logging.root.manager.loggerDict.values():
        if isinstance(logger, logging.Logger) and logger.disabled:
            monkeypatch.setattr(logger, "disabled", False)


def stored_nowhere(stored: dict[str, bytes], data: bytes) -> bool:
    return all(blob not in data for blob in stored.values())


@pytest.mark.parametrize("state", ["received", "awaiting_submitter", "published"])
def test_a_story_can_be_withdrawn_from_any_state(app: Flask, desk: FlaskClient, state: str) -> None:
    person = person_with_story(app, contact="y")
    public_id = public_id_for(app, person.code)
    if state == "awaiting_submitter":
        act(desk, public_id, "prendre")
        act(desk, public_id, "question", question="Une question ?")
    if state == "published":
        approve_through_pages(desk, public_id, "Version relue.")
        act(desk, public_id, "publier", url="https://example.org/a", published_on="2025-01-02")
    person.open()
    confirmation = person.client.get(WITHDRAW)

    done = person.client.post(WITHDRAW, data=hidden_fields(confirmation.get_data(as_text=True)))

    assert done.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 0
    (withdrawn,) = events(app, "submission.withdrawn")
    # A published article must come down: its address (the media's, not the person's words)
    # stays in the trace so that the team can find it.
    taken_down = {"published_url": "https://example.org/a"} if state == "published" else {}
    assert withdrawn.details == {"before": state, "after": "withdrawn", **taken_down}


def test_withdrawal_needs_the_confirmation_form(app: Flask) -> None:
    person = person_with_story(app)
    person.open()

    refused = person.client.post(WITHDRAW, data={})

    assert 400 <= refused.status_code < 500
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
    assert events(app, "submission.withdrawn") == []
