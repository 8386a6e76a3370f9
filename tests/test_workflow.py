"""A submission's life: every transition, its trace, and what no sequence of actions reaches.

The moderators act with the version their page showed; the person acts through their
follow-up code: they answer, reread, give or take back a use, or withdraw everything.
"""

from __future__ import annotations

import json
import smtplib
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any, NamedTuple

import pytest
from argon2 import PasswordHasher
from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select, text
from sqlalchemy.orm.exc import StaleDataError

from intake import accounts, codes, consent, testimonies, workflow
from intake.audit import PUBLIC_ACTOR
from intake.consent import ConsentMissing
from intake.extensions import db
from intake.models import (
    AuditEvent,
    Consent,
    CreditMode,
    DeclineReason,
    Message,
    Note,
    Proofreading,
    Purpose,
    Sender,
    Submission,
    SubmissionStatus,
    User,
    utcnow,
)
from intake.workflow import (
    ConsentNotAsked,
    EditNotAgreed,
    IllegalTransition,
    ProofreadingPending,
    PublishableVersionMissing,
    StaleSubmission,
    WorkflowError,
)
from tests.helpers import make_user

S = SubmissionStatus
OPEN = frozenset({S.RECEIVED, S.IN_REVIEW, S.AWAITING_SUBMITTER})
BEING_EDITED = frozenset({S.IN_REVIEW, S.AWAITING_SUBMITTER})
ALL = frozenset(S)

# DESIGN.md's lifecycle, written out independently of the module: where each action may start.
ALLOWED_FROM: dict[str, frozenset[SubmissionStatus]] = {
    "claim": OPEN,
    "release": BEING_EDITED,
    "edit": BEING_EDITED,
    "ask": BEING_EDITED,
    "approve": frozenset({S.IN_REVIEW}),
    "reread": BEING_EDITED,
    "decline": OPEN,
    "spam": OPEN,
    "publish": frozenset({S.APPROVED}),
    "delete": ALL,
}
EVENT = {
    "claim": "submission.claimed",
    "release": "submission.released",
    "edit": "submission.edited",
    "ask": "submission.asked",
    "approve": "submission.approved",
    "reread": "submission.sent_for_rereading",
    "decline": "submission.declined",
    "spam": "submission.marked_spam",
    "publish": "submission.published",
    "delete": "submission.deleted",
    "note": "submission.noted",
}

# Recognisable content, so that a leak into the audit trail is easy to spot.
ORIGINAL = (
    "Je m'appelle Zélie, j'habite rue des Glycines à Nantes. Quand ma fille est née, "
    "j'avais peur de ne pas y arriver avec mon trouble bipolaire."
)
EMAIL = "zelie.glycines@example.org"
PUBLISHABLE = "J'habite [adresse retirée]. Quand ma fille est née, j'avais peur."
# The original with what identifies the person masked, and not a word more changed.
MASKED = ORIGINAL.replace("Zélie", "[prénom]").replace("rue des Glycines", "[adresse]")
EDITED = "Version relue par l'équipe : quand ma fille est née, j'avais peur."
QUESTION = "Pouvez-vous préciser la ville où vous viviez alors ?"
NOTE = "Note interne : vérifier l'adresse avant publication."
ANSWER = "Réponse de Zélie : c'était à Rezé, mais ne le dites pas."
CHANGES = "Demande de Zélie : enlevez la phrase sur ma fille, s'il vous plaît."
DECLINE_NOTE = "Récit trop proche d'un autre déjà publié ce mois-ci."
ARTICLE_URL = "https://media.example/articles/parentalite-zelie"
CONTENT = (
    "Zélie",
    "Glycines",
    EMAIL,
    "adresse retirée",
    "relue par",
    "préciser",
    NOTE,
    "trop proche",
    "Rezé",
    "enlevez la phrase",
)


class Team(NamedTuple):
    first: User
    second: User
    admin: User


@pytest.fixture
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters: these tests are about stories, not passwords."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture
def people(app: Flask, fast_hashing: None) -> Iterator[Team]:
    """Two moderators and an admin, inside a request context the tests work in."""
    with app.test_request_context():
        yield Team(
            make_user("moderator"),
            make_user("moderator", "second.moderateur@intake.example"),
            make_user("admin"),
        )


def new_submission(
    uses: Iterable[Purpose] = (Purpose.PUBLISH_SITE,),
    contact: bool = True,
    rereads: bool = False,
    edits: bool = True,
) -> Submission:
    """A story as the public form files it, with these publication uses granted, maybe the
    agreement to edits, and maybe the wish to reread the edited version before publication."""
    wordings = consent.wordings_for(None)
    granted = {Purpose.AGE, Purpose.HEALTH_DATA, *uses, *([Purpose.CONTACT] if contact else [])}
    if edits:
        granted |= {Purpose.EDIT}
    if rereads:
        granted |= {Purpose.EDIT, Purpose.REVIEW_EDITS}
    draft = testimonies.TestimonyDraft(
        submission_key=codes.new_submission_key(),
        story=ORIGINAL,
        credit_mode=CreditMode.FIRST_NAME,
        credit_name="Zélie",
        email=EMAIL if contact else None,
        locale="fr",
        consents={purpose: purpose in granted for purpose in wordings},
        wordings=wordings,
    )
    submission = testimonies.submit_testimony(draft, None, utcnow()).submission
    db.session.commit()
    return submission


def in_state(
    status: SubmissionStatus,
    assignee: User | None = None,
    publishable: str | None = PUBLISHABLE,
    **kind: Any,
) -> Submission:
    """A story already brought to a status (by earlier moderators), committed."""
    submission = new_submission(**kind)
    submission.status = status
    submission.assignee = assignee if status in BEING_EDITED else None
    if status != S.RECEIVED:
        submission.publishable_text = publishable
    db.session.commit()
    return submission


def perform(
    action: str,
    submission: Submission,
    user: User,
    version: int,
    text: str = EDITED,
    reason: DeclineReason = DeclineReason.IDENTIFYING,
) -> object:
    """One moderator action through the workflow module, with recognisable content."""
    if action == "edit":
        return workflow.save_publishable(submission, user, version, text)
    if action == "ask":
        return workflow.ask(submission, user, version, QUESTION)
    if action == "decline":
        return workflow.decline(submission, user, version, reason, DECLINE_NOTE)
    if action == "publish":
        return workflow.mark_published(submission, user, version, ARTICLE_URL, utcnow())
    if action == "note":
        return workflow.add_note(submission, user, NOTE)
    plain = {
        "claim": workflow.claim,
        "release": workflow.release,
        "approve": workflow.approve,
        "reread": workflow.send_for_rereading,
        "spam": workflow.mark_spam,
        "delete": workflow.delete,
    }
    return plain[action](submission, user, version)


def status_after(action: str, start: SubmissionStatus) -> SubmissionStatus:
    """Where a successful action leads, per DESIGN.md."""
    return {
        "claim": S.IN_REVIEW if start == S.RECEIVED else start,
        "release": S.RECEIVED if start == S.IN_REVIEW else start,
        "edit": start,
        "note": start,
        "ask": S.AWAITING_SUBMITTER,
        "reread": S.AWAITING_SUBMITTER,
        "approve": S.APPROVED,
        "decline": S.REJECTED,
        "spam": S.SPAM,
        "publish": S.PUBLISHED,
    }[action]


def snapshot(submission_id: int) -> dict[str, Any] | None:
    """Everything the database holds about one submission, read afresh (None once erased)."""
    db.session.expire_all()
    row = db.session.get(Submission, submission_id)
    if row is None:
        return None
    return {
        "status": row.status,
        "version": row.version,
        "assignee": row.assignee_id,
        "story": row.story,
        "publishable": row.publishable_text,
        "rereading": (row.proofreading, row.proofread_hash),
        "email": row.email,
        "decline": (row.decline_reason, row.decline_note),
        "published": (row.published_url, row.published_at),
        "consents": sorted(
            (c.purpose.value, c.granted, c.withdrawn_at is not None) for c in row.consents
        ),
        "notes": count(Note, Note.submission_id == submission_id),
        "messages": count(Message, Message.submission_id == submission_id),
    }


def count(model: type[Any], *where: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def events_since(first_id: int) -> list[AuditEvent]:
    """The audit events written after a given one."""
    query = select(AuditEvent).where(AuditEvent.id > first_id).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def last_event_id() -> int:
    return db.session.scalar(select(func.max(AuditEvent.id))) or 0


def assert_content_free(event: AuditEvent) -> None:
    """An audit event names who, what and which, never what a person wrote or their address."""
    fields = [event.actor, event.action, event.target_type, event.target_id, event.details]
    blob = json.dumps(fields, ensure_ascii=False, default=str).lower()
    leaked = [fragment for fragment in CONTENT if fragment.lower() in blob]
    assert not leaked, f"{event.action} holds {leaked}: {blob}"


def only_new_event(since: int) -> AuditEvent:
    events = events_since(since)
    assert len(events) == 1, [e.action for e in events]
    assert_content_free(events[0])
    return events[0]


# --- Every legal transition, and its trace -----------------------------------------------

LEGAL = [
    (action, start)
    for action, starts in ALLOWED_FROM.items()
    if action != "delete"
    for start in sorted(starts)
]


# What a story needs for an action to be possible at all, whatever its status.
NEEDS: dict[str, dict[str, Any]] = {"reread": {"rereads": True}}


@pytest.mark.parametrize(("action", "start"), LEGAL, ids=[f"{a}-from-{s}" for a, s in LEGAL])
def test_moderator_moves_a_story_along_the_lifecycle_and_it_is_traced(
    people: Team, action: str, start: SubmissionStatus
) -> None:
    submission = in_state(start, assignee=people.first, **NEEDS.get(action, {}))
    before, since = snapshot(submission.id), last_event_id()
    assert before is not None

    perform(action, submission, people.second, before["version"])
    db.session.commit()

    after = snapshot(submission.id)
    assert after is not None
    assert after["status"] == status_after(action, start)
    assert after["story"] == ORIGINAL
    # Every action makes every page showing the old version stale, even one that leaves the
    # status as it was (a second question).
    assert after["version"] > before["version"]
    event = only_new_event(since)
    assert (event.action, event.actor) == (EVENT[action], f"user:{people.second.id}")
    assert (event.target_type, event.target_id) == ("submission", submission.public_id)
    if action != "edit":
        assert event.details["before"] == start.value
        assert event.details["after"] == status_after(action, start).value


def test_claiming_assigns_the_story_and_releasing_gives_it_back(people: Team) -> None:
    submission = new_submission()
    workflow.claim(submission, people.first, submission.version)
    db.session.commit()
    assert (submission.status, submission.assignee_id) == (S.IN_REVIEW, people.first.id)

    workflow.release(submission, people.first, submission.version)
    db.session.commit()
    assert (submission.status, submission.assignee_id) == (S.RECEIVED, None)


def test_editing_keeps_the_original_story_and_traces_only_the_length(people: Team) -> None:
    submission = in_state(S.IN_REVIEW, assignee=people.first, publishable=None)
    since = last_event_id()
    workflow.save_publishable(submission, people.first, submission.version, EDITED)
    db.session.commit()

    after = snapshot(submission.id)
    assert after is not None
    assert (after["story"], after["publishable"]) == (ORIGINAL, EDITED)
    assert only_new_event(since).details == {"length": len(EDITED)}


def test_question_is_kept_for_the_person_and_waits_for_them(people: Team) -> None:
    submission = in_state(S.IN_REVIEW, assignee=people.first)
    workflow.ask(submission, people.first, submission.version, QUESTION)
    db.session.commit()

    (message,) = db.session.scalars(select(Message).where(Message.submission_id == submission.id))
    assert (message.body, message.sender, message.author_id) == (
        QUESTION,
        Sender.TEAM,
        people.first.id,
    )
    assert submission.status == S.AWAITING_SUBMITTER


def test_declined_story_keeps_the_reason_for_the_person(people: Team) -> None:
    submission = in_state(S.IN_REVIEW, assignee=people.first)
    since = last_event_id()
    workflow.decline(
        submission, people.first, submission.version, DeclineReason.DUPLICATE, DECLINE_NOTE
    )
    db.session.commit()

    assert (submission.decline_reason, submission.decline_note) == (
        DeclineReason.DUPLICATE,
        DECLINE_NOTE,
    )
    assert only_new_event(since).details["reason"] == "duplicate"


def test_publishing_records_where_and_when(people: Team) -> None:
    submission = in_state(S.APPROVED)
    when = utcnow() - timedelta(days=1)
    workflow.mark_published(submission, people.first, submission.version, ARTICLE_URL, when)
    db.session.commit()

    after = snapshot(submission.id)
    assert after is not None
    assert after["status"] == S.PUBLISHED
    assert after["published"][0] == ARTICLE_URL
    assert abs(after["published"][1] - when) < timedelta(seconds=1)


def test_internal_note_changes_nothing_else_and_is_traced_without_its_text(people: Team) -> None:
    submission = in_state(S.IN_REVIEW, assignee=people.first)
    before, since = snapshot(submission.id), last_event_id()
    workflow.add_note(submission, people.first, NOTE)
    db.session.commit()

    after = snapshot(submission.id)
    assert before is not None and after is not None
    assert after == {**before, "notes": 1}
    assert only_new_event(since).action == "submission.noted"


def test_revealing_the_contact_address_is_traced_without_the_address(people: Team) -> None:
    submission = new_submission()
    since = last_event_id()
    assert workflow.reveal_contact(submission, people.first) == EMAIL
    db.session.commit()
    event = only_new_event(since)
    assert (event.action, event.actor) == ("submission.contact_revealed", people.first.actor)


# --- Refusals change nothing ------------------------------------------------------------

ILLEGAL = [
    (action, start) for action, starts in ALLOWED_FROM.items() for start in sorted(ALL - starts)
]


def assert_refused(
    error: type[Exception], action: str, submission: Submission, user: User, version: int
) -> None:
    """The action raises this error, and neither the story nor the audit trail changes."""
    before, since = snapshot(submission.id), last_event_id()
    with pytest.raises(error):
        perform(action, submission, user, version)
    # Whatever the refused call left in the session would be written now.
    db.session.commit()
    assert snapshot(submission.id) == before
    assert events_since(since) == []


@pytest.mark.parametrize(("action", "start"), ILLEGAL, ids=[f"{a}-from-{s}" for a, s in ILLEGAL])
def test_action_impossible_from_a_status_is_refused_and_changes_nothing(
    people: Team, action: str, start: SubmissionStatus
) -> None:
    submission = in_state(start, assignee=people.first, **NEEDS.get(action, {}))
    assert_refused(IllegalTransition, action, submission, people.second, submission.version)


def test_claiming_a_story_one_already_holds_is_refused(people: Team) -> None:
    submission = in_state(S.IN_REVIEW, assignee=people.first)
    assert_refused(IllegalTransition, "claim", submission, people.first, submission.version)


def test_releasing_a_story_nobody_holds_is_refused(people: Team) -> None:
    submission = in_state(S.AWAITING_SUBMITTER, assignee=None)
    assert_refused(IllegalTransition, "release", submission, people.first, submission.version)


def test_note_on_a_withdrawn_story_is_refused(people: Team) -> None:
    submission = in_state(S.WITHDRAWN)
    assert_refused(IllegalTransition, "note", submission, people.first, submission.version)


# A status from which each action is legal, to show that only the version is wrong.
LEGAL_START = {action: min(starts, key=list(S).index) for action, starts in ALLOWED_FROM.items()}


@pytest.mark.parametrize("drift", [-1, 1], ids=["older", "newer"])
@pytest.mark.parametrize("action", sorted(ALLOWED_FROM))
def test_action_from_an_outdated_page_is_refused_and_changes_nothing(
    people: Team, action: str, drift: int
) -> None:
    submission = in_state(LEGAL_START[action], assignee=people.first, **NEEDS.get(action, {}))
    version = submission.version + drift
    assert_refused(StaleSubmission, action, submission, people.second, version)


def test_second_moderator_acting_on_the_same_page_is_told_someone_acted_first(
    people: Team,
) -> None:
    submission = new_submission()
    seen_by_both = submission.version
    workflow.claim(submission, people.first, seen_by_both)
    db.session.commit()

    assert_refused(StaleSubmission, "spam", submission, people.second, seen_by_both)
    assert (submission.status, submission.assignee_id) == (S.IN_REVIEW, people.first.id)


def test_simultaneous_write_the_version_check_missed_is_refused_by_the_database(
    app: Flask, people: Team
) -> None:
    submission = new_submission()
    story_id, first_id = submission.id, people.first.id
    # The second moderator's request has read the story and the account, and is still running.
    session = db.session()
    session.expire_on_commit = False
    seen, loser = submission.version, db.session.get(User, people.second.id)
    assert loser is not None and loser.actor
    db.session.commit()
    session.expire_on_commit = True
    # Meanwhile the first moderator's request (its own session) claims it and commits.
    with app.app_context():
        winner = db.session.get(User, first_id)
        theirs = db.session.get(Submission, story_id)
        assert winner is not None and theirs is not None
        workflow.claim(theirs, winner, theirs.version)
        db.session.commit()

    workflow.mark_spam(submission, loser, seen)
    with pytest.raises(StaleDataError):
        db.session.commit()
    db.session.rollback()

    after = snapshot(submission.id)
    assert after is not None
    assert (after["status"], after["assignee"]) == (S.IN_REVIEW, people.first.id)
    assert count(AuditEvent, AuditEvent.action == "submission.marked_spam") == 0
    assert count(AuditEvent, AuditEvent.action == "submission.claimed") == 1


# --- Approval needs a publishable version and consent --------------------------------------


@pytest.mark.parametrize("publishable", [None, "", "   \n  "])
def test_approving_without_a_publishable_version_is_refused(
    people: Team, publishable: str | None
) -> None:
    submission = in_state(S.IN_REVIEW, assignee=people.first, publishable=publishable)
    assert_refused(
        PublishableVersionMissing, "approve", submission, people.first, submission.version
    )


def test_approving_a_story_without_any_publication_consent_is_refused(people: Team) -> None:
    submission = in_state(S.IN_REVIEW, assignee=people.first, uses=())
    assert {c.purpose for c in submission.consents} >= set(Purpose.publication())
    assert_refused(ConsentMissing, "approve", submission, people.first, submission.version)


@pytest.mark.parametrize("use", Purpose.publication())
def test_any_single_granted_publication_use_allows_approval(people: Team, use: Purpose) -> None:
    submission = in_state(S.IN_REVIEW, assignee=people.first, uses=(use,))
    workflow.approve(submission, people.first, submission.version)
    db.session.commit()
    assert submission.status == S.APPROVED


def test_asking_a_person_who_did_not_agree_to_be_contacted_is_refused(people: Team) -> None:
    submission = in_state(S.IN_REVIEW, assignee=people.first, contact=False)
    assert_refused(ConsentMissing, "ask", submission, people.first, submission.version)


def test_sending_for_rereading_needs_the_persons_wish_and_a_version(people: Team) -> None:
    not_asked = in_state(S.IN_REVIEW, assignee=people.first)
    assert_refused(ConsentNotAsked, "reread", not_asked, people.first, not_asked.version)
    unedited = in_state(S.IN_REVIEW, assignee=people.first, publishable=None, rereads=True)
    assert_refused(PublishableVersionMissing, "reread", unedited, people.first, unedited.version)


def test_approving_what_the_person_has_not_accepted_is_refused(people: Team) -> None:
    submission = in_state(S.IN_REVIEW, assignee=people.first, rereads=True)
    assert_refused(ProofreadingPending, "approve", submission, people.first, submission.version)


# --- Erasure --------------------------------------------------------------------------------


def test_deleted_story_leaves_no_row_but_a_content_free_tombstone(people: Team) -> None:
    submission = in_state(S.IN_REVIEW, assignee=people.first)
    workflow.ask(submission, people.first, submission.version, QUESTION)
    workflow.add_note(submission, people.first, NOTE)
    db.session.commit()
    submission_id, public_id, since = submission.id, submission.public_id, last_event_id()

    workflow.delete(submission, people.admin, submission.version)
    db.session.commit()

    assert snapshot(submission_id) is None
    for model in (Consent, Note, Message):
        assert count(model, model.submission_id == submission_id) == 0, model.__name__
    tombstone = only_new_event(since)
    assert (tombstone.action, tombstone.target_id) == ("submission.deleted", public_id)
    assert tombstone.details == {"before": "awaiting_submitter"}
    trail = db.session.scalars(select(AuditEvent).where(AuditEvent.target_id == public_id))
    for event in trail:
        assert_content_free(event)


# --- Random sequences of actions -------------------------------------------------------------

# Few uses each, so that the person taking them back one by one soon reaches the last one.
KINDS: dict[str, dict[str, Any]] = {
    "consented": {"uses": (Purpose.PUBLISH_SITE, Purpose.PUBLISH_AUDIO), "contact": True},
    "unconsented": {"uses": (), "contact": False, "edits": False},
    "rereading": {"uses": (Purpose.PUBLISH_SOCIAL,), "rereads": True},
}
ERRORS = (WorkflowError, ConsentMissing)
# What the person may change from the follow-up page, written out independently.
CHANGEABLE = frozenset({*Purpose.publication(), Purpose.REVIEW_EDITS, Purpose.CONTACT})


def published(action: str, before: dict[str, Any]) -> int:
    """1 when the action erases a published story (its article must come down), else 0."""
    return int(action in ("delete", "withdraw") and before["status"] == S.PUBLISHED)


PERSON_EVENT = {
    "answer": "submission.answered",
    "accept": "submission.rereading_accepted",
    "changes": "submission.rereading_changes_asked",
    "withdraw": "submission.withdrawn",
}


class Rereading(NamedTuple):
    """The model's own account of the person's rereading: sent, accepted (which text) or
    changes asked; None before anything was sent."""

    stage: str
    text: str | None = None


def granted(row: dict[str, Any], purpose: Purpose) -> bool:
    """Whether a snapshot holds this purpose as granted."""
    return any(p == purpose.value and yes for p, yes, _ in row["consents"])


def asked(row: dict[str, Any], purpose: Purpose) -> bool:
    return any(p == purpose.value for p, _, _ in row["consents"])


def has_use(row: dict[str, Any]) -> bool:
    return any(granted(row, purpose) for purpose in Purpose.publication())


def expected_refusal(
    action: str,
    before: dict[str, Any],
    user_id: int,
    drift: int,
    rereading: Rereading | None,
    typed: str | None = None,
) -> type[Exception] | None:
    """What the lifecycle says happens to a moderator's action now; None when it goes through."""
    status, text = before["status"], (before["publishable"] or "").strip()
    if action == "note":
        return IllegalTransition if status == S.WITHDRAWN else None
    if drift:
        return StaleSubmission
    if status not in ALLOWED_FROM[action]:
        return IllegalTransition
    if action == "claim" and before["assignee"] == user_id:
        return IllegalTransition
    if action == "release" and before["assignee"] is None:
        return IllegalTransition
    if action == "edit" and not granted(before, Purpose.EDIT) and typed not in (ORIGINAL, MASKED):
        # Without the person's agreement, the team may only mask what identifies them.
        return EditNotAgreed
    if action == "ask" and not granted(before, Purpose.CONTACT):
        return ConsentMissing
    if action == "reread" and not granted(before, Purpose.REVIEW_EDITS):
        return ConsentNotAsked
    if action in ("reread", "approve") and not text:
        return PublishableVersionMissing
    if action == "approve" and not has_use(before):
        return ConsentMissing
    accepted = rereading is not None and rereading == ("accepted", before["publishable"])
    if action == "approve" and granted(before, Purpose.REVIEW_EDITS) and not accepted:
        return ProofreadingPending
    return None


def expected_person_refusal(
    action: str, before: dict[str, Any], rereading: Rereading | None, **content: Any
) -> type[Exception] | None:
    """What happens to the person's action now; None when it goes through."""
    status = before["status"]
    if action == "answer":
        return None if status in OPEN else IllegalTransition
    if action in ("accept", "changes"):
        waiting = rereading == ("sent", None) and before["publishable"] is not None
        if not waiting or status not in OPEN:
            return IllegalTransition
        return None if content["current"] else StaleSubmission
    if action == "consent":
        purpose = content["purpose"]
        return None if purpose in CHANGEABLE and asked(before, purpose) else ConsentNotAsked
    return None


def back_to_review(before: dict[str, Any]) -> SubmissionStatus:
    """Where the person's answer leaves a story: with its moderator, or back in the queue."""
    if before["status"] != S.AWAITING_SUBMITTER:
        return before["status"]
    return S.IN_REVIEW if before["assignee"] is not None else S.RECEIVED


def perform_as_person(action: str, submission: Submission, **content: Any) -> object:
    """One of the person's actions, as the follow-up pages call the workflow."""
    if action == "answer":
        return workflow.answer(submission, ANSWER)
    if action == "accept":
        return workflow.accept_rereading(submission, content["fingerprint"])
    if action == "changes":
        return workflow.ask_for_changes(submission, content["fingerprint"], CHANGES)
    if action == "consent":
        return workflow.change_consent(submission, content["purpose"], content["granted"])
    assert action == "withdraw"
    return workflow.withdraw(submission)


# Each story's way towards publication, with the refusals and turns met on it: approving
# without a use, or before the person's agreement; the person accepting from an outdated
# page, asking for changes, the team editing and sending again; the person giving a use,
# then taking it back once approved.
SITE = {"purpose": Purpose.PUBLISH_SITE}
HAPPY_PATHS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "consented": [("claim", {}), ("edit", {"text": PUBLISHABLE}), ("approve", {}), ("publish", {})],
    "unconsented": [
        ("claim", {}),
        ("edit", {"text": PUBLISHABLE}),
        ("edit", {"text": MASKED}),
        ("approve", {}),
        ("consent", {**SITE, "granted": True}),
        ("approve", {}),
        ("consent", {**SITE, "granted": False}),
    ],
    "rereading": [
        ("claim", {}),
        ("edit", {"text": PUBLISHABLE}),
        ("approve", {}),
        ("reread", {}),
        ("accept", {"current": False}),
        ("changes", {"current": True}),
        ("edit", {"text": EDITED}),
        ("reread", {}),
        ("accept", {"current": True}),
        ("approve", {}),
        ("publish", {}),
    ],
}
PERSON_ACTIONS = frozenset({"answer", "accept", "changes", "consent", "withdraw"})
stories = st.sampled_from(sorted(KINDS))
members = st.integers(min_value=0, max_value=2)
# Mostly the version the page showed; sometimes one someone else's action made stale.
drifts = st.sampled_from([0, 0, 0, 0, 0, 0, -1, 1])
# Ending actions are tried a quarter of the time, so that sequences also reach publication.
ending = st.integers(min_value=0, max_value=3).map(lambda n: n == 3)
# The person's full withdrawal erases the story: rarer still, so that stories live long enough.
rarely = st.integers(min_value=0, max_value=7).map(lambda n: n == 7)
# Mostly the text the person's page showed; sometimes one the team has replaced since.
current_texts = st.sampled_from([True, True, True, False])


class LifecycleMachine(RuleBasedStateMachine):
    """Moderators and the person acting in any order on three stories: one consenting to two
    uses, one to none (until the person gives one), one asking to reread the edited version."""

    def __init__(self, people: Team) -> None:
        super().__init__()
        self.team = list(people)
        stories = {key: new_submission(**kind) for key, kind in KINDS.items()}
        self.ids = {key: story.id for key, story in stories.items()}
        self.public_ids = {key: story.public_id for key, story in stories.items()}
        self.erased: set[str] = set()
        self.rereading: dict[str, Rereading | None] = dict.fromkeys(KINDS)

    def attempt(self, action: str, key: str, who: int, drift: int = 0, **content: Any) -> None:
        """Try a moderator's action; it goes through exactly when the lifecycle allows it."""
        if key in self.erased:
            return
        user = self.team[who]
        before = self.before(key)
        expected = expected_refusal(
            action, before, user.id, drift, self.rereading[key], content.get("text")
        )
        submission, since = db.session.get(Submission, self.ids[key]), last_event_id()
        try:
            perform(action, submission, user, before["version"] + drift, **content)
        except ERRORS as error:
            self.refused(action, key, before, since, error, expected)
            return
        db.session.commit()
        assert expected is None, f"{action} from {before['status']} went through"
        # Erasing a published story leaves the team a takedown of its article.
        takedown = [("takedown.opened", user.actor)] * published(action, before)
        assert [(e.action, e.actor) for e in self.new_events(key, since)] == [
            (EVENT[action], user.actor),
            *takedown,
        ]
        if action == "reread":
            self.rereading[key] = Rereading("sent")
        self.check_outcome(action, key, before)

    def act_as_person(self, action: str, key: str, **content: Any) -> None:
        """Try one of the person's actions; it goes through exactly when it may, and is traced."""
        if key in self.erased:
            return
        before = self.before(key)
        expected = expected_person_refusal(action, before, self.rereading[key], **content)
        if action in ("accept", "changes"):
            shown = before["publishable"] or ""
            seen = shown if content.pop("current") else ("older " + shown)
            content["fingerprint"] = workflow.text_fingerprint(seen)
        submission, since = db.session.get(Submission, self.ids[key]), last_event_id()
        try:
            changed = perform_as_person(action, submission, **content)
        except ERRORS as error:
            self.refused(action, key, before, since, error, expected)
            return
        db.session.commit()
        assert expected is None, f"the person's {action} from {before['status']} went through"
        if changed is False:  # giving a use already given: nothing to do, nothing written
            assert snapshot(self.ids[key]) == before
            assert events_since(since) == []
            return
        self.check_person_outcome(action, key, before, since, **content)

    def before(self, key: str) -> dict[str, Any]:
        before = snapshot(self.ids[key])
        assert before is not None
        return before

    def refused(
        self,
        action: str,
        key: str,
        before: dict[str, Any],
        since: int,
        error: Exception,
        expected: type[Exception] | None,
    ) -> None:
        """A refused action changes nothing and leaves no trace."""
        db.session.commit()
        assert type(error) is expected, f"{action} from {before['status']}: {error!r}"
        assert snapshot(self.ids[key]) == before
        assert events_since(since) == []

    def new_events(self, key: str, since: int) -> list[AuditEvent]:
        """The events a success wrote: at least one, all about this story, none with content."""
        events = events_since(since)
        assert events
        for event in events:
            assert_content_free(event)
            assert event.target_id == self.public_ids[key]
        return events

    def check_outcome(self, action: str, key: str, before: dict[str, Any]) -> None:
        after = snapshot(self.ids[key])
        if action == "delete":
            assert after is None
            self.erased.add(key)
            return
        assert after is not None
        assert after["status"] == status_after(action, before["status"])
        if action == "approve":
            # At the moment of approval: a use to publish it for, and, if the person asked to
            # reread, their agreement to this very text.
            assert has_use(before)
            if granted(before, Purpose.REVIEW_EDITS):
                assert before["rereading"] == (
                    Proofreading.ACCEPTED,
                    workflow.text_fingerprint(before["publishable"]),
                )
        if action == "reread":
            assert after["rereading"] == (Proofreading.REQUESTED, None)

    def check_person_outcome(
        self, action: str, key: str, before: dict[str, Any], since: int, **content: Any
    ) -> None:
        events = [(e.action, e.actor) for e in self.new_events(key, since)]
        after = snapshot(self.ids[key])
        if action == "withdraw":
            takedown = [("takedown.opened", PUBLIC_ACTOR)] * published(action, before)
            assert after is None
            assert events == [(PERSON_EVENT[action], PUBLIC_ACTOR), *takedown]
            self.erased.add(key)
            return
        assert after is not None
        if action == "consent":
            self.check_consent_change(before, after, events, **content)
            return
        assert events == [(PERSON_EVENT[action], PUBLIC_ACTOR)]
        assert after["status"] == back_to_review(before)
        written = 1 if action in ("answer", "changes") else 0
        assert after["messages"] == before["messages"] + written
        if action == "accept":
            self.rereading[key] = Rereading("accepted", before["publishable"])
        elif action == "changes":
            self.rereading[key] = Rereading("changes")

    def check_consent_change(
        self,
        before: dict[str, Any],
        after: dict[str, Any],
        events: list[tuple[str, str]],
        purpose: Purpose,
        granted: bool,
    ) -> None:
        """One use given or taken back; an approval left without any use is lifted."""
        lifted = before["status"] == S.APPROVED and not has_use(after)
        expected = [("consent.given" if granted else "consent.withdrawn", PUBLIC_ACTOR)]
        if not granted and purpose in Purpose.publication() and before["status"] == S.PUBLISHED:
            # Its article must come down for that use: the team gets a takedown.
            expected.append(("takedown.opened", PUBLIC_ACTOR))
        if lifted:
            expected.append(("submission.approval_lifted", PUBLIC_ACTOR))
            back = S.IN_REVIEW if before["assignee"] is not None else S.RECEIVED
            assert after["status"] == back
        else:
            assert after["status"] == before["status"]
        assert events == expected
        changed = [c for c in after["consents"] if c not in before["consents"]]
        assert changed == [(purpose.value, granted, not granted)]

    @initialize(
        consented=st.integers(0, len(HAPPY_PATHS["consented"])),
        unconsented=st.integers(0, len(HAPPY_PATHS["unconsented"])),
        rereading=st.integers(0, len(HAPPY_PATHS["rereading"])),
    )
    def start_along_the_happy_path(self, consented: int, unconsented: int, rereading: int) -> None:
        """Walk each story some way towards publication first, so that deep states get explored."""
        for key, steps in (
            ("consented", consented),
            ("unconsented", unconsented),
            ("rereading", rereading),
        ):
            for action, content in HAPPY_PATHS[key][:steps]:
                if action in PERSON_ACTIONS:
                    self.act_as_person(action, key, **dict(content))
                else:
                    self.attempt(action, key, 0, **content)

    @rule(key=stories, who=members, drift=drifts)
    def claim(self, key: str, who: int, drift: int) -> None:
        self.attempt("claim", key, who, drift)

    @rule(key=stories, who=members, drift=drifts)
    def release(self, key: str, who: int, drift: int) -> None:
        self.attempt("release", key, who, drift)

    @rule(
        key=stories,
        who=members,
        drift=drifts,
        text=st.sampled_from([PUBLISHABLE, EDITED, MASKED, ORIGINAL, "", "  \n "]),
    )
    def save_publishable(self, key: str, who: int, drift: int, text: str) -> None:
        self.attempt("edit", key, who, drift, text=text)

    @rule(key=stories, who=members, drift=drifts)
    def ask(self, key: str, who: int, drift: int) -> None:
        self.attempt("ask", key, who, drift)

    @rule(key=stories, who=members, drift=drifts)
    def send_for_rereading(self, key: str, who: int, drift: int) -> None:
        self.attempt("reread", key, who, drift)

    @rule(key=stories, who=members, drift=drifts)
    def approve(self, key: str, who: int, drift: int) -> None:
        self.attempt("approve", key, who, drift)

    @rule(key=stories, who=members, drift=drifts, reason=st.sampled_from(DeclineReason), now=ending)
    def decline(self, key: str, who: int, drift: int, reason: DeclineReason, now: bool) -> None:
        if now:
            self.attempt("decline", key, who, drift, reason=reason)

    @rule(key=stories, who=members, drift=drifts, now=ending)
    def mark_spam(self, key: str, who: int, drift: int, now: bool) -> None:
        if now:
            self.attempt("spam", key, who, drift)

    @rule(key=stories, who=members, drift=drifts)
    def mark_published(self, key: str, who: int, drift: int) -> None:
        self.attempt("publish", key, who, drift)

    @rule(key=stories, who=members)
    def add_note(self, key: str, who: int) -> None:
        self.attempt("note", key, who)

    @rule(key=stories, who=members, drift=drifts, now=ending)
    def delete(self, key: str, who: int, drift: int, now: bool) -> None:
        if now:
            self.attempt("delete", key, who, drift)

    @rule(key=stories)
    def person_answers(self, key: str) -> None:
        self.act_as_person("answer", key)

    @rule(key=stories, current=current_texts)
    def person_accepts_the_rereading(self, key: str, current: bool) -> None:
        self.act_as_person("accept", key, current=current)

    @rule(key=stories, current=current_texts)
    def person_asks_for_changes(self, key: str, current: bool) -> None:
        self.act_as_person("changes", key, current=current)

    @rule(key=stories, purpose=st.sampled_from(Purpose), granted=st.booleans())
    def person_changes_a_consent(self, key: str, purpose: Purpose, granted: bool) -> None:
        self.act_as_person("consent", key, purpose=purpose, granted=granted)

    @rule(key=stories, pick=st.integers(min_value=0, max_value=3))
    def person_takes_back_a_use(self, key: str, pick: int) -> None:
        """Take back one of the uses the story has now, so that the last one is soon reached."""
        row = None if key in self.erased else snapshot(self.ids[key])
        uses = [p for p in Purpose.publication() if row is not None and granted(row, p)]
        if uses:
            self.act_as_person("consent", key, purpose=uses[pick % len(uses)], granted=False)

    @rule(key=stories, now=rarely)
    def person_withdraws(self, key: str, now: bool) -> None:
        if now:
            self.act_as_person("withdraw", key)

    @invariant()
    def stays_within_the_lifecycle(self) -> None:
        for key, submission_id in self.ids.items():
            if key in self.erased:
                continue
            stored = db.session.scalar(
                text("SELECT status FROM submission WHERE id = :id"), {"id": submission_id}
            )
            assert stored in {status.value for status in S}
            row = snapshot(submission_id)
            assert row is not None
            assert row["story"] == ORIGINAL
            if row["status"] in {S.APPROVED, S.PUBLISHED}:
                assert (row["publishable"] or "").strip()
            # Approved, not yet published: the person's last withdrawal lifts the approval.
            if row["status"] == S.APPROVED:
                assert has_use(row), f"{key} stays approved without any use"
            if not granted(row, Purpose.CONTACT):
                assert row["email"] is None, f"{key} keeps an address without consent"
            assert row["rereading"] == self.expected_rereading(key), key

    def expected_rereading(self, key: str) -> tuple[Proofreading | None, str | None]:
        """What the database must hold of the rereading, by the model's own account."""
        model = self.rereading[key]
        if model is None:
            return (None, None)
        if model.stage == "accepted":
            assert model.text is not None
            return (Proofreading.ACCEPTED, workflow.text_fingerprint(model.text))
        stages = {"sent": Proofreading.REQUESTED, "changes": Proofreading.CHANGES_REQUESTED}
        return (stages[model.stage], None)


@pytest.fixture
def no_smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every attempt to reach an SMTP server; with the test settings there must be none."""
    attempts: list[str] = []

    def refuse(self: smtplib.SMTP, host: str = "", *args: Any, **kwargs: Any) -> Any:
        attempts.append(host)
        raise OSError("no SMTP server in these tests")

    monkeypatch.setattr(smtplib.SMTP, "connect", refuse)
    yield attempts


def test_no_sequence_of_actions_leaves_the_lifecycle_or_approves_without_consent(
    people: Team, no_smtp: list[str]
) -> None:
    run_state_machine_as_test(
        lambda: LifecycleMachine(people),
        settings=settings(
            max_examples=80,
            stateful_step_count=30,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    assert no_smtp == [], "mail tried to leave the test process"
