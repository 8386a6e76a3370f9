"""Calls for testimony and their questions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intake.extensions import db
from intake.models.enums import Purpose, enum_column
from intake.models.types import UTCDateTime, utcnow


class CallStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class QuestionKind(StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"


class Call(db.Model):  # type: ignore[name-defined,misc]
    """An « appel à témoignages » on one theme."""

    __tablename__ = "call"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[CallStatus] = mapped_column(enum_column(CallStatus), default=CallStatus.DRAFT)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymous_only: Mapped[bool] = mapped_column(default=False)
    min_age: Mapped[int] = mapped_column(default=15)
    # The publication uses this call asks consent for (values of Purpose).
    publication_uses: Mapped[list[str]] = mapped_column(JSON, default=list)
    thank_you_message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    questions: Mapped[list[CallQuestion]] = relationship(
        back_populates="call", order_by="CallQuestion.position", cascade="all, delete-orphan"
    )

    def accepts_submissions(self, now: datetime) -> bool:
        """Whether a story sent at ``now`` can be filed under this call."""
        if self.status != CallStatus.OPEN:
            return False
        if self.opens_at is not None and now < self.opens_at:
            return False
        return self.closes_at is None or now < self.closes_at

    def asked_uses(self) -> list[Purpose]:
        """Publication uses offered on this call's form, in a stable order."""
        return [p for p in Purpose.publication() if p.value in self.publication_uses]


class CallQuestion(db.Model):  # type: ignore[name-defined,misc]
    """A question of a call, asked beside the story."""

    __tablename__ = "call_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(500))
    help_text: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind))
    required: Mapped[bool] = mapped_column(default=False)
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    max_length: Mapped[int] = mapped_column(default=2000)
    publishable: Mapped[bool] = mapped_column(default=False)

    call: Mapped[Call] = relationship(back_populates="questions")
