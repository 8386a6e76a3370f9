"""The audit trail read back in words: who did what to a target, and when."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from intake.audit import PUBLIC_ACTOR
from intake.extensions import db
from intake.models import AuditEvent, SubmissionStatus, User

ACTIONS = {
    "submission.received": _l("Received"),
    "submission.claimed": _l("Taken for review"),
    "submission.released": _l("Given back to the queue"),
    "submission.edited": _l("Publishable version saved"),
    "submission.asked": _l("Question sent to the person"),
    "submission.approved": _l("Approved"),
    "submission.declined": _l("Declined"),
    "submission.marked_spam": _l("Marked as spam"),
    "submission.published": _l("Marked as published"),
    "submission.deleted": _l("Deleted"),
    "submission.noted": _l("Internal note added"),
    "submission.contact_revealed": _l("E-mail address shown"),
    "submission.withdrawn": _l("Withdrawn by the person"),
    "submission.sent_for_rereading": _l("Edited version sent to the person to reread"),
    "submission.rereading_accepted": _l("Edited version accepted by the person"),
    "submission.rereading_changes_asked": _l("Changes asked by the person"),
    "submission.redacted": _l("Identifying detail replaced in the publishable version"),
    "submission.rerated": _l("Crisis rating changed"),
    "submission.rereading_cancelled": _l("Rereading no longer wanted by the person"),
    "submission.answered": _l("Message from the person"),
    "submission.approval_lifted": _l("Approval lifted: no publication use left"),
    "takedown.opened": _l("To take down from the pages or files it reached"),
    "takedown.done": _l("Taken down from the pages and files it reached"),
    "consent.given": _l("Consent given"),
    "consent.withdrawn": _l("Consent withdrawn"),
    "followup.opened": _l("Opened with the follow-up code"),
    "contact.received": _l("Message received"),
    "contact.read": _l("Message read"),
    "contact.handled": _l("Message marked as handled"),
    "contact.deleted": _l("Message deleted"),
}


@dataclass(frozen=True)
class HistoryEntry:
    """One event of a target's history, ready to be shown."""

    at: datetime
    actor: str
    action: str
    status: SubmissionStatus | None


def history_of(target_type: str, target_id: str) -> list[HistoryEntry]:
    """A target's audit events, oldest first, with account names resolved in one query."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.target_type == target_type, AuditEvent.target_id == target_id)
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    events = list(db.session.scalars(query))
    names = user_names(e.actor for e in events)
    return [
        HistoryEntry(
            at=event.at,
            actor=names.get(event.actor) or actor_label(event.actor),
            action=str(ACTIONS.get(event.action, event.action)),
            status=_status(event.details.get("after")),
        )
        for event in events
    ]


def user_names(actors: Iterable[str]) -> dict[str, str]:
    """Display names of the accounts among audit actors ("user:<id>"), in one query."""
    ids = {int(a[5:]) for a in actors if a.startswith("user:") and a[5:].isdigit()}
    if not ids:
        return {}
    query = select(User.id, User.display_name).where(User.id.in_(ids))
    return {f"user:{user_id}": name for user_id, name in db.session.execute(query)}


def actor_label(actor: str) -> str:
    """How an actor that is not a current account is named."""
    if actor == PUBLIC_ACTOR:
        return str(_l("The person"))
    if actor.startswith("user:"):
        return str(_l("A closed account"))
    return str(_l("The system"))


def _status(value: object) -> SubmissionStatus | None:
    values = {status.value for status in SubmissionStatus}
    return SubmissionStatus(value) if isinstance(value, str) and value in values else None
