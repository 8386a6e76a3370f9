"""A moderator works a submission through its page: read, edit, ask, approve, publish, trace."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask, get_flashed_messages
from flask.testing import FlaskClient
from markupsafe import Markup
from sqlalchemy import select, text

from intake import review, workflow
from intake.extensions import db
from intake.models import (
    AuditEvent,
    CreditMode,
    DeclineReason,
    Message,
    Note,
    Proofreading,
    Purpose,
    Submission,
    SubmissionStatus,
    User,
    utcnow,
)
from intake.moderation.blueprint import commit_or_stale, stale_message
from intake.textdiff import diff_html, paragraphs_html
from intake.workflow import ConsentNotAsked, IllegalTransition, ProofreadingPending
from tests.helpers import (
    FormPage,
    all_rows,
    filled_testimony,
    make_user,
    page_text,
    textarea_value,
)
from tests.review_helpers import PAGE, act, file_story, in_french, page_fields, team_client

S = SubmissionStatus
DEMO_STORY = (
    "Quand mon fils est né, je vivais avec un trouble bipolaire depuis huit ans. J'avais peur "
    "de ne pas tenir, à Saint-Malo, loin de tout.\n\nAujourd'hui il a six ans, et je lui "
    "explique avec des mots simples pourquoi maman a parfois besoin de repos."
)


@pytest.fixture
def moderator(app: Flask) -> FlaskClient:
    """A browser logged in as a moderator."""
    return team_client(app, "moderator", "moderatrice@intake.example")


def submission(app: Flask, public_id: str) -> Submission:
    """A submission as the database holds it now."""
    db.session.expire_all()
    found = db.session.scalar(select(Submission).where(Submission.public_id == public_id))
    assert found is not None
    return found


def test_moderator_works_a_story_from_received_to_published_with_plain_forms(
    app: Flask, client: FlaskClient, moderator: FlaskClient
) -> None:
    response = FormPage(client).send("/temoigner", filled_testimony(story=DEMO_STORY, edit="y"))
    assert response.status_code == 303
    queue = moderator.get("/moderation/").get_data(as_text=True)
    (public_id,) = re.findall(r'href="/moderation/temoignages/([\w-]+)"', queue)

    page = moderator.get(PAGE.format(public_id))
    assert "<p>Quand mon fils est né" in page.get_data(as_text=True)
    assert "Saint-Malo" in page_text(page)
    assert act(moderator, public_id, "prendre").status_code == 303
    # The editor starts as a copy of the original.
    assert textarea_value(moderator.get(PAGE.format(public_id)), "text") == DEMO_STORY
    edited = DEMO_STORY.replace(", à Saint-Malo, loin de tout", "")
    assert act(moderator, public_id, "version-publiable", text=edited).status_code == 303
    page = moderator.get(PAGE.format(public_id)).get_data(as_text=True)
    assert "<del>, à Saint-Malo, loin de tout</del>" in page
    assert act(moderator, public_id, "approuver").status_code == 303
    response = act(
        moderator,
        public_id,
        "publier",
        url="https://media.example.org/temoignages/parentalite",
        published_on="2025-03-14",
    )
    assert response.status_code == 303

    with app.app_context():
        story = submission(app, public_id)
        assert story.status == S.PUBLISHED
        assert story.story == DEMO_STORY and story.publishable_text == edited
        assert story.published_url == "https://media.example.org/temoignages/parentalite"
        actions = [e.action for e in all_rows(AuditEvent) if e.target_id == public_id]
    assert actions == [
        "submission.received",
        "submission.claimed",
        "submission.edited",
        "submission.approved",
        "submission.published",
    ]
    shown = page_text(moderator.get(PAGE.format(public_id)))
    assert "Moderator" in shown  # the history names the account, not "user:1"
    assert "user:" not in shown


def test_approval_needs_a_publishable_version(app: Flask, moderator: FlaskClient) -> None:
    public_id = file_story(app)
    act(moderator, public_id, "prendre")
    response = act(moderator, public_id, "approuver")
    assert response.status_code == 303
    shown = page_text(moderator.get(response.headers["Location"]))
    assert in_french(app, lambda: _refusal("missing_version")) in shown
    with app.app_context():
        assert submission(app, public_id).status == S.IN_REVIEW


def test_approval_needs_a_granted_publication_use(app: Flask, moderator: FlaskClient) -> None:
    public_id = file_story(app, granted=())
    act(moderator, public_id, "prendre")
    act(moderator, public_id, "version-publiable", text="Une version relue.")
    response = act(moderator, public_id, "approuver")
    shown = page_text(moderator.get(response.headers["Location"]))
    assert in_french(app, lambda: _refusal("no_use")) in shown
    with app.app_context():
        assert submission(app, public_id).status == S.IN_REVIEW


def _refusal(kind: str) -> str:
    from intake.consent import ConsentMissing
    from intake.moderation.blueprint import refusal_message
    from intake.workflow import PublishableVersionMissing

    if kind == "missing_version":
        return refusal_message(PublishableVersionMissing("x"))
    if kind == "no_contact":
        return refusal_message(ConsentMissing(Purpose.CONTACT))
    return refusal_message(ConsentMissing(Purpose.PUBLISH_SITE))


def test_second_moderator_with_the_same_version_is_told_someone_acted_first(
    app: Flask, moderator: FlaskClient
) -> None:
    other = team_client(app, "moderator", "second@intake.example")
    public_id = file_story(app)
    act(moderator, public_id, "prendre")
    seen_by_first, seen_by_second = page_fields(moderator, public_id), page_fields(other, public_id)

    first = act(moderator, public_id, "version-publiable", seen_by_first, text="Version A.")
    second = act(other, public_id, "version-publiable", seen_by_second, text="Version B.")

    assert first.status_code == 303
    assert second.status_code == 409
    assert in_french(app, stale_message) in page_text(second)
    # The second moderator's text is kept in the form; the database holds the first one's.
    assert textarea_value(second, "text") == "Version B."
    assert "Version A." in page_text(second)
    with app.app_context():
        assert submission(app, public_id).publishable_text == "Version A."

    late_claim = act(other, public_id, "liberer", seen_by_second)
    assert in_french(app, stale_message) in page_text(other.get(late_claim.headers["Location"]))
    with app.app_context():
        assert submission(app, public_id).assignee is not None


def test_a_race_lost_at_commit_is_told_and_writes_nothing(app: Flask) -> None:
    public_id = file_story(app)
    with app.test_request_context(method="POST"):
        racer = make_user("moderator", "course@intake.example")
        story = submission(app, public_id)
        seen = story.version
        # Another moderator's change lands between reading the row and committing.
        db.session.execute(text("UPDATE submission SET version = version + 1"))
        workflow.claim(story, racer, seen)

        assert commit_or_stale() is False
        assert get_flashed_messages() == [stale_message()]
    with app.app_context():
        assert submission(app, public_id).assignee is None


def test_revealing_the_address_is_traced_and_shown_in_that_response_only(
    app: Flask, moderator: FlaskClient
) -> None:
    public_id = file_story(app, email="zelie.glycines@example.org")
    page = moderator.get(PAGE.format(public_id))
    assert "zelie.glycines" not in page.get_data(as_text=True)

    revealed = act(moderator, public_id, "adresse")

    assert revealed.status_code == 200
    assert revealed.headers["Cache-Control"] == "no-store"
    assert "zelie.glycines@example.org" in page_text(revealed)
    assert "zelie.glycines" not in moderator.get(PAGE.format(public_id)).get_data(as_text=True)
    with app.app_context():
        (event,) = [e for e in all_rows(AuditEvent) if e.action == "submission.contact_revealed"]
        actor = db.session.scalar(select(User).where(User.email == "moderatrice@intake.example"))
        assert actor is not None
        assert event.actor == f"user:{actor.id}" and event.target_id == public_id
        assert "zelie" not in json.dumps(event.details)


def test_the_trail_of_every_action_holds_no_story_note_or_address(
    app: Flask, moderator: FlaskClient
) -> None:
    canaries = {
        "story": "CANARI-RECIT Zélie rue des Glycines",
        "email": "canari.adresse@example.org",
        "name": "Canari Pseudonyme",
        "edit": "CANARI-VERSION publiable",
        "note": "CANARI-NOTE interne",
        "question": "CANARI-QUESTION posée",
        "decline": "CANARI-REFUS expliqué",
    }
    story = canaries["story"] + " — " + DEMO_STORY
    credit = (CreditMode.PSEUDONYM, canaries["name"])
    published = file_story(app, story=story, email=canaries["email"], credit=credit)
    declined = file_story(app, story=story, email=canaries["email"], credit=credit)
    spam = file_story(app, story=story, email=canaries["email"], credit=credit)

    act(moderator, published, "prendre")
    act(moderator, published, "version-publiable", text=canaries["edit"])
    act(moderator, published, "notes", note=canaries["note"])
    act(moderator, published, "adresse")
    act(moderator, published, "approuver")
    act(moderator, published, "publier", url="https://example.org/a", published_on="2025-01-02")
    act(moderator, declined, "prendre")
    act(moderator, declined, "question", question=canaries["question"])
    act(moderator, declined, "refuser", reason="editorial", explanation=canaries["decline"])
    act(moderator, spam, "spam")
    admin = team_client(app, "admin", "admin@intake.example")
    assert act(admin, published, "supprimer").status_code == 303

    with app.app_context():
        events = all_rows(AuditEvent)
        assert {e.action.split(".")[1] for e in events} >= {
            "claimed", "edited", "noted", "contact_revealed", "approved", "published",
            "asked", "declined", "marked_spam", "deleted",
        }  # fmt: skip
        trail = json.dumps([[e.actor, e.target_id, e.details] for e in events], ensure_ascii=False)
        assert submission(app, declined).decline_note == canaries["decline"]
    for canary in canaries.values():
        assert canary.split()[0] not in trail


def test_a_question_needs_the_persons_agreement_to_be_contacted(
    app: Flask, moderator: FlaskClient
) -> None:
    public_id = file_story(app)
    act(moderator, public_id, "prendre")
    page = page_text(moderator.get(PAGE.format(public_id)))
    assert "Ask the question" not in page and "Poser la question" not in page

    response = act(moderator, public_id, "question", question="Pouvez-vous préciser ?")

    assert in_french(app, lambda: _refusal("no_contact")) in page_text(
        moderator.get(response.headers["Location"])
    )
    with app.app_context():
        assert submission(app, public_id).status == S.IN_REVIEW
        assert all_rows(Message) == []


def test_notes_and_questions_appear_on_the_page(app: Flask, moderator: FlaskClient) -> None:
    public_id = file_story(app, email="personne@example.org")
    act(moderator, public_id, "prendre")
    act(moderator, public_id, "notes", note="Relire le deuxième paragraphe.")
    act(moderator, public_id, "question", question="Pouvons-nous retirer le nom de la ville ?")

    shown = page_text(moderator.get(PAGE.format(public_id)))

    assert "Relire le deuxième paragraphe." in shown
    assert "Pouvons-nous retirer le nom de la ville ?" in shown
    with app.app_context():
        assert submission(app, public_id).status == S.AWAITING_SUBMITTER
        assert [n.body for n in all_rows(Note)] == ["Relire le deuxième paragraphe."]


def test_an_empty_note_or_edit_shows_the_page_again_with_an_error(
    app: Flask, moderator: FlaskClient
) -> None:
    public_id = file_story(app)
    act(moderator, public_id, "prendre")
    assert act(moderator, public_id, "notes", note="   ").status_code == 422
    assert act(moderator, public_id, "version-publiable", text="").status_code == 422
    with app.app_context():
        assert submission(app, public_id).publishable_text is None
        assert all_rows(Note) == []


def test_a_publication_address_must_be_a_web_address(app: Flask, moderator: FlaskClient) -> None:
    public_id = file_story(app)
    act(moderator, public_id, "prendre")
    act(moderator, public_id, "version-publiable", text="Version relue.")
    act(moderator, public_id, "approuver")
    for url in ("javascript:alert(1)", "ftp://example.org/a", "pas une adresse"):
        response = act(moderator, public_id, "publier", url=url, published_on="2025-01-02")
        assert response.status_code == 422
    with app.app_context():
        assert submission(app, public_id).status == S.APPROVED


def test_page_shows_only_the_actions_possible_now(app: Flask, moderator: FlaskClient) -> None:
    public_id = file_story(app)
    received = moderator.get(PAGE.format(public_id)).get_data(as_text=True)
    assert "/prendre" in received and "/spam" in received and "/refuser" in received
    assert "/approuver" not in received and "/publier" not in received
    assert "/version-publiable" not in received and "/supprimer" not in received

    act(moderator, public_id, "prendre")
    act(moderator, public_id, "version-publiable", text="Version relue.")
    act(moderator, public_id, "approuver")
    approved = moderator.get(PAGE.format(public_id)).get_data(as_text=True)
    assert "/publier" in approved
    for gone in ("/prendre", "/approuver", "/spam", "/refuser", "/version-publiable"):
        assert gone not in approved


@pytest.mark.parametrize("rereading", ["not_asked", "not_sent", "sent", "accepted", "outdated"])
def test_available_actions_match_what_the_workflow_accepts(app: Flask, rereading: str) -> None:
    with app.test_request_context():
        user, admin = make_user("moderator"), make_user("admin")
        for status in SubmissionStatus:
            for name, call in ACTIONS.items():
                story = _standing_story(status, assignee=admin, rereading=rereading)
                available = review.available_actions(story, user)
                try:
                    call(story, user)
                except (IllegalTransition, ProofreadingPending, ConsentNotAsked):
                    accepted = False
                else:
                    accepted = True
                db.session.rollback()
                assert (name in available) == accepted, (status, name)
        story = _standing_story(S.RECEIVED, assignee=None)
        assert "delete" in review.available_actions(story, admin)
        assert "delete" not in review.available_actions(story, user)


def _standing_story(
    status: SubmissionStatus, assignee: User | None, rereading: str = "not_asked"
) -> Submission:
    """A story in a status, with contact and a use granted, and its rereading at a stage."""
    from intake.models import Consent

    story = Submission(status=status, version=1, publishable_text="Texte.", assignee=assignee)
    story.assignee_id = assignee.id if assignee else None
    story.consents = [
        Consent(purpose=p, granted=True)
        for p in (Purpose.CONTACT, Purpose.PUBLISH_SITE, Purpose.EDIT)
    ]
    story.consents.append(Consent(purpose=Purpose.REVIEW_EDITS, granted=rereading != "not_asked"))
    accepted = {"accepted": "Texte.", "outdated": "Une version plus ancienne."}.get(rereading)
    if rereading == "sent":
        story.proofreading = Proofreading.REQUESTED
    elif accepted is not None:
        story.proofreading = Proofreading.ACCEPTED
        story.proofread_hash = workflow.text_fingerprint(accepted)
    return story


ACTIONS = {
    "claim": lambda s, u: workflow.claim(s, u, 1),
    "release": lambda s, u: workflow.release(s, u, 1),
    "edit": lambda s, u: workflow.save_publishable(s, u, 1, "Texte."),
    "ask": lambda s, u: workflow.ask(s, u, 1, "Question ?"),
    "approve": lambda s, u: workflow.approve(s, u, 1),
    "reread": lambda s, u: workflow.send_for_rereading(s, u, 1),
    "decline": lambda s, u: workflow.decline(s, u, 1, DeclineReason.OTHER, ""),
    "spam": lambda s, u: workflow.mark_spam(s, u, 1),
    "publish": lambda s, u: workflow.mark_published(s, u, 1, "https://e.org", utcnow()),
    "note": lambda s, u: workflow.add_note(s, u, "Note."),
}


def test_only_an_admin_deletes_and_lands_on_the_queue(app: Flask, moderator: FlaskClient) -> None:
    public_id = file_story(app)
    assert act(moderator, public_id, "supprimer").status_code == 403
    admin = team_client(app, "admin", "admin@intake.example")
    assert "/supprimer" in admin.get(PAGE.format(public_id)).get_data(as_text=True)

    response = act(admin, public_id, "supprimer")

    assert response.status_code == 303 and response.headers["Location"] == "/moderation/"
    assert admin.get(PAGE.format(public_id)).status_code == 410  # gone, and said so
    with app.app_context():
        assert all_rows(Submission) == []
        assert [e.action for e in all_rows(AuditEvent)][-1] == "submission.deleted"


def test_unknown_submission_is_a_404(moderator: FlaskClient) -> None:
    assert moderator.get(PAGE.format("nope")).status_code == 404
    assert moderator.post(PAGE.format("nope") + "/prendre", data={}).status_code in (400, 404)


def test_story_markup_is_shown_as_text_with_its_paragraphs(
    app: Flask, moderator: FlaskClient
) -> None:
    public_id = file_story(app, story="<script>alert(1)</script> premier\nligne\n\nsecond")
    page = moderator.get(PAGE.format(public_id)).get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt; premier<br>\nligne</p>\n<p>second</p>" in page


def test_diff_marks_removed_and_added_words() -> None:
    diff = diff_html("J'habite à Nantes depuis 2010.", "J'habite en Bretagne depuis 2010.")
    assert isinstance(diff, Markup)
    assert diff == "J&#39;habite <del>à Nantes</del><ins>en Bretagne</ins> depuis 2010."
    assert diff_html("même texte", "même texte") == "même texte"
    assert diff_html("", "ajout") == "<ins>ajout</ins>"


def test_diff_keeps_markup_in_the_texts_escaped() -> None:
    diff = diff_html("Bonjour <b>toi</b>", "Bonjour <script>alert('x')</script>")
    assert "<script" not in diff and "<b>" not in diff
    assert "&lt;" in diff and "script&gt;" in diff and "b&gt;" in diff
    assert "&#39;x&#39;" in diff


def test_paragraphs_escape_then_split_on_blank_lines() -> None:
    assert paragraphs_html("un\r\ndeux\n\n\n<trois>") == "<p>un<br>\ndeux</p>\n<p>&lt;trois&gt;</p>"
    assert paragraphs_html(None) == "" and paragraphs_html("  \n ") == ""
