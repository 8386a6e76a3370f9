"""The contact inbox: listing, reading, handling and deleting messages, every reading traced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import load_only

from intake.audit import record_event
from intake.extensions import db
from intake.models import ContactMessage, ContactStatus, User, utcnow
from intake.pagination import pack_cursor, parse_moment, unpack_cursor

PAGE_SIZE = 50
TARGET = "contact_message"


@dataclass(frozen=True)
class InboxCursor:
    """Where a page of the inbox ends: the date and id of its last message."""

    created_at: datetime
    id: int

    def encode(self) -> str:
        """The cursor as an opaque token for a link."""
        return pack_cursor(self.created_at.isoformat(), self.id)

    @classmethod
    def decode(cls, token: str) -> InboxCursor:
        """Read a token made by ``encode``; InvalidCursor otherwise."""
        moment, row_id = unpack_cursor(token, (str, int))
        return cls(parse_moment(moment), row_id)


@dataclass(frozen=True)
class InboxPage:
    """Messages newest first, and the cursor of the next page if there is more."""

    rows: list[ContactMessage]
    next_cursor: str | None


def inbox_page(
    status: ContactStatus | None, cursor: InboxCursor | None = None, limit: int = PAGE_SIZE
) -> InboxPage:
    """A page of messages, newest first; names, addresses and texts stay encrypted."""
    statement = (
        select(ContactMessage)
        .options(
            load_only(
                ContactMessage.id,
                ContactMessage.public_id,
                ContactMessage.topic,
                ContactMessage.status,
                ContactMessage.created_at,
            )
        )
        .order_by(ContactMessage.created_at.desc(), ContactMessage.id.desc())
        .limit(limit + 1)
    )
    if status is not None:
        statement = statement.where(ContactMessage.status == status)
    if cursor is not None:
        statement = statement.where(_before(cursor))
    rows = list(db.session.scalars(statement))
    if len(rows) <= limit:
        return InboxPage(rows, None)
    last = rows[limit - 1]
    return InboxPage(rows[:limit], InboxCursor(last.created_at, last.id).encode())


def _before(cursor: InboxCursor) -> ColumnElement[bool]:
    return or_(
        ContactMessage.created_at < cursor.created_at,
        and_(ContactMessage.created_at == cursor.created_at, ContactMessage.id < cursor.id),
    )


def inbox_counts() -> dict[ContactStatus, int]:
    """How many messages are new and how many handled, in one query."""
    counts = dict.fromkeys(ContactStatus, 0)
    query = select(ContactMessage.status, func.count()).group_by(ContactMessage.status)
    counts.update({status: number for status, number in db.session.execute(query)})
    return counts


def find_message(public_id: str) -> ContactMessage | None:
    """A contact message by its public id, without tracing a reading."""
    query = select(ContactMessage).where(ContactMessage.public_id == public_id)
    return db.session.scalar(query)


def read_message(public_id: str, user: User) -> ContactMessage | None:
    """A contact message opened by a team member: the reading is traced."""
    message = find_message(public_id)
    if message is not None:
        record_event("contact.read", TARGET, message.public_id, actor=user.actor)
    return message


def mark_handled(message: ContactMessage, user: User) -> bool:
    """Mark a message as handled; False if it already was."""
    if message.status == ContactStatus.HANDLED:
        return False
    message.status = ContactStatus.HANDLED
    message.handled_at = utcnow()
    record_event("contact.handled", TARGET, message.public_id, actor=user.actor)
    return True


def delete_message(message: ContactMessage, user: User) -> None:
    """Erase a message; only a content-free audit event remains."""
    record_event("contact.deleted", TARGET, message.public_id, actor=user.actor)
    db.session.delete(message)
