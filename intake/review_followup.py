"""What the team reads of the person's side of a story: their rereading, the uses they took back.

Read-only, and derived from what is already stored: the submission, its consents and its audit
trail. The dates come from the trail, which retention may have thinned: they can be missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from intake.extensions import db
from intake.models import AuditEvent, Consent, Proofreading, Purpose, Submission, SubmissionStatus
from intake.workflow import (
    APPROVABLE_STATES,
    ProofreadingPending,
    WorkflowError,
    approval_waits_for_rereading,
    reread_and_accepted,
    wants_to_reread,
)

S = SubmissionStatus
# The event that brought the rereading to each stage, for its date.
STAGE_EVENTS = {
    "sent": "submission.sent_for_rereading",
    "accepted": "submission.rereading_accepted",
    "outdated": "submission.rereading_accepted",
    "changes_asked": "submission.rereading_changes_asked",
}


@dataclass(frozen=True)
class Rereading:
    """Where the person's rereading stands: not_sent, sent, accepted, outdated (accepted, but
    the publishable version changed since) or changes_asked; and since when, if recorded."""

    stage: str
    at: datetime | None


def rereading_of(submission: Submission) -> Rereading | None:
    """Where the rereading stands; None when the person did not ask to reread."""
    if not wants_to_reread(submission):
        return None
    stage = _stage(submission)
    event = STAGE_EVENTS.get(stage)
    return Rereading(stage, None if event is None else last_event_at(submission, event))


def _stage(submission: Submission) -> str:
    if submission.proofreading == Proofreading.REQUESTED:
        return "sent"
    if submission.proofreading == Proofreading.ACCEPTED:
        return "accepted" if reread_and_accepted(submission) else "outdated"
    if submission.proofreading == Proofreading.CHANGES_REQUESTED:
        return "changes_asked"
    return "not_sent"


def approval_blocker(submission: Submission) -> WorkflowError | None:
    """Why approval would be refused though the status allows it: the person's rereading."""
    if submission.status in APPROVABLE_STATES and approval_waits_for_rereading(submission):
        return ProofreadingPending(submission.public_id)
    return None


def uses_taken_back(submission: Submission) -> list[Consent]:
    """Publication uses the person withdrew since the story was approved, in the form's order.

    Only for an approved or published story: the team must stop using it for them, or take
    it down. A use withdrawn before the approval was known when approving, and is left out.
    """
    if submission.status not in (S.APPROVED, S.PUBLISHED):
        return []
    approved_at = last_event_at(submission, "submission.approved")
    order = Purpose.publication()
    return sorted(
        (
            consent
            for consent in submission.consents
            if consent.purpose in order
            and not consent.granted
            and consent.withdrawn_at is not None
            and (approved_at is None or consent.withdrawn_at >= approved_at)
        ),
        key=lambda consent: order.index(consent.purpose),
    )


def last_event_at(submission: Submission, action: str) -> datetime | None:
    """When this action last happened to the submission, by its audit trail."""
    query = select(func.max(AuditEvent.at)).where(
        AuditEvent.target_type == "submission",
        AuditEvent.target_id == submission.public_id,
        AuditEvent.action == action,
    )
    return db.session.scalar(query)
