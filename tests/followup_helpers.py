"""Builders for the follow-up tests: a person who sends a story, keeps the code, and comes back."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from intake import codes, workflow
from intake.extensions import db
from intake.models import AuditEvent, Proofreading, Submission, User, utcnow
from tests.helpers import FormPage, filled_testimony, hidden_fields, page_text, receipt_code
from tests.review_helpers import act

ENTRY = "/suivi"
STORY_PAGE = "/suivi/temoignage"
ANSWER = "/suivi/repondre"
REREAD = "/suivi/relecture"
CONSENTS = "/suivi/consentements"
DOWNLOAD = "/suivi/donnees"
WITHDRAW = "/suivi/retrait"
LEAVE = "/suivi/quitter"
STATUS_LABEL = re.compile(r'<span class="status-label">([^<]*)</span>')


def send_story(client: FlaskClient, url: str = "/temoigner", **fields: Any) -> str:
    """Send a story through the public form; the code the thank-you page shows."""
    response = FormPage(client).send(url, filled_testimony(**fields))
    assert response.status_code == 303, response.status_code
    code = receipt_code(client.get("/merci").get_data(as_text=True))
    assert code, "the thank-you page shows no code"
    return code


def person_with_story(app: Flask, **fields: Any) -> Person:
    """Someone who sent a story from one browser and follows it from another; they agree to
    edits unless ``edit=None`` says otherwise, so that the team may rewrite it."""
    code = send_story(app.test_client(), **{"edit": "y", **fields})
    return Person(app.test_client(), code)


def events(app: Flask, action: str) -> list[AuditEvent]:
    """The audit events of one kind, oldest first."""
    with app.app_context():
        db.session.expire_all()
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        return list(db.session.scalars(query))


def public_id_for(app: Flask, code: str) -> str:
    """The public id of the story a code opens (as the team sees it in the queue)."""
    with app.app_context():
        found = db.session.scalar(
            select(Submission.public_id).where(Submission.receipt_hash == codes.hash_code(code))
        )
    assert found is not None
    return found


def stored(public_id: str) -> Submission | None:
    """A submission as the database holds it now (inside an app context)."""
    db.session.expire_all()
    return db.session.scalar(select(Submission).where(Submission.public_id == public_id))


def form_fields(page: str, action: str, **having: str) -> dict[str, str]:
    """The hidden fields of the form posting to ``action`` (with these hidden values)."""
    for match in re.finditer(
        rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', page, re.S
    ):
        fields = hidden_fields(match.group(1))
        if all(fields.get(name) == value for name, value in having.items()):
            return fields
    raise AssertionError(f"no form posting to {action} with {having}")


def status_label(response: TestResponse) -> str:
    """The status the follow-up page shows, in words."""
    match = STATUS_LABEL.search(response.get_data(as_text=True))
    assert match, "the page shows no status"
    return html.unescape(match.group(1)).strip()


def alert_text(page: TestResponse | str) -> str:
    """The text of the page's alert, as a screen reader announces it."""
    body = page if isinstance(page, str) else page.get_data(as_text=True)
    match = re.search(r'<(\w+)[^>]*role="alert"[^>]*>(.*?)</\1>', body, re.S)
    assert match, "the page shows no alert"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(2))).split())


def input_value(response: TestResponse, name: str) -> str:
    """The value a text input shows."""
    for tag in re.findall(r"<input[^>]*>", response.get_data(as_text=True)):
        if f'name="{name}"' in tag:
            value = re.search(r'value="([^"]*)"', tag)
            return html.unescape(value.group(1)) if value else ""
    raise AssertionError(f"no input {name}")


@dataclass
class Person:
    """Someone with their code, on their own browser."""

    client: FlaskClient
    code: str

    def enter(self, typed: str | None = None, **extra: str) -> TestResponse:
        """Type the code (or another text) on /suivi and send it."""
        fields = hidden_fields(self.client.get(ENTRY).get_data(as_text=True))
        data = {**fields, "code": self.code if typed is None else typed, **extra}
        return self.client.post(ENTRY, data=data)

    def open(self) -> TestResponse:
        """Enter the code and land on the story page."""
        response = self.enter()
        assert response.status_code == 303, response.status_code
        page = self.client.get(STORY_PAGE)
        assert page.status_code == 200, page.status_code
        return page

    def page(self) -> TestResponse:
        return self.client.get(STORY_PAGE)

    def send(self, action: str, page: TestResponse | None = None, **data: str) -> TestResponse:
        """Press a button of the story page (as shown now, or as shown earlier)."""
        shown = (page or self.page()).get_data(as_text=True)
        having = {k: v for k, v in data.items() if k in ("purpose", "granted")}
        return self.client.post(action, data={**form_fields(shown, action, **having), **data})

    def answer(self, message: str) -> TestResponse:
        return self.send(ANSWER, message=message)

    def consent(self, purpose: str, granted: bool) -> TestResponse:
        return self.send(CONSENTS, purpose=purpose, granted="1" if granted else "0")

    def accept(self, page: TestResponse | None = None) -> TestResponse:
        return self.send(REREAD, page, accept="1")

    def ask_changes(self, comment: str, page: TestResponse | None = None) -> TestResponse:
        return self.send(REREAD, page, ask_changes="1", comment=comment)

    def text(self) -> str:
        return page_text(self.page())


class Clock:
    """The time the follow-up views read, moved by hand."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = utcnow()
        monkeypatch.setattr("intake.public.followup.utcnow", lambda: self.now)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def send_for_rereading(app: Flask, team: FlaskClient, public_id: str) -> str:
    """The moderator sends the publishable version to the person: through the page if the
    route exists yet, through the workflow otherwise. Which one was used, for the report."""
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    if "/moderation/temoignages/<public_id>/relecture" in rules:
        response = act(team, public_id, "relecture")
        assert response.status_code == 303, response.status_code
        with app.app_context():
            sent = stored(public_id)
            assert sent is not None and sent.proofreading == Proofreading.REQUESTED
        return "page"
    with app.test_request_context(method="POST"):
        found = stored(public_id)
        assert found is not None and found.assignee_id is not None
        moderator = db.session.get(User, found.assignee_id)
        assert moderator is not None
        workflow.send_for_rereading(found, moderator, found.version)
        db.session.commit()
    return "workflow"


EXPORTS = "/moderation/exports"
EXPORT_DOWNLOAD = "/moderation/exports/telecharger"
EXPORT_FORMATS = ("csv", "jsonl", "md", "docx", "wxr")


def export_file(editor: FlaskClient, fmt: str, use: str = "") -> bytes | None:
    """Count with a use filter, then download the export, as an editor does; None when no
    story matches (the page then offers no download)."""
    page = editor.get(f"{EXPORTS}?use={use}" if use else EXPORTS)
    assert page.status_code == 200, page.status_code
    if f'action="{EXPORT_DOWNLOAD}"' not in page.get_data(as_text=True):
        assert re.search(r'id="export-count"[^>]*>\s*0\b', page.get_data(as_text=True))
        return None
    fields = form_fields(page.get_data(as_text=True), EXPORT_DOWNLOAD)
    response = editor.post(EXPORT_DOWNLOAD, data={**fields, "format": fmt})
    assert response.status_code == 200, response.status_code
    return response.get_data()


def export_text(fmt: str, data: bytes) -> str:
    """Everything an export file says, as its reader would see it (archives opened)."""
    import io
    import zipfile

    from docx import Document

    if fmt == "docx":
        document = Document(io.BytesIO(data))
        return "\n".join(paragraph.text for paragraph in document.paragraphs)
    if fmt == "md":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(name).decode() for name in archive.namelist())
    return data.decode("utf-8-sig")


def shows_story(response: TestResponse) -> bool:
    """Whether the page is the follow-up of a story (not the code form)."""
    return STATUS_LABEL.search(response.get_data(as_text=True)) is not None
