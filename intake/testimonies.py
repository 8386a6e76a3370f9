"""Receiving a testimony: one story, its answers and consents, filed once per form."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from intake import codes, notifications, safeguarding
from intake.audit import record_event
from intake.consent import ConsentMissing, record_consents
from intake.crypto import keyring
from intake.extensions import db
from intake.models import (
    Answer,
    Call,
    CallQuestion,
    CreditMode,
    Purpose,
    ReceiptDisplay,
    ScreeningLevel,
    Submission,
)

# Long enough for a slow connection to reach the thank-you page; the form sent again (same
# key) shows the same code anew.
RECEIPT_SHOWN_WITHIN = timedelta(hours=1)


class CallClosed(Exception):
    """The call no longer accepts stories (it closed while the person was writing)."""


@dataclass(frozen=True)
class TestimonyDraft:
    """What a person sent, already cleaned and checked for shape."""

    submission_key: str
    story: str
    credit_mode: CreditMode
    credit_name: str | None
    email: str | None
    locale: str
    consents: Mapping[Purpose, bool]
    # The exact sentence shown for each purpose asked.
    wordings: Mapping[Purpose, str]
    answers: Sequence[tuple[CallQuestion, str | list[str]]] = field(default_factory=tuple)


@dataclass(frozen=True)
class Receipt:
    """The filed submission and its follow-up code, to be shown once."""

    submission: Submission
    code: str
    created: bool


def submit_testimony(draft: TestimonyDraft, call: Call | None, now: datetime) -> Receipt:
    """File a story; the same form sent again returns the story already filed."""
    key = draft.submission_key
    existing = find_by_submission_key(key)
    if existing is not None and existing.story != draft.story:
        # The same form reused for another text (back button): another story, under a key
        # derived from the text, so that retrying this one is idempotent too.
        key = codes.derive_submission_key(key, draft.story)
        existing = find_by_submission_key(key)
    if existing is not None:
        return Receipt(existing, codes.derive_code(key), created=False)
    if call is not None and not call.accepts_submissions(now):
        raise CallClosed(call.slug)
    try:
        with db.session.begin_nested():
            submission = _new_submission(draft, call, key)
    except IntegrityError:
        # A simultaneous retry of the same form won the race: show what it filed.
        winner = find_by_submission_key(key)
        if winner is None:
            raise
        return Receipt(winner, codes.derive_code(key), created=False)
    record_event(
        "submission.received",
        "submission",
        submission.public_id,
        call=call.slug if call else None,
        urgency=int(submission.urgency),
    )
    notifications.new_submission(submission)
    return Receipt(submission, codes.derive_code(key), created=True)


@dataclass(frozen=True)
class ShownReceipt:
    """What the thank-you page shows, once."""

    code: str
    call_slug: str | None
    support: bool


def hold_receipt(receipt: Receipt, call: Call | None, now: datetime) -> str:
    """Keep the code on the server for its one showing; the token the cookie carries."""
    db.session.execute(
        delete(ReceiptDisplay).where(ReceiptDisplay.created_at < now - RECEIPT_SHOWN_WITHIN)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        ReceiptDisplay(
            token_hash=_receipt_token_hash(token),
            code=receipt.code,
            call_slug=call.slug if call else None,
            # Only whether to put the help lines first, never the rating itself.
            support=receipt.submission.urgency >= ScreeningLevel.CONCERN,
            created_at=now,
        )
    )
    return token


def take_receipt(token: object, now: datetime) -> ShownReceipt | None:
    """The receipt a token holds, deleted as it is read (one statement): shown once only."""
    if not isinstance(token, str) or not token:
        return None
    taken = db.session.execute(
        delete(ReceiptDisplay)
        .where(
            ReceiptDisplay.token_hash == _receipt_token_hash(token),
            ReceiptDisplay.created_at >= now - RECEIPT_SHOWN_WITHIN,
        )
        .returning(ReceiptDisplay.code, ReceiptDisplay.call_slug, ReceiptDisplay.support)
    ).first()
    return None if taken is None else ShownReceipt(taken.code, taken.call_slug, taken.support)


def _receipt_token_hash(token: str) -> str:
    return keyring().lookup_hash(b"receipt-display:" + token.encode())


def find_by_submission_key(submission_key: str) -> Submission | None:
    """The submission filed by a form, if any."""
    digest = codes.hash_submission_key(submission_key)
    return db.session.scalar(select(Submission).where(Submission.submission_key_hash == digest))


def _new_submission(draft: TestimonyDraft, call: Call | None, key: str) -> Submission:
    anonymous = draft.credit_mode == CreditMode.ANONYMOUS or bool(call and call.anonymous_only)
    if draft.email and not draft.consents.get(Purpose.CONTACT):
        raise ConsentMissing(Purpose.CONTACT)
    submission = Submission(
        public_id=codes.new_public_id(),
        call=call,
        story=draft.story,
        story_length=len(draft.story),
        credit_mode=CreditMode.ANONYMOUS if anonymous else draft.credit_mode,
        credit_name=None if anonymous else draft.credit_name,
        email=draft.email or None,
        locale=draft.locale,
        receipt_hash=codes.hash_code(codes.derive_code(key)),
        # Screened before anything else happens to it, so that an urgent story is first in
        # the queue and alerts the team at once; the rating never refuses or delays it.
        urgency=safeguarding.rate(draft.story, safeguarding.written(v for _q, v in draft.answers)),
        submission_key_hash=codes.hash_submission_key(key),
    )
    for position, (question, value) in enumerate(draft.answers):
        submission.answers.append(
            Answer(
                question=question,
                position=position,
                question_label=question.label,
                value=json.dumps(value, ensure_ascii=False),
            )
        )
    record_consents(submission, draft.consents, draft.wordings, draft.locale)
    db.session.add(submission)
    db.session.flush()
    return submission
