"""The contact inbox: a moderator lists, reads, handles and deletes messages, each step traced."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from intake.codes import new_submission_key
from intake.contact import ContactDraft, send_contact_message
from intake.extensions import db
from intake.models import AuditEvent, ContactMessage, ContactStatus, utcnow
from intake.models import ContactTopic as T
from tests.helpers import FormPage, all_rows, filled_contact, hidden_fields, page_text
from tests.review_helpers import team_client, user_id

INBOX = "/moderation/messages"
LINK = re.compile(r'href="/moderation/messages/([\w-]+)"')


@pytest.fixture
def moderator(app: Flask) -> FlaskClient:
    """A browser logged in as a moderator."""
    return team_client(app, "moderator", "moderatrice@intake.example")


def send_contact(app: Flask, client: FlaskClient, days_ago: int = 0, **fields: str) -> str:
    """A message sent through the public contact form; its public id."""
    assert FormPage(client).send("/contact", filled_contact(**fields)).status_code == 303
    with app.app_context():
        message = max(all_rows(ContactMessage), key=lambda m: m.id)
        when = utcnow() - timedelta(days=days_ago)
        db.session.execute(
            update(ContactMessage).where(ContactMessage.id == message.id).values(created_at=when)
        )
        db.session.commit()
        return message.public_id


def post(client: FlaskClient, public_id: str, action: str) -> str:
    """Press a button of a message's page; the page shown next, as text."""
    fields = hidden_fields(client.get(f"{INBOX}/{public_id}").get_data(as_text=True))
    response = client.post(f"{INBOX}/{public_id}/{action}", data=fields, follow_redirects=True)
    assert response.status_code == 200
    return page_text(response)


def trail(app: Flask) -> list[tuple[str, str, str]]:
    """(action, actor, target) of every contact event."""
    with app.app_context():
        events = [e for e in all_rows(AuditEvent) if e.target_type == "contact_message"]
        return [(e.action, e.actor, e.target_id) for e in events]


def test_the_list_shows_topics_newest_first_without_names_or_addresses(
    app: Flask, client: FlaskClient, moderator: FlaskClient
) -> None:
    older = send_contact(app, client, days_ago=3, topic="press", name="Canari Nom")
    newer = send_contact(app, client, days_ago=1, message="Un autre message, plus récent.")

    page = moderator.get(INBOX).get_data(as_text=True)

    assert LINK.findall(page) == [newer, older]
    assert "Canari Nom" not in page and "camille@example.org" not in page
    assert "plus récent" not in page
    assert [action for action, _, _ in trail(app)] == ["contact.received"] * 2


def test_reading_a_message_shows_it_and_is_traced(
    app: Flask, client: FlaskClient, moderator: FlaskClient
) -> None:
    public_id = send_contact(app, client, message="Bonjour,\n\nje voudrais aider.")

    response = moderator.get(f"{INBOX}/{public_id}")

    assert response.status_code == 200
    shown = page_text(response)
    assert "Camille Exemple" in shown and "camille@example.org" in shown
    assert "<p>Bonjour,</p>\n<p>je voudrais aider.</p>" in response.get_data(as_text=True)
    actor = f"user:{user_id(app, 'moderatrice@intake.example')}"
    assert ("contact.read", actor, public_id) in trail(app)


def test_handled_messages_leave_the_new_list(
    app: Flask, client: FlaskClient, moderator: FlaskClient
) -> None:
    public_id = send_contact(app, client)

    post(moderator, public_id, "traite")

    assert LINK.findall(moderator.get(INBOX).get_data(as_text=True)) == []
    assert LINK.findall(moderator.get(INBOX + "?statut=handled").get_data(as_text=True)) == [
        public_id
    ]
    assert LINK.findall(moderator.get(INBOX + "?statut=all").get_data(as_text=True)) == [public_id]
    with app.app_context():
        (message,) = all_rows(ContactMessage)
        assert message.status == ContactStatus.HANDLED and message.handled_at is not None
    actor = f"user:{user_id(app, 'moderatrice@intake.example')}"
    assert ("contact.handled", actor, public_id) in trail(app)


def test_deleting_a_message_erases_it_and_leaves_a_trace_without_content(
    app: Flask, client: FlaskClient, moderator: FlaskClient
) -> None:
    public_id = send_contact(app, client, message="CANARI-MESSAGE à effacer.")

    post(moderator, public_id, "supprimer")

    assert moderator.get(f"{INBOX}/{public_id}").status_code == 404
    with app.app_context():
        assert all_rows(ContactMessage) == []
        details = [e.details for e in all_rows(AuditEvent)]
    actor = f"user:{user_id(app, 'moderatrice@intake.example')}"
    assert ("contact.deleted", actor, public_id) in trail(app)
    assert "CANARI" not in repr(details) and "camille" not in repr(details)


def test_older_messages_are_on_the_next_page(app: Flask, moderator: FlaskClient) -> None:
    with app.test_request_context():
        for number in range(51):
            draft = ContactDraft(new_submission_key(), "Nom", "n@example.org", T.OTHER, "…", "fr")
            send_contact_message(draft).created_at = utcnow() - timedelta(minutes=number)
        db.session.commit()
        messages = sorted(all_rows(ContactMessage), key=lambda m: m.created_at, reverse=True)
        newest_first = [m.public_id for m in messages]

    first = moderator.get(INBOX).get_data(as_text=True)
    next_link = re.search(r'<a href="([^"]+)" rel="next"', first)
    assert next_link is not None
    second = moderator.get(html.unescape(next_link.group(1))).get_data(as_text=True)

    assert LINK.findall(first) == newest_first[:50]
    assert LINK.findall(second) == newest_first[50:]


def test_unknown_message_or_filter_is_refused_clearly(moderator: FlaskClient) -> None:
    assert moderator.get(f"{INBOX}/nope").status_code == 404
    assert moderator.get(INBOX + "?statut=bogus").status_code == 400
    assert moderator.get(INBOX + "?after=bogus").status_code == 400


def test_anonymous_visitor_cannot_read_the_inbox(client: FlaskClient) -> None:
    assert client.get(INBOX).status_code == 302
    assert client.post(f"{INBOX}/x/supprimer").status_code in (302, 400)
