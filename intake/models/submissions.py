"""Testimonies, their answers and the consents that go with them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intake.extensions import db
from intake.models.calls import Call, CallQuestion
from intake.models.enums import (
    CreditMode,
    DeclineReason,
    Proofreading,
    Purpose,
    ScreeningLevel,
    SubmissionStatus,
    enum_column,
)
from intake.models.types import EncryptedText, UTCDateTime, utcnow
from intake.models.users import User


class Submission(db.Model):  # type: ignore[name-defined,misc]
    """A story as it was sent; no address, agent or other tracking data is kept with it."""

    __tablename__ = "submission"
    __table_args__ = (
        # The queue: by status, urgent first, then the oldest; keyset pagination walks it.
        Index("ix_submission_queue", "status", "urgency", "created_at", "id"),
        Index("ix_submission_urgency_created_at", "urgency", "created_at", "id"),
        # The queue's own order (urgent first, then the oldest), with the status to filter on,
        # so that a page is an index range instead of a sort of every open story.
        Index(
            "ix_submission_queue_order",
            text("urgency DESC"),
            "created_at",
            "id",
            "status",
            # Alembic cannot compare expression indexes: written by hand in migration 0003.
            info={"handwritten": True},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    call_id: Mapped[int | None] = mapped_column(
        ForeignKey("call.id", ondelete="RESTRICT"), index=True
    )
    story: Mapped[str] = mapped_column(EncryptedText("submission.story"))
    # The moderators' redacted version; the original story is never overwritten.
    publishable_text: Mapped[str | None] = mapped_column(EncryptedText("submission.publishable"))
    credit_mode: Mapped[CreditMode] = mapped_column(enum_column(CreditMode))
    credit_name: Mapped[str | None] = mapped_column(EncryptedText("submission.credit_name"))
    email: Mapped[str | None] = mapped_column(EncryptedText("submission.email"))
    locale: Mapped[str] = mapped_column(String(8))
    status: Mapped[SubmissionStatus] = mapped_column(
        enum_column(SubmissionStatus), default=SubmissionStatus.RECEIVED
    )
    # Length of the story in characters, so that lists need not decrypt it.
    story_length: Mapped[int] = mapped_column(default=0)
    urgency: Mapped[ScreeningLevel] = mapped_column(Integer, default=ScreeningLevel.NONE)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    decline_reason: Mapped[DeclineReason | None] = mapped_column(enum_column(DeclineReason))
    decline_note: Mapped[str | None] = mapped_column(EncryptedText("submission.decline_note"))
    # The person's rereading, when they asked to approve the edited version first; the hash
    # (keyed, see intake.workflow.text_fingerprint) is of the exact version they accepted.
    proofreading: Mapped[Proofreading | None] = mapped_column(enum_column(Proofreading))
    proofread_hash: Mapped[str | None] = mapped_column(String(64))
    published_url: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)
    # Keyed hashes only: a database dump reveals neither the codes nor the form keys.
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)
    submission_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    call: Mapped[Call | None] = relationship()
    assignee: Mapped[User | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="submission", order_by="Answer.position", cascade="all, delete-orphan"
    )
    consents: Mapped[list[Consent]] = relationship(
        back_populates="submission", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def consent_for(self, purpose: Purpose) -> Consent | None:
        """This submission's consent row for one purpose."""
        return next((c for c in self.consents if c.purpose == purpose), None)

    def agreed_to(self, purpose: Purpose) -> bool:
        """Whether the person agreed to this purpose, and has not taken it back."""
        consent = self.consent_for(purpose)
        return consent is not None and consent.granted


class Answer(db.Model):  # type: ignore[name-defined,misc]
    """An answer to a call's question, kept under the wording it was given under."""

    __tablename__ = "answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("call_question.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    question_label: Mapped[str] = mapped_column(String(500))
    # JSON-encoded: a string, or a list of strings for multiple choice.
    value: Mapped[str] = mapped_column(EncryptedText("answer.value"))

    submission: Mapped[Submission] = relationship(back_populates="answers")
    question: Mapped[CallQuestion | None] = relationship()


class ConsentWording(db.Model):  # type: ignore[name-defined,misc]
    """The exact text a consent was given under, addressed by its hash (GDPR art. 7(1))."""

    __tablename__ = "consent_wording"

    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    locale: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    first_shown_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Consent(db.Model):  # type: ignore[name-defined,misc]
    """One purpose, granted or not, for one submission."""

    __tablename__ = "consent"
    __table_args__ = (UniqueConstraint("submission_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[Purpose] = mapped_column(enum_column(Purpose))
    granted: Mapped[bool]
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    wording_hash: Mapped[str] = mapped_column(ForeignKey("consent_wording.hash"), index=True)
    # Set when the person takes back a consent they had given; decided_at keeps the grant.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    submission: Mapped[Submission] = relationship(back_populates="consents")
    wording: Mapped[ConsentWording] = relationship()
