"""Receiving a message through the general contact form."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from intake import codes
from intake.audit import record_event
from intake.extensions import db
from intake.models import ContactMessage, ContactTopic


@dataclass(frozen=True)
class ContactDraft:
    """A contact message, cleaned and checked for shape."""

    submission_key: str
    name: str
    email: str
    topic: ContactTopic
    message: str
    locale: str


def send_contact_message(draft: ContactDraft) -> ContactMessage:
    """File a contact message once, however many times the same form is sent."""
    digest = codes.hash_submission_key(draft.submission_key)
    existing = _find(digest)
    if existing is not None and existing.message == draft.message:
        return existing
    if existing is not None:
        digest = codes.hash_submission_key(codes.new_submission_key())
    message = ContactMessage(
        public_id=codes.new_public_id(),
        topic=draft.topic,
        name=draft.name,
        email=draft.email,
        message=draft.message,
        locale=draft.locale,
        submission_key_hash=digest,
    )
    try:
        with db.session.begin_nested():
            db.session.add(message)
            db.session.flush()
    except IntegrityError:
        winner = _find(digest)
        if winner is None:
            raise
        return winner
    record_event("contact.received", "contact_message", message.public_id, topic=draft.topic.value)
    return message


def _find(digest: str) -> ContactMessage | None:
    return db.session.scalar(
        select(ContactMessage).where(ContactMessage.submission_key_hash == digest)
    )
