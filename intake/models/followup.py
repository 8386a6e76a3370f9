"""The short sessions a follow-up code opens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intake.extensions import db
from intake.models.submissions import Submission
from intake.models.types import UTCDateTime, utcnow


class FollowupSession(db.Model):  # type: ignore[name-defined,misc]
    """One opening of a submission with its code; the cookie holds the token, not the code.

    Kept on the server so that « quitter » ends it everywhere and erasure ends it with the
    story (the row goes with the submission).
    """

    __tablename__ = "followup_session"

    # Keyed hash of the random token carried by the cookie.
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    submission: Mapped[Submission] = relationship()
