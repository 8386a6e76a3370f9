"""The audit trail read back in words: who did what to a target, and when.

Every action the code records has its words here, in both languages (tests/test_history.py
walks every ``record_event`` call to hold this); a raw key is never what a person reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from intake.audit import PUBLIC_ACTOR
from intake.extensions import db
from intake.labels import PURPOSE
from intake.models import AuditEvent, Purpose, SubmissionStatus, User

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
    "followup.downloaded": _l("Data downloaded with the follow-up code"),
    "followup.failed": _l("Follow-up code refused"),
    "contact.received": _l("Message received"),
    "contact.read": _l("Message read"),
    "contact.handled": _l("Message marked as handled"),
    "contact.deleted": _l("Message deleted"),
    "call.created": _l("Call created"),
    "call.updated": _l("Call changed"),
    "call.opened": _l("Call published"),
    "call.closed": _l("Call closed"),
    "call.question_added": _l("Question added to the call"),
    "call.question_updated": _l("Question of the call changed"),
    "call.question_removed": _l("Question removed from the call"),
    "call.question_moved": _l("Question of the call moved"),
    "export.created": _l("Stories exported"),
    "notifications.digest_sent": _l("Summary e-mail sent to the team"),
    "login.succeeded": _l("Logged in"),
    "login.failed": _l("Login refused"),
    "login.locked": _l("Login refused: too many attempts"),
    "logout": _l("Logged out"),
    "user.created": _l("Account created"),
    "user.dev_admin": _l("Development admin account created"),
    "user.password_changed": _l("Password changed"),
    "user.role_changed": _l("Role changed"),
    "user.deactivated": _l("Account deactivated"),
}


@dataclass(frozen=True)
class StatusChange:
    """A submission's status before and after an event, when the event changed it."""

    before: SubmissionStatus
    after: SubmissionStatus


@dataclass(frozen=True)
class HistoryEntry:
    """One event of a target's history, ready to be shown."""

    at: datetime
    actor: str
    action: str
    change: StatusChange | None


def describe(action: str, details: Mapping[str, object]) -> str:
    """An event in words, in the current language; a consent event names its use."""
    words = str(ACTIONS.get(action, action))
    purpose = _purpose(details.get("purpose")) if action.startswith("consent.") else None
    if purpose is None:
        return words
    return gettext("%(event)s: %(use)s", event=words, use=str(PURPOSE[purpose]))


def status_change(details: Mapping[str, object]) -> StatusChange | None:
    """What an event did to a submission's status; None when the status stayed the same.

    Some actions keep the status (a moderator takes a story that waits for the person, the
    person answers a story already in review): « Validé → Validé » says nothing.
    """
    before, after = _status(details.get("before")), _status(details.get("after"))
    if before is None or after is None or before == after:
        return None
    return StatusChange(before, after)


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
            action=describe(event.action, event.details),
            change=status_change(event.details),
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


def _purpose(value: object) -> Purpose | None:
    values = {purpose.value for purpose in Purpose}
    return Purpose(value) if isinstance(value, str) and value in values else None
