"""A submission's life: every transition, its trace, and what no sequence of actions reaches."""

from __future__ import annotations

import json
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
from intake.consent import ConsentMissing
from intake.extensions import db
from intake.models import (
    AuditEvent,
    Consent,
    CreditMode,
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
from intake.workflow import (
    IllegalTransition,
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
EDITED = "Version relue par l'équipe : quand ma fille est née, j'avais peur."
QUESTION = "Pouvez-vous préciser la ville où vous viviez alors ?"
NOTE = "Note interne : vérifier l'adresse avant publication."
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
    uses: Iterable[Purpose] = (Purpose.PUBLISH_SITE,), contact: bool = True
) -> Submission:
    """A story as the public form files it, with these publication uses granted."""
    wordings = consent.wordings_for(None)
    granted = {Purpose.AGE, Purpose.HEALTH_DATA, *uses, *([Purpose.CONTACT] if contact else [])}
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
        "decline": (row.decline_reason, row.decline_note),
        "published": (row.published_url, row.published_at),
        "consents": sorted((c.purpose.value, c.granted) for c in row.consents),
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


@pytest.mark.parametrize(("action", "start"), LEGAL, ids=[f"{a}-from-{s}" for a, s in LEGAL])
def test_moderator_moves_a_story_along_the_lifecycle_and_it_is_traced(
    people: Team, action: str, start: SubmissionStatus
) -> None:
    submission = in_state(start, assignee=people.first)
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
    submission = in_state(start, assignee=people.first)
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
    submission = in_state(LEGAL_START[action], assignee=people.first)
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

KINDS: dict[str, dict[str, Any]] = {
    "consented": {"uses": tuple(Purpose.publication()), "contact": True},
    "unconsented": {"uses": (), "contact": False},
}
ERRORS = (WorkflowError, ConsentMissing)


def expected_refusal(
    action: str, before: dict[str, Any], user_id: int, drift: int, kind: dict[str, Any]
) -> type[Exception] | None:
    """What the lifecycle says happens to this action now; None when it goes through."""
    status = before["status"]
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
    if action == "ask" and not kind["contact"]:
        return ConsentMissing
    if action == "approve" and not (before["publishable"] or "").strip():
        return PublishableVersionMissing
    if action == "approve" and not kind["uses"]:
        return ConsentMissing
    return None


HAPPY_PATH: list[tuple[str, dict[str, Any]]] = [
    ("claim", {}),
    ("edit", {"text": PUBLISHABLE}),
    ("approve", {}),
    ("publish", {}),
]
stories = st.sampled_from(sorted(KINDS))
members = st.integers(min_value=0, max_value=2)
# Mostly the version the page showed; sometimes one someone else's action made stale.
drifts = st.sampled_from([0, 0, 0, 0, 0, 0, -1, 1])
# Ending actions are tried a quarter of the time, so that sequences also reach publication.
ending = st.integers(min_value=0, max_value=3).map(lambda n: n == 3)


class LifecycleMachine(RuleBasedStateMachine):
    """Moderators acting in any order on two stories, one consenting to publication, one not."""

    def __init__(self, people: Team) -> None:
        super().__init__()
        self.team = list(people)
        self.ids = {key: new_submission(**kind).id for key, kind in KINDS.items()}
        self.erased: set[str] = set()

    def attempt(self, action: str, key: str, who: int, drift: int = 0, **content: Any) -> None:
        """Try an action; it goes through exactly when the lifecycle allows it, and is traced."""
        if key in self.erased:
            return
        submission_id, user = self.ids[key], self.team[who]
        before = snapshot(submission_id)
        assert before is not None
        expected = expected_refusal(action, before, user.id, drift, KINDS[key])
        submission, since = db.session.get(Submission, submission_id), last_event_id()
        try:
            perform(action, submission, user, before["version"] + drift, **content)
        except ERRORS as error:
            db.session.commit()
            assert type(error) is expected, f"{action} from {before['status']}: {error!r}"
            assert snapshot(submission_id) == before
            assert events_since(since) == []
            return
        db.session.commit()
        assert expected is None, f"{action} from {before['status']} went through"
        event = only_new_event(since)
        assert (event.action, event.actor) == (EVENT[action], user.actor)
        self.check_outcome(action, key, before)

    def check_outcome(self, action: str, key: str, before: dict[str, Any]) -> None:
        after = snapshot(self.ids[key])
        if action == "delete":
            assert after is None
            self.erased.add(key)
            return
        assert after is not None
        assert after["status"] == status_after(action, before["status"])

    @initialize(consented=st.integers(0, len(HAPPY_PATH)), unconsented=st.integers(0, 3))
    def start_along_the_happy_path(self, consented: int, unconsented: int) -> None:
        """Walk each story some way towards publication first, so that deep states get explored."""
        for key, steps in (("consented", consented), ("unconsented", unconsented)):
            for action, content in HAPPY_PATH[:steps]:
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
        text=st.sampled_from([PUBLISHABLE, EDITED, "", "  \n "]),
    )
    def save_publishable(self, key: str, who: int, drift: int, text: str) -> None:
        self.attempt("edit", key, who, drift, text=text)

    @rule(key=stories, who=members, drift=drifts)
    def ask(self, key: str, who: int, drift: int) -> None:
        self.attempt("ask", key, who, drift)

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
                assert KINDS[key]["uses"], f"{key} reached {row['status']} without consent"
                assert (row["publishable"] or "").strip()


def test_no_sequence_of_actions_leaves_the_lifecycle_or_approves_without_consent(
    people: Team,
) -> None:
    run_state_machine_as_test(
        lambda: LifecycleMachine(people),
        settings=settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
