"""Internal notes on a story, and the thread between the team and the person."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intake.extensions import db
from intake.models.enums import enum_column
from intake.models.types import EncryptedText, UTCDateTime, utcnow
from intake.models.users import User


class Sender(StrEnum):
    TEAM = "team"
    SUBMITTER = "submitter"


class Note(db.Model):  # type: ignore[name-defined,misc]
    """A moderator's internal note, never shown to the person nor exported."""

    __tablename__ = "note"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(EncryptedText("note.body"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


class Message(db.Model):  # type: ignore[name-defined,misc]
    """A message of the thread the person reads with their follow-up code."""

    __tablename__ = "message"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    sender: Mapped[Sender] = mapped_column(enum_column(Sender))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(EncryptedText("message.body"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()
