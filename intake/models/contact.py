"""Messages sent through the general contact form."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from intake.extensions import db
from intake.models.enums import ContactStatus, ContactTopic, enum_column
from intake.models.types import EncryptedText, UTCDateTime, utcnow


class ContactMessage(db.Model):  # type: ignore[name-defined,misc]
    """A message for the team; name, address and body are encrypted at rest."""

    __tablename__ = "contact_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    topic: Mapped[ContactTopic] = mapped_column(enum_column(ContactTopic))
    name: Mapped[str] = mapped_column(EncryptedText("contact_message.name"))
    email: Mapped[str] = mapped_column(EncryptedText("contact_message.email"))
    message: Mapped[str] = mapped_column(EncryptedText("contact_message.message"))
    locale: Mapped[str] = mapped_column(String(8))
    status: Mapped[ContactStatus] = mapped_column(
        enum_column(ContactStatus), default=ContactStatus.NEW, index=True
    )
    submission_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
