"""Small builders shared by the tests: open a form, fill it, read what a person sees."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from intake.extensions import db
from intake.models import Call, CallQuestion, CallStatus, Purpose, QuestionKind, utcnow

# The keys every test application and test server runs with (never used anywhere else).
TEST_SECRET_KEY = "test-secret-key-not-for-production"
TEST_DATA_KEY = base64.urlsafe_b64encode(b"k" * 32).decode()

HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*>')
ATTRIBUTE = re.compile(r'(\w[\w-]*)="([^"]*)"')

STORY = (
    "Quand ma fille est née, je vivais déjà avec un trouble bipolaire depuis dix ans. "
    "J'avais peur de ne pas être à la hauteur, et j'ai appris à demander de l'aide."
)


def hidden_fields(page: str) -> dict[str, str]:
    """The hidden inputs of a page, by name."""
    fields = {}
    for tag in HIDDEN.findall(page):
        attributes = dict(ATTRIBUTE.findall(tag))
        fields[attributes["name"]] = html.unescape(attributes.get("value", ""))
    return fields


def checked_boxes(page: str) -> set[tuple[str, str]]:
    """The (name, value) of every ticked box and radio button on a page."""
    ticked = set()
    for tag in re.findall(r"<input[^>]*>", page):
        attributes = dict(ATTRIBUTE.findall(tag))
        if re.search(r"\schecked[\s>]", tag):
            ticked.add((attributes["name"], html.unescape(attributes.get("value", ""))))
    return ticked


def filled_testimony(**overrides: Any) -> dict[str, Any]:
    """A complete, valid testimony, with any field replaced."""
    data: dict[str, Any] = {
        "story": STORY,
        "credit_mode": "anonymous",
        "credit_name": "",
        "email": "",
        "age": "y",
        "health_data": "y",
        "publish_site": "y",
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def filled_contact(**overrides: Any) -> dict[str, Any]:
    """A complete, valid contact message, with any field replaced."""
    data: dict[str, Any] = {
        "name": "Camille Exemple",
        "email": "camille@example.org",
        "topic": "volunteer",
        "message": "Bonjour, je voudrais aider l'association comme bénévole le week-end.",
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@dataclass
class FormPage:
    """Open a form like a browser does, then send it with its hidden fields."""

    client: FlaskClient

    def open(self, url: str) -> dict[str, str]:
        response = self.client.get(url)
        assert response.status_code == 200, response.status_code
        return hidden_fields(response.get_data(as_text=True))

    def send(self, url: str, data: dict[str, Any], **kwargs: Any) -> TestResponse:
        return self.client.post(url, data={**self.open(url), **data}, **kwargs)


def page_text(response: TestResponse) -> str:
    """The text of a page as a person reads it (tags removed, entities decoded)."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def textarea_value(response: TestResponse, name: str) -> str:
    """What a textarea shows after the page is rendered."""
    match = re.search(
        rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', response.get_data(as_text=True), re.S
    )
    assert match, f"no textarea {name}"
    # Jinja/WTForms put a newline after the opening tag, which browsers drop.
    return html.unescape(match.group(1)).removeprefix("\n").removeprefix("\r\n")


def make_call(**fields: Any) -> Call:
    """An open call, committed, with any field replaced."""
    values: dict[str, Any] = {
        "slug": "parentalite",
        "title": "Parentalité et troubles psychiques",
        "summary": "Être parent avec un trouble psychique.",
        "body_markdown": "Racontez-nous **votre** histoire.",
        "status": CallStatus.OPEN,
        "publication_uses": [p.value for p in Purpose.publication()],
    }
    values.update(fields)
    call = Call(**values)
    db.session.add(call)
    db.session.commit()
    return call


def question(label: str, kind: QuestionKind, **fields: Any) -> CallQuestion:
    """A question to attach to a call."""
    return CallQuestion(label=label, kind=kind, **fields)


def all_rows(model: type[Any]) -> list[Any]:
    """Every row of a table, read back through the ORM (decrypted)."""
    db.session.expire_all()
    return list(db.session.scalars(select(model)))


def iter_bytes(path: Any) -> Iterator[bytes]:
    """The raw bytes of a file and of its SQLite WAL and journal, if they exist."""
    from pathlib import Path

    for candidate in (Path(path), Path(f"{path}-wal"), Path(f"{path}-journal")):
        if candidate.exists():
            yield candidate.read_bytes()


__all__ = ["utcnow"]


RECEIPT_CODE = re.compile(r'id="receipt-code"[^>]*>([0-9A-Z-]+)<')


def receipt_code(page: str) -> str | None:
    """The follow-up code a thank-you page shows, if it shows one."""
    match = RECEIPT_CODE.search(page)
    return match.group(1) if match else None


TEAM_PASSWORD = "une phrase de passe longue"


def make_user(role: Any, email: str | None = None, password: str = TEAM_PASSWORD) -> Any:
    """A team account with this role, committed."""
    from intake import accounts
    from intake.models import Role

    role = Role(role)
    user = accounts.create_user(
        email or f"{role.value}@intake.example", role.value.title(), role, password, actor="test"
    )
    db.session.commit()
    return user


@dataclass
class AuthActions:
    """Log a test client in and out of the team's side."""

    client: FlaskClient

    def login(self, email: str, password: str = TEAM_PASSWORD) -> TestResponse:
        page = self.client.get("/moderation/connexion").get_data(as_text=True)
        data = {**hidden_fields(page), "email": email, "password": password}
        return self.client.post("/moderation/connexion", data=data)

    def logout(self) -> TestResponse:
        token = hidden_fields(self.client.get("/moderation/").get_data(as_text=True))
        return self.client.post("/moderation/deconnexion", data=token)

    def csrf(self, url: str = "/moderation/") -> dict[str, str]:
        """The hidden fields (CSRF token) of a team page, to post a form from it."""
        return hidden_fields(self.client.get(url).get_data(as_text=True))
