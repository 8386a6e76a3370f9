"""The person's side of a story, reached with the follow-up code.

A right code opens a short session bound to that one submission: the cookie carries a
random token whose keyed hash is stored, never the code. A wrong code is told apart from
nothing: one message, the same work done, and a trace without the attempted code.
"""

from __future__ import annotations

import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from intake import codes
from intake.audit import record_event
from intake.crypto import keyring
from intake.extensions import db
from intake.history import describe, status_change
from intake.models import (
    AuditEvent,
    FollowupSession,
    Purpose,
    Sender,
    Submission,
    SubmissionStatus,
)
from intake.review import thread_of
from intake.workflow import CHANGEABLE_CONSENTS, awaiting_rereading

SESSION_LENGTH = timedelta(minutes=30)
# The team's working steps, not what became of the story: who read an address or wrote a
# note, where a detail was masked (the edited version itself is in the download), and the
# triage rating of the story, which is for the moderators' order of reading.
TEAM_WORKING_STEPS = frozenset(
    {
        "submission.contact_revealed",
        "submission.noted",
        "submission.redacted",
        "submission.rerated",
    }
)
S = SubmissionStatus
# A well-formed code that no submission has: a mistyped code costs the same lookup.
_DECOY_CODE = "0" * (codes.GROUPS * codes.GROUP_SIZE)


@dataclass(frozen=True)
class PersonStatus:
    """Where a story stands, in the words the person reads."""

    key: str
    label: str
    explanation: str


PERSON_STATUS = {
    "received": (
        _l("Received"),
        _l("Your story has arrived safely. Nobody has started reading it yet."),
    ),
    "in_review": (
        _l("Being read"),
        _l("Someone in the team is reading your story."),
    ),
    "question": (
        _l("A question for you"),
        _l("The team has written to you: their message is below."),
    ),
    "rereading": (
        _l("Your rereading is awaited"),
        _l("The edited version of your story is ready: read it below and tell us."),
    ),
    "approved": (
        _l("Approved"),
        _l(
            "Your story has been approved for publication. We will let you know here when "
            "it is published."
        ),
    ),
    "published": (
        _l("Published"),
        _l("Your story has been published. Thank you for sharing it."),
    ),
    "declined": (
        _l("Not kept"),
        _l("We will not publish your story. Thank you for trusting us with it."),
    ),
    "withdrawn": (
        _l("Withdrawn"),
        _l("You withdrew your story: it has been erased."),
    ),
}


def status_of(submission: Submission) -> PersonStatus:
    """The person's wording for a submission's status."""
    status = submission.status
    if status == S.AWAITING_SUBMITTER:
        key = "rereading" if awaiting_rereading(submission) else "question"
    elif status in (S.REJECTED, S.SPAM):
        key = "declined"
    else:
        key = status.value
    label, explanation = PERSON_STATUS[key]
    return PersonStatus(key, str(label), str(explanation))


def open_session(typed_code: str, now: datetime) -> str | None:
    """Check a typed code; a new session token if it opens a story, None otherwise."""
    digest = codes.hash_code(typed_code)
    lookup = digest or codes.hash_code(_DECOY_CODE)
    found = db.session.scalar(select(Submission).where(Submission.receipt_hash == lookup))
    if found is None or digest is None or not hmac.compare_digest(found.receipt_hash, digest):
        # Nothing of what was typed is kept: only that an attempt failed.
        record_event("followup.failed", "followup", "-")
        return None
    token = secrets.token_urlsafe(32)
    db.session.execute(
        delete(FollowupSession).where(FollowupSession.created_at < now - SESSION_LENGTH)
    )
    db.session.add(
        FollowupSession(
            token_hash=_token_hash(token), submission=found, created_at=now, last_seen_at=now
        )
    )
    record_event("followup.opened", "submission", found.public_id)
    return token


def current_submission(token: str | None, now: datetime) -> Submission | None:
    """The submission a session token opens, if the session is still running."""
    if not token:
        return None
    opened = db.session.get(FollowupSession, _token_hash(token))
    if opened is None or opened.created_at < now - SESSION_LENGTH:
        return None
    return opened.submission


def close_session(token: str | None) -> None:
    """End a session at once (« quitter »)."""
    if token:
        db.session.execute(
            delete(FollowupSession).where(FollowupSession.token_hash == _token_hash(token))
        )


def draft_scope(submission: Submission) -> str:
    """An opaque name for the story, that the browser keeps with a draft of the follow-up: a
    draft comes back only to the same story, never to someone else's code typed in the same
    tab. Keyed, so that it cannot be traced to the story without the server."""
    return keyring().lookup_hash(b"followup-draft:" + submission.public_id.encode())[:16]


def changeable_consents(submission: Submission) -> list[Purpose]:
    """The consents the person can change from the follow-up page, in the form's order."""
    asked = {c.purpose for c in submission.consents}
    return [p for p in CHANGEABLE_CONSENTS if p in asked]


def my_data(submission: Submission, now: datetime) -> bytes:
    """Everything the person gave and what became of it, as a JSON document."""
    status = status_of(submission)
    document: dict[str, Any] = {
        "exported_at": now.isoformat(),
        "story": {
            "received_at": submission.created_at.isoformat(),
            "call": submission.call.title if submission.call else None,
            "text": submission.story,
            "edited_version": submission.publishable_text,
        },
        "answers": [
            {"question": answer.question_label, "answer": json.loads(answer.value)}
            for answer in submission.answers
        ],
        "credit": {"mode": submission.credit_mode.value, "name": submission.credit_name},
        "email": submission.email,
        "consents": [
            {
                "purpose": consent.purpose.value,
                "granted": consent.granted,
                "decided_at": consent.decided_at.isoformat(),
                "withdrawn_at": consent.withdrawn_at.isoformat() if consent.withdrawn_at else None,
                "wording": consent.wording.text,
                "wording_sha256": consent.wording_hash,
            }
            for consent in sorted(submission.consents, key=lambda c: c.id)
        ],
        "messages": [
            {
                "from": "you" if message.sender == Sender.SUBMITTER else "team",
                "at": message.created_at.isoformat(),
                "text": message.body,
            }
            for message in thread_of(submission)
        ],
        "status": {
            "current": submission.status.value,
            "in_words": status.label,
            "published_url": submission.published_url,
            "history": status_history(submission),
        },
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def status_history(submission: Submission) -> list[dict[str, Any]]:
    """What happened to the story, in words, when, and whether the team or the person did it;
    ``status`` is the status an event led to, only when it changed."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.target_type == "submission", AuditEvent.target_id == submission.public_id)
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return [
        {
            "at": event.at.isoformat(),
            "event": describe(event.action, event.details),
            "by": "team" if event.actor.startswith("user:") else "you",
            "status": _status_reached(event),
        }
        for event in db.session.scalars(query)
        if event.action not in TEAM_WORKING_STEPS
    ]


def _status_reached(event: AuditEvent) -> str | None:
    if event.action == "submission.received":
        return S.RECEIVED.value
    change = status_change(event.details)
    return change.after.value if change else None


def _token_hash(token: str) -> str:
    return keyring().lookup_hash(b"followup-session:" + token.encode())
