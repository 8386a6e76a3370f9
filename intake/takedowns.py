"""Taking a story down from everywhere it went: its article and the files that held it.

A person who withdraws their story, or the use it went out under, is told that it will come
down from our pages too. The team cannot do that from memory: each export file records the
stories it held, and when a published or exported story is taken back a takedown names the
article and the files, alerts the team, and waits on the queue until someone marks it done.
A takedown holds no word of the story: its public id (which every file names), the
article's address and date, and the files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from intake import notifications
from intake.audit import PUBLIC_ACTOR, record_event
from intake.exports.files import files_holding
from intake.extensions import db
from intake.models import (
    AuditEvent,
    Purpose,
    Submission,
    SubmissionStatus,
    Takedown,
    TakedownReason,
    User,
    utcnow,
)

DONE_SHOWN = 20
ERASURES = ("submission.withdrawn", "submission.deleted")


class TakedownNotFound(LookupError):
    """No takedown has this number."""


class TakedownAlreadyDone(Exception):
    """Someone marked this takedown done already."""


def open_takedown(
    submission: Submission,
    reason: TakedownReason,
    purpose: Purpose | None = None,
    actor: str = PUBLIC_ACTOR,
) -> Takedown | None:
    """A takedown for a story taken back, if it reached a page or a file; else None.

    For one use taken back, the files that count are those made for that use or for every
    use. Reads here must not flush: the caller's version check belongs to the commit.
    """
    with db.session.no_autoflush:
        files = files_holding(submission.id, purpose)
    published = (
        submission.status == SubmissionStatus.PUBLISHED or submission.published_url is not None
    )
    if not files and not published:
        return None
    takedown = Takedown(
        public_id=submission.public_id,
        reason=reason,
        purpose=purpose,
        published_url=submission.published_url,
        published_at=submission.published_at,
        created_at=utcnow(),
        exports=files,
    )
    db.session.add(takedown)
    record_event(
        "takedown.opened",
        "submission",
        submission.public_id,
        actor=actor,
        reason=reason.value,
        purpose=purpose.value if purpose else None,
        published=published,
        files=len(files),
    )
    notifications.takedown_needed()
    return takedown


def mark_done(takedown_id: int, user: User, now: datetime) -> Takedown:
    """Record that the story is down everywhere the takedown named; once only."""
    takedown = db.session.get(Takedown, takedown_id)
    if takedown is None:
        raise TakedownNotFound(takedown_id)
    # One conditional UPDATE: of two people pressing at once, only one is recorded.
    claimed = db.session.execute(
        update(Takedown)
        .where(Takedown.id == takedown_id, Takedown.done_at.is_(None))
        .values(done_at=now, done_by_id=user.id)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise TakedownAlreadyDone(takedown_id)
    db.session.refresh(takedown)
    record_event(
        "takedown.done",
        "submission",
        takedown.public_id,
        actor=user.actor,
        takedown=takedown.id,
        reason=takedown.reason.value,
    )
    return takedown


def open_takedowns() -> list[Takedown]:
    """Every takedown still to do, oldest first, with its files."""
    query = (
        select(Takedown)
        .where(Takedown.done_at.is_(None))
        .options(selectinload(Takedown.exports))
        .order_by(Takedown.created_at, Takedown.id)
    )
    return list(db.session.scalars(query))


def recently_done(limit: int = DONE_SHOWN) -> list[Takedown]:
    """The last takedowns done, newest first, with who did them."""
    query = (
        select(Takedown)
        .where(Takedown.done_at.is_not(None))
        .options(selectinload(Takedown.exports), selectinload(Takedown.done_by))
        .order_by(Takedown.done_at.desc(), Takedown.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def count_open() -> int:
    """How many takedowns wait: the queue counts them under « Withdrawn »."""
    query = select(func.count()).select_from(Takedown).where(Takedown.done_at.is_(None))
    return db.session.scalar(query) or 0


@dataclass(frozen=True)
class Erasure:
    """What the team learns of a story that is no longer here: when, and by whose act."""

    at: datetime
    by_person: bool
    takedown: Takedown | None


def erasure_of(public_id: str) -> Erasure | None:
    """The trace of a story withdrawn or deleted, and its takedown if one was needed."""
    trace = db.session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.target_type == "submission",
            AuditEvent.target_id == public_id,
            AuditEvent.action.in_(ERASURES),
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    if trace is None:
        return None
    takedown = db.session.scalar(
        select(Takedown)
        .where(Takedown.public_id == public_id, Takedown.reason != TakedownReason.USE_WITHDRAWN)
        .order_by(Takedown.id.desc())
        .limit(1)
    )
    return Erasure(trace.at, trace.action == "submission.withdrawn", takedown)
