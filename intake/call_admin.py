"""The team's side of calls: writing them, opening and closing them, and their questions.

Functions flush and never commit; every change leaves an audit event with identifiers and
field names only, never the call's text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from intake.audit import record_event
from intake.extensions import db
from intake.models import Call, CallQuestion, CallStatus, QuestionKind, Submission

SLUG_MAX = 100
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# Ligatures that Unicode does not decompose: without this, « sœurs » would lose its œ.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})
CALL_FIELDS = (
    "title",
    "summary",
    "body_markdown",
    "opens_at",
    "closes_at",
    "anonymous_only",
    "min_age",
    "publication_uses",
    "thank_you_message",
)
QUESTION_FIELDS = ("label", "kind", "required", "help_text", "max_length", "choices", "publishable")


class CallAdminError(Exception):
    """A change to a call that the rules refuse."""


class SlugTaken(CallAdminError):
    """Another call already has this address."""


class SlugFrozen(CallAdminError):
    """The call has opened or received stories: its address must not change."""


class ClosingBeforeOpening(CallAdminError):
    """The closing date is not after the opening date."""


class AlreadyClosed(CallAdminError):
    """The closing date has passed: opening now would close at once."""


class Phase(StrEnum):
    """Where a call stands now, derived from its status and its dates."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


@dataclass
class CallFields:
    """What the team writes about a call (dates in UTC)."""

    title: str
    summary: str = ""
    body_markdown: str = ""
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    anonymous_only: bool = False
    min_age: int = 15
    publication_uses: list[str] = field(default_factory=list)
    thank_you_message: str = ""
    slug: str | None = None


@dataclass
class QuestionFields:
    """What the team writes about a question."""

    label: str
    kind: QuestionKind
    required: bool = False
    help_text: str = ""
    max_length: int = 2000
    choices: list[str] = field(default_factory=list)
    publishable: bool = False


CallAction = Callable[[Call, datetime, str], None]


def slugify(title: str) -> str:
    """An ASCII address from a title: « Frères et sœurs » → freres-et-soeurs."""
    spelled_out = title.translate(_LIGATURES)
    ascii_title = unicodedata.normalize("NFKD", spelled_out).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", ascii_title.lower()).strip("-")[:SLUG_MAX].strip("-")
    return slug or "appel"


def phase_of(call: Call, now: datetime) -> Phase:
    """Draft, scheduled, open or closed, as the public sees the call at ``now``."""
    if call.status == CallStatus.DRAFT:
        return Phase.DRAFT
    if call.status == CallStatus.CLOSED or (call.closes_at is not None and call.closes_at <= now):
        return Phase.CLOSED
    if call.opens_at is not None and call.opens_at > now:
        return Phase.SCHEDULED
    return Phase.OPEN


def list_calls() -> list[Call]:
    """Every call, the newest first."""
    return list(db.session.scalars(select(Call).order_by(Call.created_at.desc(), Call.id.desc())))


def get_call(call_id: int) -> Call | None:
    """A call with its questions."""
    query = select(Call).where(Call.id == call_id).options(selectinload(Call.questions))
    return db.session.scalar(query)


def slug_frozen(call: Call) -> bool:
    """Whether the call's address is public for good (it opened, or stories came in)."""
    if call.status != CallStatus.DRAFT:
        return True
    return bool(db.session.scalar(select(exists().where(Submission.call_id == call.id))))


def create_call(fields: CallFields, actor: str) -> Call:
    """A new draft call; its address comes from the title unless one is given."""
    _check_dates(fields)
    slug = _claim_slug(fields.slug, fields.title, None)
    call = Call(slug=slug, status=CallStatus.DRAFT, **_values(fields))
    db.session.add(call)
    db.session.flush()
    record_event("call.created", "call", str(call.id), actor=actor)
    return call


def update_call(call: Call, fields: CallFields, actor: str) -> None:
    """Change a call; its address may change only while it is a draft without stories."""
    _check_dates(fields)
    changed = [name for name, value in _values(fields).items() if getattr(call, name) != value]
    if fields.slug != call.slug and (fields.slug or not slug_frozen(call)):
        if slug_frozen(call):
            raise SlugFrozen(call.slug)
        call.slug = _claim_slug(fields.slug, fields.title, call.id)
        changed.append("slug")
    for name, value in _values(fields).items():
        setattr(call, name, value)
    db.session.flush()
    record_event("call.updated", "call", str(call.id), actor=actor, fields=sorted(changed))


def open_call(call: Call, now: datetime, actor: str) -> None:
    """Publish a call: open now, or at its future opening date."""
    if call.closes_at is not None and call.closes_at <= now:
        raise AlreadyClosed(call.slug)
    if call.opens_at is None or (call.opens_at > now and call.status == CallStatus.OPEN):
        call.opens_at = now
    call.status = CallStatus.OPEN
    db.session.flush()
    record_event("call.opened", "call", str(call.id), actor=actor, phase=phase_of(call, now).value)


def close_call(call: Call, now: datetime, actor: str) -> None:
    """« Clore maintenant »: the call stops accepting stories at once."""
    call.closes_at = now
    if call.opens_at is not None and call.opens_at > now:
        call.opens_at = now
    db.session.flush()
    record_event("call.closed", "call", str(call.id), actor=actor)


def add_question(call: Call, fields: QuestionFields, actor: str) -> CallQuestion:
    """A new question, asked after the others."""
    position = max((q.position for q in call.questions), default=-1) + 1
    question = CallQuestion(position=position, **_question_values(fields))
    call.questions.append(question)
    db.session.flush()
    _question_event("call.question_added", call, question, actor, kind=question.kind.value)
    return question


def update_question(question: CallQuestion, fields: QuestionFields, actor: str) -> None:
    """Change a question; answers already given keep the wording they were given under."""
    values = _question_values(fields)
    changed = sorted(name for name, value in values.items() if getattr(question, name) != value)
    for name, value in values.items():
        setattr(question, name, value)
    db.session.flush()
    _question_event("call.question_updated", question.call, question, actor, fields=changed)


def remove_question(question: CallQuestion, actor: str) -> None:
    """Remove a question; its answers stay, under their own wording (the key becomes NULL)."""
    call = question.call
    _question_event("call.question_removed", call, question, actor)
    call.questions.remove(question)
    db.session.flush()
    _renumber(call)


def move_question(question: CallQuestion, offset: int, actor: str) -> None:
    """Move a question up (-1) or down (+1) among its call's questions."""
    call = question.call
    ordered = sorted(call.questions, key=lambda q: q.position)
    index = ordered.index(question)
    target = min(max(index + offset, 0), len(ordered) - 1)
    ordered.insert(target, ordered.pop(index))
    for position, each in enumerate(ordered):
        each.position = position
    db.session.flush()
    _question_event("call.question_moved", call, question, actor, position=target)


def _values(fields: CallFields) -> dict[str, object]:
    return {name: getattr(fields, name) for name in CALL_FIELDS}


def _question_values(fields: QuestionFields) -> dict[str, object]:
    values = {name: getattr(fields, name) for name in QUESTION_FIELDS}
    if fields.kind not in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        values["choices"] = []
    return values


def _check_dates(fields: CallFields) -> None:
    if fields.opens_at and fields.closes_at and fields.closes_at <= fields.opens_at:
        raise ClosingBeforeOpening()


def _claim_slug(wanted: str | None, title: str, own_id: int | None) -> str:
    """The wanted address if free (else SlugTaken); a generated one gets -2, -3… if needed."""
    if wanted:
        if _slug_used(wanted, own_id):
            raise SlugTaken(wanted)
        return wanted
    base = slugify(title)
    candidate, number = base, 1
    while _slug_used(candidate, own_id):
        number += 1
        candidate = f"{base[: SLUG_MAX - len(str(number)) - 1]}-{number}"
    return candidate


def _slug_used(slug: str, own_id: int | None) -> bool:
    query = select(Call.id).where(Call.slug == slug)
    if own_id is not None:
        query = query.where(Call.id != own_id)
    return db.session.scalar(query) is not None


def _renumber(call: Call) -> None:
    for position, question in enumerate(sorted(call.questions, key=lambda q: q.position)):
        question.position = position
    db.session.flush()


def _question_event(
    action: str, call: Call, question: CallQuestion, actor: str, **details: object
) -> None:
    record_event(action, "call", str(call.id), actor=actor, question=question.id, **details)
