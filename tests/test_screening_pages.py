"""Screening at work: the thank-you page, the queue, the submission page, redaction, alerts.

Stories go through the public form, as a person sends them, so that the rating is the one
the screening gives on arrival; the team works on them through the moderation pages.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake import safeguarding
from intake.extensions import db
from intake.models import AuditEvent, ScreeningLevel, Submission
from intake.moderation.blueprint import refusal_message
from intake.workflow import DetailNotFound
from tests.conftest import build_app
from tests.followup_helpers import person_with_story, public_id_for, send_story
from tests.helpers import FormPage, filled_testimony, page_text
from tests.mail_helpers import SmtpServer, running_smtp_server
from tests.review_helpers import PAGE, act, in_french, page_fields, team_client

# Invented sentences, one per rating; the corpus in tests/corpus measures the screening itself.
CALM = (
    "Quand mon fils est né, je vivais avec un trouble bipolaire depuis dix ans. Nous avons "
    "appris ensemble, avec l'aide de ma psychiatre, à traverser les mauvais jours."
)
CONCERN = (
    "Il y a dix ans, j'ai fait une tentative de suicide, bien avant la naissance de ma fille. "
    "Aujourd'hui je vais mieux et je voulais raconter comment nous nous en sommes sortis."
)
URGENT = (
    "Je n'en peux plus de tout porter seule. Ce soir je veux en finir, j'ai mis de côté mes "
    "médicaments et personne ne le sait. Je voulais quand même laisser ce message quelque part."
)
# What a person would see only on a page written for someone who may be in danger.
CARING = "If you are in danger now, call 15 or 112; 3114 answers 24/7, free of charge."
DETAILS = (
    "Le docteur Morel nous a reçus au CHU de Nantes. Pour me joindre : 06 12 34 56 78. "
    "Mon fils Lucas va mieux ; Lucas a repris l'école en septembre."
)
QUEUE = "/moderation/"
ROW = re.compile(r'href="/moderation/temoignages/([\w-]+)"')


def thank_you_page(client: FlaskClient, story: str) -> str:
    """Send a story and return the text of the thank-you page shown after it."""
    response = FormPage(client).send("/temoigner", filled_testimony(story=story))
    assert response.status_code == 303
    return page_text(client.get("/merci"))


def stored(app: Flask, public_id: str) -> Submission:
    with app.app_context():
        found = db.session.scalar(select(Submission).where(Submission.public_id == public_id))
        assert found is not None
        db.session.expunge(found)
        return found


def events(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def in_english(client: FlaskClient) -> None:
    client.get("/langue/en")


@pytest.mark.parametrize(
    ("story", "level"),
    [
        (CALM, ScreeningLevel.NONE),
        (CONCERN, ScreeningLevel.CONCERN),
        (URGENT, ScreeningLevel.URGENT),
    ],
    ids=["none", "concern", "urgent"],
)
def test_the_thank_you_page_puts_help_first_when_a_story_may_need_it(
    app: Flask, client: FlaskClient, story: str, level: ScreeningLevel
) -> None:
    in_english(client)
    page = thank_you_page(client, story)

    with app.app_context():
        (filed,) = db.session.scalars(select(Submission))
        assert filed.urgency == level
    help_at = page.index("3114")
    if level == ScreeningLevel.NONE:
        assert CARING not in page
        # The help lines are still there, discreetly, after the code.
        assert page.index("Your follow-up code") < help_at
    else:
        assert CARING in page
        assert help_at < page.index("Your follow-up code")
        assert "Someone can listen to you, now" in page


def test_the_rating_never_holds_a_story_back(app: Flask, client: FlaskClient) -> None:
    code = send_story(client, story=URGENT)

    public_id = public_id_for(app, code)
    assert stored(app, public_id).status.value == "received"


def test_an_urgent_story_comes_first_in_the_queue_with_a_mark(
    app: Flask, client: FlaskClient, desk: FlaskClient
) -> None:
    calm = public_id_for(app, send_story(app.test_client(), story=CALM))
    concern = public_id_for(app, send_story(app.test_client(), story=CONCERN))
    urgent = public_id_for(app, send_story(app.test_client(), story=URGENT))

    in_english(desk)
    page = desk.get(QUEUE).get_data(as_text=True)

    assert ROW.findall(page) == [urgent, concern, calm]
    first_row = page[page.index(urgent) : page.index(concern)]
    assert "flag--2" in first_row and "Urgent" in page_text_of(first_row)


def page_text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)))


def test_the_submission_page_shows_the_phrases_that_made_the_rating(
    app: Flask, desk: FlaskClient
) -> None:
    public_id = public_id_for(app, send_story(app.test_client(), story=URGENT))

    in_english(desk)
    page = desk.get(PAGE.format(public_id)).get_data(as_text=True)

    marked = re.findall(r'<mark class="signal signal--(\d)">([^<]*)<span class="mark-kind">', page)
    assert marked, "no phrase is marked in the original story"
    assert any(level == "2" for level, _ in marked)
    phrases = [html.unescape(text) for _, text in marked]
    assert all(phrase in URGENT for phrase in phrases)
    assert any("finir" in phrase for phrase in phrases)
    assert "Why the story was flagged" in page_text_of(page)


def test_a_moderator_changes_the_rating_and_it_is_traced(app: Flask, desk: FlaskClient) -> None:
    public_id = public_id_for(app, send_story(app.test_client(), story=CONCERN))
    assert stored(app, public_id).urgency == ScreeningLevel.CONCERN

    response = act(desk, public_id, "niveau", level="0")

    assert response.status_code == 303
    assert stored(app, public_id).urgency == ScreeningLevel.NONE
    (event,) = events(app, "submission.rerated")
    assert event.details == {"level_before": 1, "level_after": 0}
    assert event.actor.startswith("user:")
    # A rating that does not change writes nothing.
    act(desk, public_id, "niveau", level="0")
    assert len(events(app, "submission.rerated")) == 1
    # A rating from an outdated page is refused.
    seen = page_fields(desk, public_id)
    act(desk, public_id, "niveau", level="2")
    act(desk, public_id, "niveau", seen, level="1")
    assert stored(app, public_id).urgency == ScreeningLevel.URGENT


@pytest.mark.parametrize("level", ["3", "-1", "urgent", ""])
def test_an_impossible_rating_is_refused(app: Flask, desk: FlaskClient, level: str) -> None:
    public_id = public_id_for(app, send_story(app.test_client(), story=CALM))

    response = act(desk, public_id, "niveau", level=level)

    assert 400 <= response.status_code < 500
    assert stored(app, public_id).urgency == ScreeningLevel.NONE
    assert events(app, "submission.rerated") == []


def claimed(app: Flask, desk: FlaskClient, story: str) -> str:
    public_id = public_id_for(app, send_story(app.test_client(), story=story))
    assert act(desk, public_id, "prendre").status_code == 303
    return public_id


def redaction_forms(desk: FlaskClient, public_id: str) -> list[dict[str, str]]:
    """Every redaction form of the page: the detail, its kind and where it is."""
    page = desk.get(PAGE.format(public_id)).get_data(as_text=True)
    forms = re.findall(r'<form[^>]*action="[^"]*/masquer"[^>]*>(.*?)</form>', page, re.S)
    found = []
    for form in forms:
        fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
        found.append({k: html.unescape(v) for k, v in fields.items() if k != "scope"})
    return found


def test_details_are_highlighted_with_their_kind(app: Flask, desk: FlaskClient) -> None:
    public_id = claimed(app, desk, DETAILS)

    page = desk.get(PAGE.format(public_id)).get_data(as_text=True)

    kinds = {kind for kind in re.findall(r'<mark class="detail detail--(\w+)">', page)}
    assert {"phone", "care_place"} <= kinds
    assert any(k in kinds for k in ("name", "surname"))
    phone = next(f for f in redaction_forms(desk, public_id) if f["kind"] == "phone")
    assert phone["detail"] == "06 12 34 56 78"


def test_one_action_replaces_a_detail_in_the_publishable_version_only(
    app: Flask, desk: FlaskClient
) -> None:
    public_id = claimed(app, desk, DETAILS)
    phone = next(f for f in redaction_forms(desk, public_id) if f["kind"] == "phone")

    response = act(desk, public_id, "masquer", **phone, scope="one")

    assert response.status_code == 303
    after = stored(app, public_id)
    assert after.story == DETAILS
    assert after.publishable_text is not None
    assert "06 12 34 56 78" not in after.publishable_text
    assert "[téléphone]" in after.publishable_text
    (event,) = events(app, "submission.redacted")
    assert event.details == {"kind": "phone", "every": False}
    # The detail no longer shows among those left to replace.
    assert all(f["kind"] != "phone" for f in redaction_forms(desk, public_id))


def test_replacing_every_occurrence_of_a_name(app: Flask, desk: FlaskClient) -> None:
    public_id = claimed(app, desk, DETAILS)
    lucas = next(f for f in redaction_forms(desk, public_id) if f["detail"] == "Lucas")

    act(desk, public_id, "masquer", **lucas, scope="all")

    after = stored(app, public_id)
    assert after.publishable_text is not None
    assert "Lucas" not in after.publishable_text
    assert after.story.count("Lucas") == 2
    assert after.publishable_text.count("[") >= 2


def test_a_detail_not_where_the_page_said_changes_nothing(app: Flask, desk: FlaskClient) -> None:
    public_id = claimed(app, desk, DETAILS)
    phone = next(f for f in redaction_forms(desk, public_id) if f["kind"] == "phone")

    moved = act(desk, public_id, "masquer", **{**phone, "start": "0"}, scope="one")
    notice = page_text(desk.get(moved.headers["Location"]))
    unknown = act(desk, public_id, "masquer", **{**phone, "kind": "blood_type"}, scope="all")

    assert moved.status_code == 303
    assert in_french(app, lambda: refusal_message(DetailNotFound(public_id))) in notice
    assert unknown.status_code == 400
    assert stored(app, public_id).publishable_text is None
    assert events(app, "submission.redacted") == []


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def mailing_app(db_url: str, tmp_path: Path, smtp: SmtpServer) -> Iterator[Flask]:
    settings: dict[str, Any] = {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp.port,
        "MAIL_SECURITY": "none",
        "MAIL_DEFAULT_SENDER": "Intake <no-reply@media.example>",
        "PORTAL_URL": "https://temoignages.example.org",
        "MODERATION_EMAIL": "veille@media.example",
        "NEW_SUBMISSION_NOTICE": "daily",
    }
    application = build_app(tmp_path / "instance", db_url, **settings)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def test_an_urgent_story_alerts_the_team_at_once_without_a_word_of_it(
    mailing_app: Flask, smtp: SmtpServer
) -> None:
    send_story(mailing_app.test_client(), story=CALM)
    assert smtp.received == []  # daily digest: a calm story waits for it

    code = send_story(mailing_app.test_client(), story=URGENT)

    (alert,) = smtp.received
    assert alert.recipients == ["veille@media.example"]
    assert "Urgent" in alert.subject
    public_id = public_id_for(mailing_app, code)
    assert public_id in alert.text  # the link to the story, for the team
    everything = alert.everything()
    for sentence in URGENT.split(". "):
        for words in re.findall(r"\w+(?: \w+){3}", sentence):
            assert words not in everything
    assert code not in everything


def test_raising_a_story_to_urgent_alerts_the_team(mailing_app: Flask, smtp: SmtpServer) -> None:
    public_id = public_id_for(mailing_app, send_story(mailing_app.test_client(), story=CALM))
    desk = team_client(mailing_app, "moderator", "moderatrice@intake.example")

    act(desk, public_id, "niveau", level="2")

    (alert,) = smtp.received
    assert "Urgent" in alert.subject
    assert "bipolaire" not in alert.everything()


def test_a_distressed_reply_raises_the_rating_and_alerts_the_team(
    mailing_app: Flask, smtp: SmtpServer
) -> None:
    person = person_with_story(mailing_app, story=CALM)
    public_id = public_id_for(mailing_app, person.code)
    person.open()

    assert person.answer(URGENT).status_code == 303

    assert stored(mailing_app, public_id).urgency == ScreeningLevel.URGENT
    (event,) = events(mailing_app, "submission.rerated")
    assert (event.actor, event.details) == ("screening", {"level_before": 0, "level_after": 2})
    (alert,) = smtp.received
    assert "Urgent" in alert.subject and "finir" not in alert.everything()
    # A calm reply never lowers what was found or decided before.
    person.answer("Merci pour votre message, je vais mieux aujourd'hui.")
    assert stored(mailing_app, public_id).urgency == ScreeningLevel.URGENT


def test_a_screening_failure_files_the_story_unrated_and_logs_no_word_of_it(
    app: Flask,
    client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(text: str) -> Any:
        raise ValueError(f"cannot read: {text}")

    monkeypatch.setattr(safeguarding, "assess", broken)
    caplog.set_level(logging.DEBUG)

    code = send_story(client, story=URGENT)

    assert stored(app, public_id_for(app, code)).urgency == ScreeningLevel.NONE
    assert "screening failed (ValueError)" in caplog.text
    assert "finir" not in caplog.text and "médicaments" not in caplog.text
