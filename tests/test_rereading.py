"""The team's side of the person's follow-up: rereading before approval, their messages,
the uses they take back, as the submission page shows them.

What the person does is played through the workflow, as the follow-up pages call it (those
pages have their own tests); what the team does and sees goes through the moderation pages.
"""

from __future__ import annotations

import html as html_module
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select, update

from intake import labels, workflow
from intake.extensions import db
from intake.models import AuditEvent, Message, Proofreading, Purpose, Submission, SubmissionStatus
from intake.moderation.blueprint import refusal_message
from intake.workflow import (
    ConsentNotAsked,
    IllegalTransition,
    ProofreadingPending,
    StaleSubmission,
)
from tests.helpers import all_rows, hidden_fields, page_text
from tests.review_helpers import PAGE, act, file_story, in_french, team_client

S = SubmissionStatus
REREADS = (Purpose.PUBLISH_SITE, Purpose.EDIT, Purpose.REVIEW_EDITS)
EDITED = "Quand mon fils est né, j'avais peur de ne pas tenir. Aujourd'hui il a six ans."
EDITED_AGAIN = "Quand mon fils est né, j'avais peur. Aujourd'hui il a six ans, et tout va bien."


@pytest.fixture
def moderator(app: Flask) -> FlaskClient:
    """A browser logged in as a moderator."""
    return team_client(app, "moderator", "moderatrice@intake.example")


def stored(app: Flask, public_id: str) -> Submission:
    """A submission as the database holds it now (read in the caller's context)."""
    db.session.expire_all()
    found = db.session.scalar(select(Submission).where(Submission.public_id == public_id))
    assert found is not None
    return found


def as_the_person(app: Flask, public_id: str, action: Callable[[Submission], Any]) -> None:
    """What the person does from the follow-up page, through the workflow, committed."""
    with app.test_request_context():
        action(stored(app, public_id))
        db.session.commit()


def fingerprint(app: Flask, text: str) -> str:
    """What the rereading form carries to name the version the person was shown."""
    with app.test_request_context():
        return workflow.text_fingerprint(text)


def status_of(app: Flask, public_id: str) -> SubmissionStatus:
    with app.app_context():
        return stored(app, public_id).status


def edited_story(
    app: Flask, moderator: FlaskClient, granted: tuple[Purpose, ...] = REREADS, **kind: Any
) -> str:
    """A story the moderator has claimed and given a publishable version."""
    public_id = file_story(app, granted=granted, **kind)
    act(moderator, public_id, "prendre")
    assert act(moderator, public_id, "version-publiable", text=EDITED).status_code == 303
    return public_id


def html(client: FlaskClient, public_id: str) -> str:
    return client.get(PAGE.format(public_id)).get_data(as_text=True)


def shown(client: FlaskClient, public_id: str) -> str:
    return page_text(client.get(PAGE.format(public_id)))


def words(app: Flask, msgid: str, **values: Any) -> str:
    """An interface sentence as a French-speaking moderator reads it."""
    return in_french(app, lambda: _(msgid, **values))


def pending(app: Flask) -> str:
    return in_french(app, lambda: refusal_message(ProofreadingPending("x")))


# --- Sending the version to reread ------------------------------------------------------


def test_rereading_is_offered_only_when_the_person_asked_and_a_version_exists(
    app: Flask, moderator: FlaskClient
) -> None:
    wants = file_story(app, granted=REREADS)
    relecture = f"{PAGE.format(wants)}/relecture"
    assert relecture not in html(moderator, wants)  # received: nobody edits it yet
    act(moderator, wants, "prendre")
    assert relecture not in html(moderator, wants)  # no publishable version yet
    act(moderator, wants, "version-publiable", text=EDITED)
    assert relecture in html(moderator, wants)
    assert words(app, "Asked by the person; not sent to them yet") in shown(moderator, wants)

    other = edited_story(app, moderator, granted=(Purpose.PUBLISH_SITE,))
    assert "/relecture" not in html(moderator, other)
    assert words(app, "Not asked") in shown(moderator, other)
    # Sent anyway (an old page, a crafted form): refused in words, nothing moves.
    refused = act(moderator, other, "relecture")
    message = in_french(app, lambda: refusal_message(ConsentNotAsked("review_edits")))
    assert message in page_text(moderator.get(refused.headers["Location"]))
    with app.app_context():
        story = stored(app, other)
        assert (story.status, story.proofreading) == (S.IN_REVIEW, None)


def test_sending_for_rereading_waits_for_the_person_and_is_traced(
    app: Flask, moderator: FlaskClient
) -> None:
    public_id = edited_story(app, moderator)

    response = act(moderator, public_id, "relecture")

    assert response.status_code == 303
    page = shown(moderator, public_id)
    assert words(app, "The person can now reread this version with their follow-up code.") in page
    assert words(app, "Sent to the person; their answer is awaited") in page
    assert words(app, "Edited version sent to the person to reread") in page  # the history
    # Sent again after a change: still offered while the story is being edited.
    assert f"{PAGE.format(public_id)}/relecture" in html(moderator, public_id)
    with app.app_context():
        story = stored(app, public_id)
        assert (story.status, story.proofreading) == (S.AWAITING_SUBMITTER, Proofreading.REQUESTED)
        assert story.publishable_text == EDITED and story.story != EDITED


# --- Approval waits for the person's agreement ---------------------------------------------


def test_approval_is_refused_while_the_person_has_not_accepted(
    app: Flask, moderator: FlaskClient
) -> None:
    public_id = edited_story(app, moderator)
    page = html(moderator, public_id)
    assert f"{PAGE.format(public_id)}/approuver" not in page
    assert 'aria-disabled="true" aria-describedby="approval-blocked"' in page
    assert pending(app) in shown(moderator, public_id)

    refused = act(moderator, public_id, "approuver")
    assert pending(app) in page_text(moderator.get(refused.headers["Location"]))
    assert status_of(app, public_id) == S.IN_REVIEW

    act(moderator, public_id, "relecture")
    # The person writes instead of answering the rereading: the story is back in review, and
    # approval still waits for their agreement.
    as_the_person(app, public_id, lambda s: workflow.answer(s, "Je relis ce soir."))
    assert status_of(app, public_id) == S.IN_REVIEW
    refused = act(moderator, public_id, "approuver")
    assert pending(app) in page_text(moderator.get(refused.headers["Location"]))
    with app.app_context():
        assert stored(app, public_id).status == S.IN_REVIEW
        actions = [e.action for e in all_rows(AuditEvent) if e.target_id == public_id]
        assert "submission.approved" not in actions


def test_once_the_person_accepts_this_version_it_can_be_approved(
    app: Flask, moderator: FlaskClient
) -> None:
    public_id = edited_story(app, moderator)
    act(moderator, public_id, "relecture")

    as_the_person(app, public_id, lambda s: workflow.accept_rereading(s, fingerprint(app, EDITED)))

    assert status_of(app, public_id) == S.IN_REVIEW
    page = shown(moderator, public_id)
    assert words(app, "Accepted by the person") in page
    assert words(app, "It is the current publishable version.") in page
    assert pending(app) not in page
    assert act(moderator, public_id, "approuver").status_code == 303
    assert status_of(app, public_id) == S.APPROVED
    assert "/relecture" not in html(moderator, public_id)


def test_editing_after_the_persons_agreement_closes_the_gate_again(
    app: Flask, moderator: FlaskClient
) -> None:
    public_id = edited_story(app, moderator)
    act(moderator, public_id, "relecture")
    as_the_person(app, public_id, lambda s: workflow.accept_rereading(s, fingerprint(app, EDITED)))

    act(moderator, public_id, "version-publiable", text=EDITED_AGAIN)

    page = shown(moderator, public_id)
    assert words(app, "The version has changed since their agreement: send it again.") in page
    assert pending(app) in page
    assert f"{PAGE.format(public_id)}/approuver" not in html(moderator, public_id)
    refused = act(moderator, public_id, "approuver")
    assert pending(app) in page_text(moderator.get(refused.headers["Location"]))
    assert status_of(app, public_id) == S.IN_REVIEW
    # The agreement to the older text cannot be replayed, neither now nor once resent.
    with pytest.raises(IllegalTransition):
        as_the_person(
            app, public_id, lambda s: workflow.accept_rereading(s, fingerprint(app, EDITED))
        )
    act(moderator, public_id, "relecture")
    with pytest.raises(StaleSubmission):
        as_the_person(
            app, public_id, lambda s: workflow.accept_rereading(s, fingerprint(app, EDITED))
        )
    assert status_of(app, public_id) == S.AWAITING_SUBMITTER

    as_the_person(
        app, public_id, lambda s: workflow.accept_rereading(s, fingerprint(app, EDITED_AGAIN))
    )
    assert act(moderator, public_id, "approuver").status_code == 303
    assert status_of(app, public_id) == S.APPROVED


def test_a_person_who_no_longer_wants_to_reread_no_longer_holds_approval(
    app: Flask, moderator: FlaskClient
) -> None:
    public_id = edited_story(app, moderator)
    as_the_person(app, public_id, lambda s: workflow.change_consent(s, Purpose.REVIEW_EDITS, False))
    assert words(app, "Not asked") in shown(moderator, public_id)
    assert act(moderator, public_id, "approuver").status_code == 303
    assert status_of(app, public_id) == S.APPROVED


# --- The person's messages -----------------------------------------------------------------

MESSAGE = re.compile(
    r'<article class="message message--(\w+)">\s*<p class="meta">(.*?)</p>(.*?)</article>', re.S
)


def thread(client: FlaskClient, public_id: str) -> list[tuple[str, str, str]]:
    """(sender, who the page names, text) of each message, in the page's order."""
    found = MESSAGE.findall(html(client, public_id))
    plain = [[_plain(part) for part in message] for message in found]
    return [(sender, who.split(" · ")[0], body) for sender, who, body in plain]


def test_the_persons_answers_and_change_requests_show_as_theirs(
    app: Flask, moderator: FlaskClient
) -> None:
    public_id = edited_story(app, moderator, email="personne.relecture@example.org")
    act(moderator, public_id, "question", question="Pouvons-nous retirer le prénom de votre fils ?")
    as_the_person(app, public_id, lambda s: workflow.answer(s, "Oui, retirez-le."))
    act(moderator, public_id, "relecture")
    as_the_person(
        app,
        public_id,
        lambda s: workflow.ask_for_changes(
            s, fingerprint(app, EDITED), "Merci d'enlever la phrase sur six ans."
        ),
    )

    the_person = words(app, "The person")
    assert thread(moderator, public_id) == [
        ("team", "Moderator", "Pouvons-nous retirer le prénom de votre fils ?"),
        ("submitter", the_person, "Oui, retirez-le."),
        ("submitter", the_person, "Merci d'enlever la phrase sur six ans."),
    ]
    page = shown(moderator, public_id)
    assert words(app, "Changes asked by the person") in page
    assert words(app, "Their message is in the thread below.") in page
    assert pending(app) in page
    assert status_of(app, public_id) == S.IN_REVIEW

    # A question whose author's account is gone is still the team's, never the person's.
    with app.app_context():
        db.session.execute(update(Message).values(author_id=None))
        db.session.commit()
    assert thread(moderator, public_id)[0][:2] == ("team", words(app, "A closed account"))


# --- Consents the person takes back --------------------------------------------------------


def purpose_label(app: Flask, purpose: Purpose) -> str:
    return in_french(app, lambda: labels.PURPOSE[purpose])


def test_a_withdrawn_consent_is_marked_with_when_it_was_given_and_taken_back(
    app: Flask, moderator: FlaskClient
) -> None:
    public_id = file_story(app, granted=(Purpose.PUBLISH_SITE, Purpose.PUBLISH_SOCIAL))

    as_the_person(
        app, public_id, lambda s: workflow.change_consent(s, Purpose.PUBLISH_SOCIAL, False)
    )

    with app.test_request_context():
        social = stored(app, public_id).consent_for(Purpose.PUBLISH_SOCIAL)
        assert social is not None and social.withdrawn_at is not None
        row = " ".join(
            [
                str(labels.PURPOSE[Purpose.PUBLISH_SOCIAL]),
                _("Withdrawn on %(when)s", when=format_datetime(social.withdrawn_at)),
                _("Given on %(when)s", when=format_datetime(social.decided_at)),
            ]
        )
    page = shown(moderator, public_id)
    assert re.sub(r"\s+", " ", row) in page
    assert f"{purpose_label(app, Purpose.PUBLISH_SITE)} {words(app, 'Yes')}" in page
    assert words(app, "Consent withdrawn") in page  # the history


def taken_back_notice(client: FlaskClient, public_id: str) -> str | None:
    """The text of the notice about uses taken back after approval, if the page shows one."""
    found = re.search(r'<section class="taken-back".*?</section>', html(client, public_id), re.S)
    return None if found is None else _plain(found[0])


def _plain(markup: str) -> str:
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup))).strip()


def test_a_published_story_whose_use_was_taken_back_tells_the_team_to_take_it_down(
    app: Flask, moderator: FlaskClient
) -> None:
    public_id = edited_story(app, moderator, granted=(Purpose.PUBLISH_SITE,))
    act(moderator, public_id, "approuver")
    act(moderator, public_id, "publier", url="https://media.example/a", published_on="2025-03-14")
    assert taken_back_notice(moderator, public_id) is None

    as_the_person(app, public_id, lambda s: workflow.change_consent(s, Purpose.PUBLISH_SITE, False))

    assert status_of(app, public_id) == S.PUBLISHED
    notice = taken_back_notice(moderator, public_id)
    assert notice is not None
    assert purpose_label(app, Purpose.PUBLISH_SITE) in notice
    take_down = "The story is published: take it down wherever it appears for these uses."
    assert words(app, take_down) in notice


def test_an_approved_story_names_the_uses_taken_back_since_its_approval(
    app: Flask, moderator: FlaskClient
) -> None:
    uses = (Purpose.PUBLISH_SITE, Purpose.PUBLISH_SOCIAL, Purpose.PUBLISH_AUDIO)
    public_id = edited_story(app, moderator, granted=uses)
    # Taken back before the approval: the moderator approved knowing it.
    as_the_person(
        app, public_id, lambda s: workflow.change_consent(s, Purpose.PUBLISH_AUDIO, False)
    )
    act(moderator, public_id, "approuver")
    as_the_person(
        app, public_id, lambda s: workflow.change_consent(s, Purpose.PUBLISH_SOCIAL, False)
    )

    assert status_of(app, public_id) == S.APPROVED
    notice = taken_back_notice(moderator, public_id)
    assert notice is not None
    assert purpose_label(app, Purpose.PUBLISH_SOCIAL) in notice
    assert purpose_label(app, Purpose.PUBLISH_AUDIO) not in notice
    assert words(app, "It is no longer in these uses' exports: do not use it for them.") in notice

    # The last use taken back: nothing left to publish it for, it is back with its moderator.
    as_the_person(app, public_id, lambda s: workflow.change_consent(s, Purpose.PUBLISH_SITE, False))
    assert status_of(app, public_id) == S.IN_REVIEW
    assert taken_back_notice(moderator, public_id) is None
    assert words(app, "Approval lifted: no publication use left") in shown(moderator, public_id)


# --- Access ---------------------------------------------------------------------------------


def test_an_anonymous_visitor_cannot_send_a_story_for_rereading(
    app: Flask, client: FlaskClient, moderator: FlaskClient
) -> None:
    public_id = edited_story(app, moderator)
    token = hidden_fields(client.get("/contact").get_data(as_text=True))["csrf_token"]
    version = str(stored_version(app, public_id))

    response = client.post(
        f"{PAGE.format(public_id)}/relecture", data={"csrf_token": token, "version": version}
    )

    assert response.status_code in (302, 303)
    assert response.headers["Location"].startswith("/moderation/connexion")
    with app.app_context():
        assert stored(app, public_id).proofreading is None


def stored_version(app: Flask, public_id: str) -> int:
    with app.app_context():
        return stored(app, public_id).version
