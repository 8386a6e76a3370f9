"""Which files held which stories: recorded when a file is made, read when one is taken back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, literal, or_, select

from intake.exports.selection import ExportFilters, matching_ids
from intake.extensions import db
from intake.models import ExportFile, Purpose, exported_story

FILENAME_MAX = 100


def record_export_file(
    filters: ExportFilters, format_name: str, filename: str, actor: str, count: int, now: datetime
) -> ExportFile:
    """Record a file and the stories it holds, in one INSERT … SELECT of the same selection."""
    export = ExportFile(
        created_at=now,
        actor=actor,
        format=format_name,
        use=filters.use,
        filename=filename[:FILENAME_MAX],
        story_count=count,
    )
    db.session.add(export)
    db.session.flush()
    ids = matching_ids(filters).subquery()
    db.session.execute(
        insert(exported_story).from_select(
            ["export_id", "submission_id"], select(literal(export.id), ids.c.id)
        )
    )
    return export


def files_holding(submission_id: int, use: Purpose | None = None) -> list[ExportFile]:
    """The files that held a story; for one use, those made for it or for every use."""
    query = (
        select(ExportFile)
        .join(exported_story, exported_story.c.export_id == ExportFile.id)
        .where(exported_story.c.submission_id == submission_id)
        .order_by(ExportFile.created_at, ExportFile.id)
    )
    if use is not None:
        query = query.where(or_(ExportFile.use == use, ExportFile.use.is_(None)))
    return list(db.session.scalars(query))
