"""Where stories went (export files), and what must come down when a person takes one back."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intake.extensions import db
from intake.models.enums import Purpose, enum_column
from intake.models.types import UTCDateTime, utcnow
from intake.models.users import User

# Which stories each export file held: read when a story is taken back, so that the team
# knows which files to clean. The rows go with the story; its takedown keeps the files.
exported_story = Table(
    "exported_story",
    db.metadata,
    Column("export_id", ForeignKey("export_file.id", ondelete="CASCADE"), primary_key=True),
    Column("submission_id", ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_exported_story_submission_id", "submission_id"),
)

takedown_export = Table(
    "takedown_export",
    db.metadata,
    Column("takedown_id", ForeignKey("takedown.id", ondelete="CASCADE"), primary_key=True),
    Column("export_id", ForeignKey("export_file.id", ondelete="CASCADE"), primary_key=True),
)


class ExportFile(db.Model):  # type: ignore[name-defined,misc]
    """One file the team downloaded: when, by whom, which format, for which use; no content."""

    __tablename__ = "export_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(16))
    # The use the file was made for; None: each story for the uses it was agreed for.
    use: Mapped[Purpose | None] = mapped_column(enum_column(Purpose))
    filename: Mapped[str] = mapped_column(String(100))
    story_count: Mapped[int] = mapped_column(default=0)


class TakedownReason(StrEnum):
    """Why a story must come down from the pages and files it reached."""

    WITHDRAWN = "withdrawn"
    USE_WITHDRAWN = "use_withdrawn"
    DELETED = "deleted"


class Takedown(db.Model):  # type: ignore[name-defined,misc]
    """A story to take down: where it was published and which files held it; no content.

    The story's public id stays so that the team can find its copies (every export names
    it); the story itself may already be erased.
    """

    __tablename__ = "takedown"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), index=True)
    reason: Mapped[TakedownReason] = mapped_column(enum_column(TakedownReason))
    # The use taken back, when only one use was.
    purpose: Mapped[Purpose | None] = mapped_column(enum_column(Purpose))
    published_url: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    done_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    done_by: Mapped[User | None] = relationship()
    exports: Mapped[list[ExportFile]] = relationship(
        secondary=takedown_export, order_by=ExportFile.created_at
    )
