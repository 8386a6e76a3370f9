"""An export as the team runs it: counted, refused when too big, traced, then streamed.

The audit event is added here and committed by the caller before the first byte is read:
an export that fails halfway has still let stories out, and the stream detaches every
object of the session between batches (a pending event would be lost with them).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload, load_only

from intake import workflow
from intake.audit import record_event
from intake.audit_log import AuditFilter, list_events
from intake.exports import formats
from intake.exports.files import record_export_file
from intake.exports.selection import TEAM_ZONE, ExportFilters, count_stories, iter_stories
from intake.extensions import db
from intake.models import Call, Submission, SubmissionStatus, User, utcnow
from intake.review import BulkOutcome, act_in_bulk

EXPORT_ACTION = "export.created"
PUBLISH_LIST_SIZE = 50


@dataclass(frozen=True)
class Export:
    """A traced export, ready to be read: how many stories, in which format, and the bytes."""

    count: int
    format: formats.ExportFormat
    filename: str
    chunks: Iterator[bytes] = field(repr=False)


def default_filename(fmt: formats.ExportFormat, day: date) -> str:
    """The name a downloaded file is saved under: intake-export-YYYYMMDD.ext."""
    return f"intake-export-{day:%Y%m%d}.{fmt.extension.lstrip('.')}"


def export_options(excel: bool) -> formats.ExportOptions:
    """File options from the configuration: the site's name and address, and Excel's CSV."""
    config = current_app.config
    return formats.ExportOptions(
        excel=excel, site_url=str(config["SITE_URL"]), title=str(config["SITE_NAME"])
    )


def start_export(
    format_name: str,
    filters: ExportFilters,
    options: formats.ExportOptions,
    actor: str,
    filename: str | None = None,
) -> Export:
    """Count the stories, refuse a use the format cannot serve or a Word document above its
    cap, trace and record which stories the file holds; nothing is read yet."""
    chosen = formats.FORMATS[format_name]
    now = utcnow()
    filename = filename or default_filename(chosen, now.astimezone(TEAM_ZONE).date())
    filters = replace(filters, use=formats.file_use(chosen, filters.use))
    count = count_stories(filters)
    # Read here, at call time, so that the cap is the one the refusal message states.
    if format_name == "docx" and count > formats.DOCX_MAX_STORIES:
        raise formats.TooManyForDocx(count)
    record_event(
        EXPORT_ACTION,
        "export",
        format_name,
        actor=actor,
        format=format_name,
        filters=filters.describe(),
        count=count,
    )
    record_export_file(filters, format_name, filename, actor, count, now)
    chunks = formats.stream_export(chosen, iter_stories(filters), options, filters.use)
    return Export(count, chosen, filename, chunks)


def find_call_id(slug: str) -> int | None:
    """The id of the call with this slug, whatever its status."""
    return db.session.scalar(select(Call.id).where(Call.slug == slug))


@dataclass(frozen=True)
class PastExport:
    """One export read back from the audit trail: never its content."""

    at: datetime
    actor: str
    actor_name: str | None
    format: str
    filters: dict[str, Any]
    count: int


@dataclass(frozen=True)
class ExportHistory:
    """A page of past exports, newest first, and the cursor of the next (older) page."""

    exports: list[PastExport]
    older: int | None


def list_exports(before: int | None = None) -> ExportHistory:
    """Past exports, newest first, as the audit trail holds them."""
    page = list_events(AuditFilter(action=EXPORT_ACTION), before=before)
    exports = [
        PastExport(
            at=row.event.at,
            actor=row.event.actor,
            actor_name=row.actor_name,
            format=str(row.event.details.get("format", "")),
            filters=dict(row.event.details.get("filters") or {}),
            count=int(row.event.details.get("count") or 0),
        )
        for row in page.rows
    ]
    return ExportHistory(exports, page.older)


def stories_to_publish(public_ids: list[str] | None = None) -> list[Submission]:
    """Approved stories, oldest first (or these ones), with only what a row shows."""
    query = (
        select(Submission)
        .options(
            load_only(
                Submission.id,
                Submission.public_id,
                Submission.call_id,
                Submission.status,
                Submission.created_at,
                Submission.version,
            ),
            joinedload(Submission.call).load_only(Call.title),
        )
        .order_by(Submission.created_at, Submission.id)
    )
    if public_ids is None:
        query = query.where(Submission.status == SubmissionStatus.APPROVED)
        query = query.limit(PUBLISH_LIST_SIZE)
    else:
        query = query.where(Submission.public_id.in_(public_ids))
    return list(db.session.scalars(query))


def publish_many(
    selection: Mapping[str, tuple[int, str]], published_at: datetime, user: User
) -> BulkOutcome:
    """Mark several approved stories published, each at its own address, on one date."""
    urls = {public_id: url for public_id, (_, url) in selection.items()}
    versions = {public_id: version for public_id, (version, _) in selection.items()}
    return act_in_bulk(
        versions,
        lambda found, version: workflow.mark_published(
            found, user, version, urls[found.public_id], published_at
        ),
    )
