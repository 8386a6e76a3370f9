"""The life of a submission: the only module that changes its status.

received ──claim──▶ in_review ──approve──▶ approved ──mark published──▶ published
   │                 │    ▲
   │                 ├──ask──▶ awaiting_submitter (the person's answer brings it back)
   ├──────spam───────┤
   └─────reject──────┘──▶ rejected
any state ──the person withdraws──▶ withdrawn

Every function takes the version the moderator saw: if someone acted since, StaleSubmission
is raised and nothing is written. Functions flush nothing themselves and never commit.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from intake.audit import record_event
from intake.consent import ConsentMissing
from intake.extensions import db
from intake.models import (
    DeclineReason,
    Message,
    Note,
    Purpose,
    Sender,
    Submission,
    SubmissionStatus,
    User,
    utcnow,
)

S = SubmissionStatus
OPEN_STATES = frozenset({S.RECEIVED, S.IN_REVIEW, S.AWAITING_SUBMITTER})
EDITABLE_STATES = frozenset({S.IN_REVIEW, S.AWAITING_SUBMITTER})
APPROVABLE_STATES = frozenset({S.IN_REVIEW})
PUBLISHABLE_STATES = frozenset({S.APPROVED})


class WorkflowError(Exception):
    """An action that cannot be done on this submission now."""


class IllegalTransition(WorkflowError):
    """The action is not possible from the submission's current status."""

    def __init__(self, action: str, status: SubmissionStatus) -> None:
        super().__init__(f"{action} is not possible from {status.value}")
        self.action, self.status = action, status


class StaleSubmission(WorkflowError):
    """Someone acted on the submission since the page was shown."""


class PublishableVersionMissing(WorkflowError):
    """Approving needs a publishable version."""


def _check(submission: Submission, version: int, action: str, allowed: Collection[S]) -> None:
    if submission.version != version:
        raise StaleSubmission(submission.public_id)
    if submission.status not in allowed:
        raise IllegalTransition(action, submission.status)


def _move(submission: Submission, user: User, action: str, to: S, **details: object) -> None:
    record_event(
        f"submission.{action}",
        "submission",
        submission.public_id,
        actor=user.actor,
        before=submission.status.value,
        after=to.value,
        **details,
    )
    submission.status = to
    # Touch the row even when the status stays, so that the version moves on every action.
    submission.updated_at = utcnow()


def claim(submission: Submission, user: User, version: int) -> None:
    """Take a submission: it is now in review, by this person."""
    _check(submission, version, "claim", OPEN_STATES)
    if submission.assignee_id == user.id:
        raise IllegalTransition("claim", submission.status)
    to = S.IN_REVIEW if submission.status == S.RECEIVED else submission.status
    submission.assignee = user
    _move(submission, user, "claimed", to)


def release(submission: Submission, user: User, version: int) -> None:
    """Give a submission back to the queue."""
    _check(submission, version, "release", EDITABLE_STATES)
    if submission.assignee_id is None:
        raise IllegalTransition("release", submission.status)
    to = S.RECEIVED if submission.status == S.IN_REVIEW else submission.status
    submission.assignee = None
    _move(submission, user, "released", to)


def save_publishable(submission: Submission, user: User, version: int, text: str) -> None:
    """Save the moderators' redacted version; the original story never changes."""
    _check(submission, version, "edit", EDITABLE_STATES)
    submission.publishable_text = text
    record_event(
        "submission.edited", "submission", submission.public_id, actor=user.actor, length=len(text)
    )


def ask(submission: Submission, user: User, version: int, question: str) -> Message:
    """Ask the person a question; they read it with their follow-up code."""
    _check(submission, version, "ask", EDITABLE_STATES)
    contact = submission.consent_for(Purpose.CONTACT)
    if contact is None or not contact.granted:
        raise ConsentMissing(Purpose.CONTACT)
    message = Message(submission_id=submission.id, sender=Sender.TEAM, author=user, body=question)
    db.session.add(message)
    _move(submission, user, "asked", S.AWAITING_SUBMITTER)
    return message


def approve(submission: Submission, user: User, version: int) -> None:
    """Approve for publication: needs a publishable version and a granted use."""
    _check(submission, version, "approve", APPROVABLE_STATES)
    if not (submission.publishable_text or "").strip():
        raise PublishableVersionMissing(submission.public_id)
    if not granted_uses(submission):
        raise ConsentMissing(Purpose.PUBLISH_SITE)
    _move(submission, user, "approved", S.APPROVED)


def decline(
    submission: Submission, user: User, version: int, reason: DeclineReason, note: str
) -> None:
    """Decline, with a reason the person will read."""
    _check(submission, version, "decline", OPEN_STATES)
    submission.decline_reason = reason
    submission.decline_note = note or None
    _move(submission, user, "declined", S.REJECTED, reason=reason.value)


def mark_spam(submission: Submission, user: User, version: int) -> None:
    """Set aside as spam."""
    _check(submission, version, "spam", OPEN_STATES)
    _move(submission, user, "marked_spam", S.SPAM)


def mark_published(
    submission: Submission, user: User, version: int, url: str, published_at: datetime
) -> None:
    """Record where and when an approved story was published."""
    _check(submission, version, "publish", PUBLISHABLE_STATES)
    submission.published_url = url
    submission.published_at = published_at
    _move(submission, user, "published", S.PUBLISHED)


def delete(submission: Submission, user: User, version: int) -> None:
    """Erase a submission entirely (admins); only a content-free audit event remains."""
    _check(submission, version, "delete", set(S))
    record_event(
        "submission.deleted",
        "submission",
        submission.public_id,
        actor=user.actor,
        before=submission.status.value,
    )
    db.session.delete(submission)


def add_note(submission: Submission, user: User, body: str) -> Note:
    """Add an internal note; it changes nothing else, so it needs no version."""
    if submission.status == S.WITHDRAWN:
        raise IllegalTransition("note", submission.status)
    note = Note(submission_id=submission.id, author=user, body=body)
    db.session.add(note)
    record_event("submission.noted", "submission", submission.public_id, actor=user.actor)
    return note


def reveal_contact(submission: Submission, user: User) -> str | None:
    """The person's e-mail address, shown to a moderator and traced."""
    record_event(
        "submission.contact_revealed", "submission", submission.public_id, actor=user.actor
    )
    return submission.email


def granted_uses(submission: Submission) -> list[Purpose]:
    """The publication uses the person consented to."""
    publication = set(Purpose.publication())
    return [c.purpose for c in submission.consents if c.purpose in publication and c.granted]
