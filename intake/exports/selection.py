"""Which stories an export holds, read in batches so memory stays flat."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Exists, Select, and_, exists, func, select
from sqlalchemy.orm import defer, selectinload

from intake.extensions import db
from intake.models import Answer, Consent, CreditMode, Purpose, Submission, SubmissionStatus

EXPORTABLE = (SubmissionStatus.APPROVED, SubmissionStatus.PUBLISHED)
ANONYMOUS_CREDIT = "Anonyme"
TEAM_ZONE = ZoneInfo("Europe/Paris")
BATCH = 500
PRIVATE_COLUMNS = (
    Submission.story,
    Submission.email,
    Submission.decline_note,
)


@dataclass(frozen=True)
class ExportFilters:
    """What the team asked for; a use, when given, must be consented to."""

    use: Purpose | None = None
    call_id: int | None = None
    status: SubmissionStatus | None = None
    since: date | None = None
    until: date | None = None

    def describe(self) -> dict[str, str | int | None]:
        """The filters as plain values, for the audit trail."""
        return {
            "use": self.use.value if self.use else None,
            "call": self.call_id,
            "status": self.status.value if self.status else None,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }


@dataclass(frozen=True)
class StoryRecord:
    """One story as it may leave the application: never the original, never contact data."""

    public_id: str
    call: str | None
    text: str
    credit_line: str
    answers: list[tuple[str, str | list[str]]]
    uses: list[str]
    status: str
    received_at: datetime
    published_at: datetime | None
    published_url: str | None
    word_count: int = field(default=0)


def count_stories(filters: ExportFilters) -> int:
    """How many stories match, before downloading."""
    query = _matching(filters).with_only_columns(func.count(Submission.id)).order_by(None)
    return db.session.scalar(query) or 0


def matching_ids(filters: ExportFilters) -> Select[Any]:
    """The ids of the matching stories, for recording which stories a file holds."""
    return _matching(filters).with_only_columns(Submission.id).order_by(None)


def iter_stories(filters: ExportFilters, batch: int = BATCH) -> Iterator[StoryRecord]:
    """The matching stories, oldest first, fetched batch by batch (keyset, no OFFSET)."""
    last_id = 0
    while True:
        query = (
            _matching(filters)
            .where(Submission.id > last_id)
            .order_by(Submission.id)
            .limit(batch)
            .options(
                # The original, the address and the decline note never enter the export path:
                # they are not even read (and reading them by mistake raises).
                *(defer(column, raiseload=True) for column in PRIVATE_COLUMNS),
                selectinload(Submission.consents),
                selectinload(Submission.answers).selectinload(Answer.question),
                selectinload(Submission.call),
            )
        )
        rows = db.session.scalars(query).all()
        if not rows:
            return
        for submission in rows:
            yield to_record(submission)
        last_id = rows[-1].id
        # Forget the batch: the session must not keep every exported story alive.
        db.session.expunge_all()


def _matching(filters: ExportFilters) -> Select[Submission]:
    statuses = (filters.status,) if filters.status in EXPORTABLE else EXPORTABLE
    query = select(Submission).where(Submission.status.in_(statuses))
    if filters.use is not None:
        query = query.where(_consented(filters.use))
    else:
        query = query.where(_consented_to_any())
    if filters.call_id is not None:
        query = query.where(Submission.call_id == filters.call_id)
    if filters.since is not None:
        query = query.where(Submission.created_at >= _start_of(filters.since))
    if filters.until is not None:
        query = query.where(Submission.created_at < _start_of(filters.until + timedelta(days=1)))
    return query


def _consented(use: Purpose) -> Exists:
    return exists().where(
        and_(Consent.submission_id == Submission.id, Consent.purpose == use, Consent.granted)
    )


def _consented_to_any() -> Exists:
    return exists().where(
        and_(
            Consent.submission_id == Submission.id,
            Consent.purpose.in_(Purpose.publication()),
            Consent.granted,
        )
    )


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=TEAM_ZONE)


def to_record(submission: Submission) -> StoryRecord:
    """What of a submission may be exported."""
    text = submission.publishable_text or ""
    return StoryRecord(
        public_id=submission.public_id,
        call=submission.call.title if submission.call else None,
        text=text,
        credit_line=credit_line(submission.credit_mode, submission.credit_name),
        answers=[
            (a.question_label, json.loads(a.value))
            for a in submission.answers
            if a.question is not None and a.question.publishable
        ],
        uses=[
            c.purpose.value
            for c in submission.consents
            if c.purpose in Purpose.publication() and c.granted
        ],
        status=submission.status.value,
        received_at=submission.created_at,
        published_at=submission.published_at,
        published_url=submission.published_url,
        word_count=len(text.split()),
    )


def credit_line(mode: CreditMode, name: str | None) -> str:
    """How the story is signed: the chosen name, or nothing but « Anonyme »."""
    if mode == CreditMode.ANONYMOUS or not name:
        return ANONYMOUS_CREDIT
    return name
