"""The public side of calls: deadlines in words, the home list, closed calls, drafts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask, session
from flask.testing import FlaskClient
from sqlalchemy import select

from intake.calls import deadline_in_words
from intake.extensions import db
from intake.models import Answer, Call, CallStatus, CreditMode, QuestionKind, Submission, utcnow
from tests.helpers import (
    STORY,
    AuthActions,
    FormPage,
    all_rows,
    checked_boxes,
    filled_testimony,
    hidden_fields,
    make_call,
    page_text,
    question,
    textarea_value,
)

NOW = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


DEADLINES = {
    # Paris is UTC+1 in winter, UTC+2 in summer.
    "midnight closes the day before": (at(2026, 3, 15, 23, 0), "Ouvert jusqu'au 15 mars"),
    "Paris day after UTC": (at(2026, 3, 15, 23, 30), "Ouvert jusqu'au 16 mars à 0 h 30"),
    "an hour": (at(2026, 3, 15, 17, 0), "Ouvert jusqu'au 15 mars à 18 h"),
    "summer time": (at(2026, 7, 14, 16, 0), "Ouvert jusqu'au 14 juillet à 18 h"),
    "another year": (at(2027, 3, 15, 23, 0), "Ouvert jusqu'au 15 mars 2027"),
    "new year's midnight": (at(2026, 12, 31, 23, 0), "Ouvert jusqu'au 31 décembre"),
    "first of the month": (at(2026, 5, 1, 10, 0), "Ouvert jusqu'au 1er mai à 12 h"),
    "night of the clock change": (at(2026, 3, 29, 22, 0), "Ouvert jusqu'au 29 mars"),
}


@pytest.mark.parametrize("closes_at, words", DEADLINES.values(), ids=DEADLINES.keys())
def test_deadline_reads_as_a_french_date_in_paris_time(
    app: Flask, closes_at: datetime, words: str
) -> None:
    with app.test_request_context():
        assert deadline_in_words(closes_at, NOW) == words


def test_deadline_reads_in_english_for_english_visitors(app: Flask) -> None:
    with app.test_request_context():
        session["locale"] = "en"
        assert (
            deadline_in_words(at(2026, 3, 15, 17, 0), NOW) == "Open until 15 March at 6:00\u202fPM"
        )
        assert deadline_in_words(at(2026, 3, 15, 23, 0), NOW) == "Open until 15 March"


def test_home_lists_open_calls_soonest_closing_first_then_the_general_form(
    app: Flask, client: FlaskClient
) -> None:
    now = utcnow()
    with app.app_context():
        make_call(slug="sans-fin", title="Sans date de fin", closes_at=None)
        make_call(slug="dans-un-mois", title="Dans un mois", closes_at=now + timedelta(days=30))
        make_call(slug="bientot", title="Bientôt clos", closes_at=now + timedelta(days=5))
        make_call(slug="brouillon", title="Brouillon secret", status=CallStatus.DRAFT)
        make_call(slug="clos", title="Déjà clos", closes_at=now - timedelta(days=1))
        make_call(slug="futur", title="Pas encore ouvert", opens_at=now + timedelta(days=1))
    response = client.get("/")
    text = page_text(response)
    titles = re.findall(r'<a href="/appels/([\w-]+)">', response.get_data(as_text=True))
    assert titles == ["bientot", "dans-un-mois", "sans-fin"]
    assert "Brouillon secret" not in text and "Déjà clos" not in text
    assert "Pas encore ouvert" not in text
    assert "Ouvert jusqu'au" in text
    assert 'href="/temoigner"' in response.get_data(as_text=True)


def test_call_page_shows_its_description_deadline_and_questions(
    app: Flask, client: FlaskClient
) -> None:
    closes_at = utcnow() + timedelta(days=20)
    with app.app_context():
        make_call(
            closes_at=closes_at,
            questions=[question("Vous écrivez en tant que…", QuestionKind.SHORT_TEXT)],
        )
        words = _deadline(app, closes_at)
    response = client.get("/appels/parentalite")
    assert response.status_code == 200
    assert "Racontez-nous <strong>votre</strong> histoire." in response.get_data(as_text=True)
    text = page_text(response)
    assert words in text and words.startswith("Ouvert jusqu'au")
    assert "Vous écrivez en tant que…" in text


def _deadline(app: Flask, closes_at: datetime) -> str:
    with app.test_request_context():
        return deadline_in_words(closes_at, utcnow())


# --- A call that closes while someone writes ------------------------------------------------

LONG_STORY = (
    "Première ligne, avec « guillemets » & accents : été, où, çà.\r\n\r\n"
    + ("Une phrase qui revient, écrite lentement. " * 600)[:19_800]
    + "\r\nDernière ligne\u00a0!"
)
ANSWERS = {"role": "Parent", "helped": "Ma sœur,\nmes amis & l'équipe"}


def _closing_call(app: Flask, **fields: Any) -> dict[str, int]:
    with app.app_context():
        call = make_call(
            questions=[
                question(
                    "Vous écrivez en tant que…",
                    QuestionKind.SINGLE_CHOICE,
                    choices=["Parent", "Proche"],
                    required=True,
                    position=0,
                ),
                question("Qu'est-ce qui vous a aidé ?", QuestionKind.LONG_TEXT, position=1),
            ],
            **fields,
        )
        return {"role": call.questions[0].id, "helped": call.questions[1].id}


def _close(app: Flask) -> None:
    with app.app_context():
        call = db.session.scalars(select(Call)).one()
        call.closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()


def _call_answers(ids: dict[str, int]) -> dict[str, str]:
    return {f"q_{ids[key]}": value for key, value in ANSWERS.items()}


def test_call_closed_meanwhile_refuses_kindly_and_offers_the_general_form(
    app: Flask, forms: FormPage
) -> None:
    ids = _closing_call(app)
    fields = forms.open("/appels/parentalite")
    _close(app)
    data = {**fields, **filled_testimony(story=LONG_STORY), **_call_answers(ids)}
    response = forms.client.post("/appels/parentalite", data=data)
    assert response.status_code == 409
    assert "vient de se clore" in page_text(response)
    page = response.get_data(as_text=True)
    assert 'formaction="/temoigner" name="move_from" value="parentalite"' in page
    assert textarea_value(response, "story") == LONG_STORY.replace("\r\n", "\n")
    assert textarea_value(response, f"q_{ids['helped']}") == ANSWERS["helped"]
    with app.app_context():
        assert all_rows(Submission) == []


def test_moving_to_the_general_form_prefills_everything_and_sends_nothing(
    app: Flask, forms: FormPage
) -> None:
    ids = _closing_call(app)
    fields = forms.open("/appels/parentalite")
    _close(app)
    written = filled_testimony(
        story=LONG_STORY,
        publish_audio="y",
        contact="y",
        email="camille@example.org",
        credit_mode="pseudonym",
        credit_name="Plume",
        **_call_answers(ids),
    )
    moved = forms.client.post("/temoigner", data={**fields, **written, "move_from": "parentalite"})

    assert moved.status_code == 200
    text = page_text(moved)
    assert "Nothing has been sent" in text or "Rien n'a encore été envoyé" in text
    assert textarea_value(moved, "story") == LONG_STORY.replace("\r\n", "\n")
    assert textarea_value(moved, "call_answers") == (
        # The labels are French: a no-break space before each colon (the question is data).
        "Question\u00a0: Vous écrivez en tant que…\nRéponse\u00a0: Parent\n\n"
        "Question\u00a0: Qu'est-ce qui vous a aidé ?\nRéponse\u00a0: Ma sœur,\n"
        "mes amis & l'équipe"
    )
    ticked = checked_boxes(moved.get_data(as_text=True))
    assert {("publish_site", "y"), ("publish_audio", "y"), ("contact", "y")} <= ticked
    assert ("credit_mode", "pseudonym") in ticked
    assert 'value="Plume"' in moved.get_data(as_text=True)
    assert 'value="camille@example.org"' in moved.get_data(as_text=True)
    hidden = hidden_fields(moved.get_data(as_text=True))
    assert "move_from" not in hidden
    with app.app_context():
        assert all_rows(Submission) == []

    # The person reads it over and sends the general form: one story, answers readable.
    sent = forms.client.post(
        "/temoigner",
        data={
            **hidden,
            **written,
            "story": textarea_value(moved, "story"),
            "call_answers": textarea_value(moved, "call_answers"),
        },
    )
    assert sent.status_code == 303
    with app.app_context():
        (submission,) = all_rows(Submission)
        assert submission.call is None
        assert submission.story == (
            LONG_STORY.replace("\r\n", "\n") + "\n\n" + textarea_value(moved, "call_answers")
        )
        assert (submission.credit_mode, submission.credit_name) == (CreditMode.PSEUDONYM, "Plume")
        assert all_rows(Answer) == []


def test_move_survives_an_expired_form_token(app: Flask) -> None:
    strict = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = True
    ids = _closing_call(app)
    _close(app)
    data = {**filled_testimony(**_call_answers(ids)), "move_from": "parentalite"}
    moved = strict.post("/temoigner", data={**data, "csrf_token": "expired"})
    assert textarea_value(moved, "story") == STORY
    assert "Réponse\u00a0: Parent" in textarea_value(moved, "call_answers")
    with app.app_context():
        assert all_rows(Submission) == []


def test_moved_text_refused_on_the_general_form_keeps_the_answers(
    app: Flask, forms: FormPage
) -> None:
    ids = _closing_call(app)
    fields = forms.open("/appels/parentalite")
    _close(app)
    moved = forms.client.post(
        "/temoigner",
        data={**fields, **filled_testimony(**_call_answers(ids)), "move_from": "parentalite"},
    )
    answers = textarea_value(moved, "call_answers")
    # Sent without the required agreement: refused, and nothing of it is lost.
    data = {**hidden_fields(moved.get_data(as_text=True)), "call_answers": answers}
    refused = forms.client.post("/temoigner", data={**data, **filled_testimony(health_data=None)})
    assert refused.status_code == 422
    assert textarea_value(refused, "call_answers") == answers
    assert textarea_value(refused, "story") == STORY


def test_general_form_without_a_move_shows_no_answers_field(client: FlaskClient) -> None:
    assert 'name="call_answers"' not in client.get("/temoigner").get_data(as_text=True)


# --- Drafts are for the team's eyes ---------------------------------------------------------


@pytest.fixture
def draft(app: Flask) -> str:
    with app.app_context():
        make_call(
            slug="brouillon",
            status=CallStatus.DRAFT,
            questions=[question("Une question en chantier", QuestionKind.SHORT_TEXT)],
        )
    return "brouillon"


def test_editor_previews_a_draft_with_a_banner_and_a_form_that_cannot_be_sent(
    client: FlaskClient, team: dict[str, Any], draft: str
) -> None:
    AuthActions(client).login("editor@intake.example")
    response = client.get(f"/appels/{draft}/apercu")
    assert response.status_code == 200
    text = page_text(response)
    assert "Aperçu — cet appel n'est pas publié" in text
    assert "Une question en chantier" in text
    page = response.get_data(as_text=True)
    assert "<fieldset disabled" in page and 'method="post"' not in page
    assert client.post(f"/appels/{draft}/apercu").status_code == 405
    # Previewing does not publish: the public address still knows nothing.
    assert client.get(f"/appels/{draft}").status_code == 404


def test_draft_is_invisible_to_visitors_and_refused_to_moderators(
    app: Flask, client: FlaskClient, team: dict[str, Any], draft: str
) -> None:
    assert client.get(f"/appels/{draft}").status_code == 404
    assert client.get(f"/appels/{draft}/apercu").status_code == 404
    assert client.get("/appels/nothing-here/apercu").status_code == 404
    assert "Brouillon" not in page_text(client.get("/"))
    AuthActions(client).login("moderator@intake.example")
    assert client.get(f"/appels/{draft}/apercu").status_code == 403


# --- Anonymous-only calls -------------------------------------------------------------------


def test_anonymous_only_call_hides_the_name_and_ignores_a_crafted_one(
    app: Flask, forms: FormPage
) -> None:
    with app.app_context():
        make_call(anonymous_only=True)
    page = forms.client.get("/appels/parentalite").get_data(as_text=True)
    assert 'name="credit_name"' not in page and 'name="credit_mode"' not in page
    crafted = filled_testimony(credit_mode="full_name", credit_name="Jeanne Martin")
    assert forms.send("/appels/parentalite", crafted).status_code == 303
    with app.app_context():
        (submission,) = all_rows(Submission)
        assert (submission.credit_mode, submission.credit_name) == (CreditMode.ANONYMOUS, None)


# --- Each kind of question checks its answer ------------------------------------------------

KINDS: dict[str, tuple[QuestionKind, dict[str, Any], Any, str]] = {
    "short text required": (QuestionKind.SHORT_TEXT, {"required": True}, "", "répondre"),
    "short text too long": (QuestionKind.SHORT_TEXT, {"max_length": 10}, "x" * 11, "10"),
    "long text required": (QuestionKind.LONG_TEXT, {"required": True}, "  ", "répondre"),
    "long text too long": (QuestionKind.LONG_TEXT, {"max_length": 20}, "é" * 21, "20"),
    "single choice required": (
        QuestionKind.SINGLE_CHOICE,
        {"required": True, "choices": ["Oui", "Non"]},
        None,
        "répondre",
    ),
    "single choice off the list": (
        QuestionKind.SINGLE_CHOICE,
        {"choices": ["Oui", "Non"]},
        "Peut-être",
        "",
    ),
    "multiple choice required": (
        QuestionKind.MULTIPLE_CHOICE,
        {"required": True, "choices": ["A", "B"]},
        None,
        "répondre",
    ),
    "multiple choice off the list": (
        QuestionKind.MULTIPLE_CHOICE,
        {"choices": ["A", "B"]},
        ["A", "Z"],
        "",
    ),
}


@pytest.mark.parametrize("kind, options, answer, message", KINDS.values(), ids=KINDS.keys())
def test_each_question_kind_checks_its_answer_and_keeps_the_story(
    app: Flask,
    forms: FormPage,
    kind: QuestionKind,
    options: dict[str, Any],
    answer: Any,
    message: str,
) -> None:
    with app.app_context():
        call = make_call(questions=[question("La question", kind, **options)])
        name = f"q_{call.questions[0].id}"
    response = forms.send("/appels/parentalite", filled_testimony(**{name: answer}))
    assert response.status_code == 422
    assert message in page_text(response)
    assert textarea_value(response, "story") == STORY
    with app.app_context():
        assert all_rows(Submission) == []


def test_optional_questions_left_empty_file_the_story(app: Flask, forms: FormPage) -> None:
    with app.app_context():
        make_call(
            questions=[
                question("Court", QuestionKind.SHORT_TEXT, position=0),
                question("Long", QuestionKind.LONG_TEXT, position=1),
                question("Un", QuestionKind.SINGLE_CHOICE, choices=["a"], position=2),
                question("Plusieurs", QuestionKind.MULTIPLE_CHOICE, choices=["a"], position=3),
            ]
        )
    assert forms.send("/appels/parentalite", filled_testimony()).status_code == 303
    with app.app_context():
        assert len(all_rows(Submission)) == 1 and all_rows(Answer) == []


def test_a_call_not_yet_open_says_when_it_opens(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        make_call(opens_at=utcnow() + timedelta(days=10))
    client.get("/langue/en")

    page = client.get("/appels/parentalite")

    text = page_text(page)
    assert page.status_code == 200
    assert "This call opens on" in text and "This call is closed" not in text
    assert 'name="story"' not in page.get_data(as_text=True)
