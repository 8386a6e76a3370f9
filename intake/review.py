"""The review queue and what a moderator reads of a submission: read-only queries.

The queue is sorted urgent first, then oldest first, and walked by keyset pagination (the
sort key of the last row shown, never an OFFSET), loading only the columns a row shows: a
list never decrypts a story, a name or an address.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import joinedload, load_only, selectinload

from intake.extensions import db
from intake.models import (
    Call,
    Consent,
    Message,
    Note,
    Purpose,
    Role,
    ScreeningLevel,
    Submission,
    SubmissionStatus,
    User,
)
from intake.pagination import pack_cursor, parse_moment, unpack_cursor
from intake.workflow import (
    APPROVABLE_STATES,
    EDITABLE_STATES,
    OPEN_STATES,
    PUBLISHABLE_STATES,
    WorkflowError,
    approval_waits_for_rereading,
    wants_to_reread,
)

S = SubmissionStatus
PAGE_SIZE = 50
QUEUE_ORDER = (Submission.urgency.desc(), Submission.created_at.asc(), Submission.id.asc())
# The columns a queue row needs: never the story, the name or the address.
QUEUE_ROW_COLUMNS = (
    Submission.id,
    Submission.public_id,
    Submission.call_id,
    Submission.assignee_id,
    Submission.status,
    Submission.urgency,
    Submission.story_length,
    Submission.credit_mode,
    Submission.created_at,
    Submission.version,
)


@dataclass(frozen=True)
class QueueFilters:
    """What the queue shows; by default the open submissions of every call and assignee."""

    statuses: frozenset[SubmissionStatus] | None = OPEN_STATES  # None: every status
    call_id: int | None = None
    general_only: bool = False
    urgency: ScreeningLevel | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    received_from: datetime | None = None
    received_before: datetime | None = None


@dataclass(frozen=True)
class QueueCursor:
    """Where a page of the queue ends: the sort key of its last row."""

    urgency: int
    created_at: datetime
    id: int

    def encode(self) -> str:
        """The cursor as an opaque token for a link."""
        return pack_cursor(self.urgency, self.created_at.isoformat(), self.id)

    @classmethod
    def decode(cls, token: str) -> QueueCursor:
        """Read a token made by ``encode``; InvalidCursor otherwise."""
        urgency, moment, row_id = unpack_cursor(token, (int, str, int))
        return cls(urgency, parse_moment(moment), row_id)


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue, and the cursor of the next one if there is more."""

    rows: list[Submission]
    next_cursor: str | None


def queue_page(
    filters: QueueFilters, cursor: QueueCursor | None = None, limit: int = PAGE_SIZE
) -> QueuePage:
    """A page of the queue, with each row's call and assignee loaded in the same query."""
    statement = (
        select(Submission)
        .options(
            load_only(*QUEUE_ROW_COLUMNS),
            joinedload(Submission.call).load_only(Call.title),
            joinedload(Submission.assignee).load_only(User.display_name),
        )
        .where(*_conditions(filters))
        .order_by(*QUEUE_ORDER)
        .limit(limit + 1)
    )
    if cursor is not None:
        statement = statement.where(_after(cursor))
    rows = list(db.session.scalars(statement))
    if len(rows) <= limit:
        return QueuePage(rows, None)
    last = rows[limit - 1]
    return QueuePage(rows[:limit], QueueCursor(last.urgency, last.created_at, last.id).encode())


def _conditions(filters: QueueFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.statuses is not None:
        conditions.append(Submission.status.in_(sorted(filters.statuses)))
    if filters.general_only:
        conditions.append(Submission.call_id.is_(None))
    elif filters.call_id is not None:
        conditions.append(Submission.call_id == filters.call_id)
    if filters.urgency is not None:
        conditions.append(Submission.urgency == int(filters.urgency))
    if filters.unassigned:
        conditions.append(Submission.assignee_id.is_(None))
    elif filters.assignee_id is not None:
        conditions.append(Submission.assignee_id == filters.assignee_id)
    if filters.received_from is not None:
        conditions.append(Submission.created_at >= filters.received_from)
    if filters.received_before is not None:
        conditions.append(Submission.created_at < filters.received_before)
    return conditions


def _after(cursor: QueueCursor) -> ColumnElement[bool]:
    """Rows after the cursor in the queue's order (urgency descending, then ascending)."""
    later = or_(
        Submission.created_at > cursor.created_at,
        and_(Submission.created_at == cursor.created_at, Submission.id > cursor.id),
    )
    return or_(
        Submission.urgency < cursor.urgency,
        and_(Submission.urgency == cursor.urgency, later),
    )


def status_counts() -> dict[SubmissionStatus, int]:
    """How many submissions are in each status, in one GROUP BY query."""
    counts = dict.fromkeys(SubmissionStatus, 0)
    query = select(Submission.status, func.count()).group_by(Submission.status)
    counts.update({status: number for status, number in db.session.execute(query)})
    return counts


def call_titles() -> list[tuple[int, str]]:
    """Every call's id and title, newest first, for the queue's filter."""
    query = select(Call.id, Call.title).order_by(Call.created_at.desc(), Call.id.desc())
    return [(row[0], row[1]) for row in db.session.execute(query)]


@dataclass(frozen=True)
class BulkOutcome:
    """How many submissions took a bulk action, and how many were left as they were."""

    done: int
    skipped: int


def act_in_bulk(
    selection: Mapping[str, int], act: Callable[[Submission, int], object]
) -> BulkOutcome:
    """Apply a workflow action to several (public id → version shown); refusals are skipped."""
    query = (
        select(Submission)
        .options(
            load_only(Submission.id, Submission.public_id, Submission.status, Submission.version)
        )
        .where(Submission.public_id.in_(list(selection)))
    )
    found = {s.public_id: s for s in db.session.scalars(query)}
    done = 0
    for public_id, version in selection.items():
        submission = found.get(public_id)
        if submission is None:
            continue
        try:
            act(submission, version)
        except WorkflowError:
            continue
        done += 1
    return BulkOutcome(done, len(selection) - done)


def find_submission(public_id: str) -> Submission | None:
    """A submission with its call, assignee, answers and consents."""
    query = (
        select(Submission)
        .where(Submission.public_id == public_id)
        .options(
            joinedload(Submission.call),
            joinedload(Submission.assignee),
            selectinload(Submission.answers),
            selectinload(Submission.consents),
        )
    )
    return db.session.scalar(query)


def answers_of(submission: Submission) -> list[tuple[str, list[str]]]:
    """Each answer's question and its values (one, or several for multiple choice)."""
    answers = []
    for answer in submission.answers:
        value = json.loads(answer.value)
        values = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        answers.append((answer.question_label, values))
    return answers


def consents_of(submission: Submission) -> list[Consent]:
    """The consent rows in the order the form asks them."""
    order = list(Purpose)
    return sorted(submission.consents, key=lambda consent: order.index(consent.purpose))


def may_contact(submission: Submission) -> bool:
    """Whether the person agreed that the team writes to them."""
    return submission.agreed_to(Purpose.CONTACT)


def notes_of(submission: Submission) -> list[Note]:
    """Internal notes, oldest first, with their authors."""
    query = (
        select(Note)
        .where(Note.submission_id == submission.id)
        .options(joinedload(Note.author))
        .order_by(Note.created_at, Note.id)
    )
    return list(db.session.scalars(query))


def thread_of(submission: Submission) -> list[Message]:
    """The messages between the team and the person, oldest first."""
    query = (
        select(Message)
        .where(Message.submission_id == submission.id)
        .options(joinedload(Message.author))
        .order_by(Message.created_at, Message.id)
    )
    return list(db.session.scalars(query))


def available_actions(submission: Submission, user: User) -> frozenset[str]:
    """What this team member may do to this submission now, by the workflow's rules."""
    status = submission.status
    has_version = bool((submission.publishable_text or "").strip())
    possible = {
        "claim": status in OPEN_STATES and submission.assignee_id != user.id,
        "release": status in EDITABLE_STATES and submission.assignee_id is not None,
        "edit": status in EDITABLE_STATES,
        "ask": status in EDITABLE_STATES,
        # Held while the person's rereading is pending; the page says why.
        "approve": status in APPROVABLE_STATES and not approval_waits_for_rereading(submission),
        "reread": status in EDITABLE_STATES and wants_to_reread(submission) and has_version,
        "decline": status in OPEN_STATES,
        "spam": status in OPEN_STATES,
        "publish": status in PUBLISHABLE_STATES,
        "note": status != S.WITHDRAWN,
        "reveal": submission.email is not None,
        "delete": user.role.includes(Role.ADMIN),
    }
    return frozenset(name for name, allowed in possible.items() if allowed)
