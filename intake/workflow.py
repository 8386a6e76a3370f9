"""The life of a submission: the only module that changes its status.

received ──claim──▶ in_review ──approve──▶ approved ──mark published──▶ published
   │                 │    ▲
   │                 ├──ask / send for rereading──▶ awaiting_submitter
   │                 │    └── the person answers, accepts or asks for changes
   ├──────spam───────┤
   └─────reject──────┘──▶ rejected
any state ──the person withdraws──▶ withdrawn (the story is erased, a trace remains)

The team's functions take the version the moderator saw: if someone acted since,
StaleSubmission is raised and nothing is written. The person's functions (through their
follow-up code) need no version, except rereading, which names the exact text it accepts.
Every change touches the submission, so that a moderator's open page becomes stale.
Functions flush nothing themselves and never commit; mails wait for the commit.
"""

from __future__ import annotations

import hmac
from collections.abc import Collection
from datetime import datetime

from intake import notifications, safeguarding, takedowns
from intake.audit import PUBLIC_ACTOR, record_event
from intake.consent import ConsentMissing
from intake.crypto import keyring
from intake.extensions import db
from intake.models import (
    DeclineReason,
    Message,
    Note,
    Proofreading,
    Purpose,
    ScreeningLevel,
    Sender,
    Submission,
    SubmissionStatus,
    TakedownReason,
    User,
    utcnow,
)
from intake.screening import identifying

S = SubmissionStatus
SCREENING_ACTOR = "screening"
OPEN_STATES = frozenset({S.RECEIVED, S.IN_REVIEW, S.AWAITING_SUBMITTER})
EDITABLE_STATES = frozenset({S.IN_REVIEW, S.AWAITING_SUBMITTER})
APPROVABLE_STATES = frozenset({S.IN_REVIEW})
PUBLISHABLE_STATES = frozenset({S.APPROVED})
# What the person may change from the follow-up page; the rest needs a full withdrawal.
CHANGEABLE_CONSENTS = (*Purpose.publication(), Purpose.REVIEW_EDITS, Purpose.CONTACT)


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


class ProofreadingPending(WorkflowError):
    """The person asked to reread the edited version and has not accepted this one."""


class EditNotAgreed(WorkflowError):
    """The person did not agree to edits: only masking what identifies them is allowed."""


class DetailNotFound(WorkflowError):
    """The text to redact is not where the page said: the page was outdated or altered."""


class ConsentNotAsked(WorkflowError):
    """The person cannot change a consent their form did not ask for, or this one here."""


def _check(submission: Submission, version: int, action: str, allowed: Collection[S]) -> None:
    if submission.version != version:
        raise StaleSubmission(submission.public_id)
    if submission.status not in allowed:
        raise IllegalTransition(action, submission.status)


def _move(submission: Submission, actor: str, action: str, to: S, **details: object) -> None:
    before = submission.status
    record_event(
        f"submission.{action}",
        "submission",
        submission.public_id,
        actor=actor,
        before=before.value,
        after=to.value,
        **details,
    )
    submission.status = to
    # Touch the row even when the status stays, so that the version moves on every action.
    submission.updated_at = utcnow()
    if before != to:
        # Reading what the notice needs must not flush: the version check belongs to the commit.
        with db.session.no_autoflush:
            notifications.status_changed(submission, before, to)


def claim(submission: Submission, user: User, version: int) -> None:
    """Take a submission: it is now in review, by this person."""
    _check(submission, version, "claim", OPEN_STATES)
    if submission.assignee_id == user.id:
        raise IllegalTransition("claim", submission.status)
    to = S.IN_REVIEW if submission.status == S.RECEIVED else submission.status
    submission.assignee = user
    _move(submission, user.actor, "claimed", to)


def release(submission: Submission, user: User, version: int) -> None:
    """Give a submission back to the queue."""
    _check(submission, version, "release", EDITABLE_STATES)
    if submission.assignee_id is None:
        raise IllegalTransition("release", submission.status)
    to = S.RECEIVED if submission.status == S.IN_REVIEW else submission.status
    submission.assignee = None
    _move(submission, user.actor, "released", to)


def save_publishable(submission: Submission, user: User, version: int, text: str) -> None:
    """Save the moderators' redacted version; the original story never changes.

    Masking what identifies the person is always allowed (it protects them); any other
    change to their words needs their consent to edits.
    """
    _check(submission, version, "edit", EDITABLE_STATES)
    if not may_edit(submission) and not identifying.only_masks(submission.story, text):
        raise EditNotAgreed(submission.public_id)
    submission.publishable_text = text
    record_event(
        "submission.edited", "submission", submission.public_id, actor=user.actor, length=len(text)
    )


def ask(submission: Submission, user: User, version: int, question: str) -> Message:
    """Ask the person a question; they read it with their follow-up code."""
    _check(submission, version, "ask", EDITABLE_STATES)
    if not submission.agreed_to(Purpose.CONTACT):
        raise ConsentMissing(Purpose.CONTACT)
    message = Message(submission_id=submission.id, sender=Sender.TEAM, author=user, body=question)
    db.session.add(message)
    already_waiting = submission.status == S.AWAITING_SUBMITTER
    _move(submission, user.actor, "asked", S.AWAITING_SUBMITTER)
    if already_waiting:
        notifications.team_wrote(submission)
    return message


def approve(submission: Submission, user: User, version: int) -> None:
    """Approve for publication: needs a publishable version and a granted use."""
    _check(submission, version, "approve", APPROVABLE_STATES)
    if not (submission.publishable_text or "").strip():
        raise PublishableVersionMissing(submission.public_id)
    if not granted_uses(submission):
        raise ConsentMissing(Purpose.PUBLISH_SITE)
    if approval_waits_for_rereading(submission):
        raise ProofreadingPending(submission.public_id)
    _move(submission, user.actor, "approved", S.APPROVED)


def redact(
    submission: Submission,
    user: User,
    version: int,
    detail: str,
    kind: identifying.Kind,
    start: int | None,
) -> None:
    """Replace one identifying detail (at ``start``), or each occurrence of it (None), with
    its placeholder in the publishable version; the original never changes."""
    _check(submission, version, "edit", EDITABLE_STATES)
    base = submission.story if submission.publishable_text is None else submission.publishable_text
    try:
        submission.publishable_text = identifying.redact(base, detail, kind, start)
    except ValueError as error:
        raise DetailNotFound(submission.public_id) from error
    record_event(
        "submission.redacted",
        "submission",
        submission.public_id,
        actor=user.actor,
        kind=kind.value,
        every=start is None,
    )


def rerate(submission: Submission, user: User, version: int, level: ScreeningLevel) -> bool:
    """A moderator's judgement of the crisis rating; False when it stays the same."""
    _check(submission, version, "rerate", set(S))
    before = ScreeningLevel(submission.urgency)
    if level == before:
        return False
    submission.urgency = level
    submission.updated_at = utcnow()
    record_event(
        "submission.rerated",
        "submission",
        submission.public_id,
        actor=user.actor,
        level_before=int(before),
        level_after=int(level),
    )
    if level == ScreeningLevel.URGENT:
        notifications.urgent_flag(submission)
    return True


def send_for_rereading(submission: Submission, user: User, version: int) -> None:
    """Show the person the publishable version, as they asked, before approving it."""
    _check(submission, version, "proofread", EDITABLE_STATES)
    if not wants_to_reread(submission):
        raise ConsentNotAsked(Purpose.REVIEW_EDITS.value)
    if not (submission.publishable_text or "").strip():
        raise PublishableVersionMissing(submission.public_id)
    submission.proofreading = Proofreading.REQUESTED
    submission.proofread_hash = None
    _move(submission, user.actor, "sent_for_rereading", S.AWAITING_SUBMITTER)


def decline(
    submission: Submission, user: User, version: int, reason: DeclineReason, note: str
) -> None:
    """Decline, with a reason the person will read."""
    _check(submission, version, "decline", OPEN_STATES)
    submission.decline_reason = reason
    submission.decline_note = note or None
    _move(submission, user.actor, "declined", S.REJECTED, reason=reason.value)


def mark_spam(submission: Submission, user: User, version: int) -> None:
    """Set aside as spam."""
    _check(submission, version, "spam", OPEN_STATES)
    _move(submission, user.actor, "marked_spam", S.SPAM)


def mark_published(
    submission: Submission, user: User, version: int, url: str, published_at: datetime
) -> None:
    """Record where and when an approved story was published."""
    _check(submission, version, "publish", PUBLISHABLE_STATES)
    submission.published_url = url
    submission.published_at = published_at
    _move(submission, user.actor, "published", S.PUBLISHED)


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
    takedowns.open_takedown(submission, TakedownReason.DELETED, actor=user.actor)
    db.session.delete(submission)


def answer(submission: Submission, body: str) -> Message:
    """The person writes to the team; the story goes back to the moderators."""
    if submission.status not in OPEN_STATES:
        raise IllegalTransition("answer", submission.status)
    message = Message(submission_id=submission.id, sender=Sender.SUBMITTER, body=body)
    db.session.add(message)
    _move(submission, PUBLIC_ACTOR, "answered", _back_to_review(submission))
    _screen_message(submission, body)
    return message


def accept_rereading(submission: Submission, fingerprint: str) -> None:
    """The person accepts the exact version they were shown."""
    _check_rereading(submission, fingerprint)
    submission.proofreading = Proofreading.ACCEPTED
    submission.proofread_hash = fingerprint
    _move(submission, PUBLIC_ACTOR, "rereading_accepted", _back_to_review(submission))


def ask_for_changes(submission: Submission, fingerprint: str, comment: str) -> Message:
    """The person asks for changes to the version they were shown, saying which."""
    _check_rereading(submission, fingerprint)
    submission.proofreading = Proofreading.CHANGES_REQUESTED
    submission.proofread_hash = None
    message = Message(submission_id=submission.id, sender=Sender.SUBMITTER, body=comment)
    db.session.add(message)
    _move(submission, PUBLIC_ACTOR, "rereading_changes_asked", _back_to_review(submission))
    _screen_message(submission, comment)
    return message


def _screen_message(submission: Submission, body: str) -> None:
    """A message from the person is screened like their story: it may only raise the rating,
    and an urgent one alerts the team at once."""
    level = safeguarding.rate(body)
    before = ScreeningLevel(submission.urgency)
    if level <= before:
        return
    submission.urgency = level
    record_event(
        "submission.rerated",
        "submission",
        submission.public_id,
        actor=SCREENING_ACTOR,
        level_before=int(before),
        level_after=int(level),
    )
    if level == ScreeningLevel.URGENT:
        notifications.urgent_flag(submission)


def change_consent(submission: Submission, purpose: Purpose, granted: bool) -> bool:
    """The person gives or takes back one use; False when nothing changes.

    Taking back contact also erases the e-mail address, which served nothing else. Giving a
    use back records the wording shown now, as when the form was sent.
    """
    consent = submission.consent_for(purpose)
    if purpose not in CHANGEABLE_CONSENTS or consent is None:
        raise ConsentNotAsked(purpose.value)
    if submission.status == S.WITHDRAWN:
        raise IllegalTransition("consent", submission.status)
    if consent.granted == granted:
        return False
    now = utcnow()
    if granted:
        # The follow-up page shows the sentence agreed to then: that wording stays the proof.
        consent.decided_at, consent.withdrawn_at = now, None
    else:
        consent.withdrawn_at = now
        if purpose == Purpose.CONTACT:
            submission.email = None
    consent.granted = granted
    action = "consent.given" if granted else "consent.withdrawn"
    record_event(action, "submission", submission.public_id, purpose=purpose.value)
    if not granted and purpose in Purpose.publication():
        # Published or exported under this use: it must come down from there too.
        takedowns.open_takedown(submission, TakedownReason.USE_WITHDRAWN, purpose)
    if purpose == Purpose.REVIEW_EDITS and not granted and awaiting_rereading(submission):
        # No rereading is wanted any more: the story must not wait for one.
        submission.proofreading = None
        _move(submission, PUBLIC_ACTOR, "rereading_cancelled", _back_to_review(submission))
    if submission.status == S.APPROVED and not granted_uses(submission):
        # Nothing left to publish it for: it goes back to the moderators, out of exports.
        to = S.IN_REVIEW if submission.assignee_id is not None else S.RECEIVED
        _move(submission, PUBLIC_ACTOR, "approval_lifted", to)
    submission.updated_at = now
    return True


def withdraw(submission: Submission) -> None:
    """The person takes everything back: the story and all it holds are erased.

    Answers, consents, messages, notes and follow-up sessions go with the row; only a
    content-free event remains. The caller commits, then calls database.erase_traces().
    """
    # A published story must come down: the article's own address (the media's page, not
    # anything the person wrote) stays in the trace so that the team can find it.
    published = {"published_url": submission.published_url} if submission.published_url else {}
    record_event(
        "submission.withdrawn",
        "submission",
        submission.public_id,
        before=submission.status.value,
        after=S.WITHDRAWN.value,
        **published,
    )
    takedowns.open_takedown(submission, TakedownReason.WITHDRAWN)
    db.session.delete(submission)


def may_edit(submission: Submission) -> bool:
    """Whether the person agreed that the team shortens or corrects their words."""
    return submission.agreed_to(Purpose.EDIT)


def wants_to_reread(submission: Submission) -> bool:
    """Whether the person asked to approve the edited version before publication."""
    return submission.agreed_to(Purpose.REVIEW_EDITS)


def approval_waits_for_rereading(submission: Submission) -> bool:
    """Whether the person asked to reread and has not accepted the current publishable text."""
    return wants_to_reread(submission) and not reread_and_accepted(submission)


def reread_and_accepted(submission: Submission) -> bool:
    """Whether the person accepted the publishable version exactly as it is now."""
    text = submission.publishable_text
    return (
        submission.proofreading == Proofreading.ACCEPTED
        and text is not None
        and submission.proofread_hash == text_fingerprint(text)
    )


def awaiting_rereading(submission: Submission) -> bool:
    """Whether a version waits for the person's reading."""
    return (
        submission.proofreading == Proofreading.REQUESTED
        and submission.status in OPEN_STATES
        and submission.publishable_text is not None
    )


def text_fingerprint(text: str) -> str:
    """Keyed hash naming one exact version of a text, as carried by the rereading form."""
    return keyring().lookup_hash(b"proofread:" + text.encode())


def _check_rereading(submission: Submission, fingerprint: str) -> None:
    if not awaiting_rereading(submission):
        raise IllegalTransition("reread", submission.status)
    assert submission.publishable_text is not None
    if not hmac.compare_digest(fingerprint, text_fingerprint(submission.publishable_text)):
        # The team changed the text since the page was shown: show the new one.
        raise StaleSubmission(submission.public_id)


def _back_to_review(submission: Submission) -> S:
    """Where the person's action leaves a story: with its moderator, or back in the queue."""
    if submission.status != S.AWAITING_SUBMITTER:
        return submission.status
    return S.IN_REVIEW if submission.assignee_id is not None else S.RECEIVED


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
