"""Editors write calls for testimony, schedule, open and close them, and ask their questions."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from intake.call_admin import Phase, SlugFrozen, SlugTaken
from intake.extensions import db
from intake.models import (
    Answer,
    AuditEvent,
    Call,
    CallQuestion,
    CallStatus,
    QuestionKind,
    Submission,
    utcnow,
)
from intake.moderation.calls import PHASES, refusal
from tests.helpers import (
    STORY,
    FormPage,
    all_rows,
    filled_testimony,
    hidden_fields,
    make_call,
    page_text,
    textarea_value,
)
from tests.review_helpers import PAGE, in_french, team_client

NEW = "/moderation/appels/nouveau"
TITLE = "Parentalité et troubles psychiques"


def send(
    client: FlaskClient, url: str, data: dict[str, Any], page: str | None = None
) -> TestResponse:
    """Open a team page and send its form, as an editor's browser does."""
    fields = hidden_fields(client.get(page or url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": fields["csrf_token"], **data})


def call_form(**overrides: Any) -> dict[str, Any]:
    """A complete, valid call form, with any field replaced (None drops it)."""
    data: dict[str, Any] = {
        "title": TITLE,
        "slug": "",
        "summary": "Être parent avec un trouble psychique.",
        "body_markdown": "Racontez-nous **votre** histoire.",
        "opens_at": "",
        "closes_at": "",
        "min_age": "16",
        "publication_uses": ["publish_site", "publish_audio"],
        "thank_you_message": "Merci pour votre confiance.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def question_form(**overrides: Any) -> dict[str, Any]:
    """A complete, valid question form."""
    data: dict[str, Any] = {
        "label": "Quel âge ont vos enfants ?",
        "kind": "short_text",
        "help_text": "",
        "max_length": "40",
        "choices": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def the_call(app: Flask) -> Call:
    with app.app_context():
        db.session.expire_all()
        call = db.session.scalar(select(Call).order_by(Call.id.desc()))
        assert call is not None
        db.session.expunge(call)
        return call


def create(app: Flask, editor: FlaskClient, **overrides: Any) -> Call:
    response = send(editor, NEW, call_form(**overrides))
    assert response.status_code == 303, page_text(response)
    return the_call(app)


def add_question(editor: FlaskClient, call_id: int, **overrides: Any) -> TestResponse:
    url = f"/moderation/appels/{call_id}/questions"
    return send(editor, url, question_form(**overrides))


def events(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- Creating and editing -----------------------------------------------------------------


def test_editor_creates_a_draft_call_whose_address_comes_from_its_title(
    app: Flask, editor: FlaskClient
) -> None:
    call = create(app, editor)
    assert call.slug == "parentalite-et-troubles-psychiques"
    assert call.status == CallStatus.DRAFT
    assert call.publication_uses == ["publish_site", "publish_audio"]
    assert (call.min_age, call.anonymous_only) == (16, False)
    # The same title again gets its own address.
    assert create(app, editor).slug == "parentalite-et-troubles-psychiques-2"
    created = events(app, "call.created")
    assert [e.target_id for e in created] == [str(call.id), str(call.id + 1)]
    assert created[0].actor != "public"
    assert TITLE not in str(created[0].details)
    listing = page_text(editor.get("/moderation/appels"))
    assert TITLE in listing and phase_label(app, Phase.DRAFT) in listing


@pytest.mark.parametrize(
    ("title", "address"),
    [
        ("Frères et sœurs", "freres-et-soeurs"),
        ("Œuvres et cœurs", "oeuvres-et-coeurs"),
        ("Ex æquo : vivre à deux", "ex-aequo-vivre-a-deux"),
    ],
)
def test_a_title_with_a_ligature_keeps_its_letters_in_the_address(
    app: Flask, editor: FlaskClient, title: str, address: str
) -> None:
    assert create(app, editor, title=title).slug == address
    assert editor.get(f"/appels/{address}/apercu").status_code == 200


def test_editor_edits_a_call_with_dates_read_in_paris_time(app: Flask, editor: FlaskClient) -> None:
    call = create(app, editor)
    url = f"/moderation/appels/{call.id}"
    changed = call_form(
        title="Être parent",
        slug="etre-parent",
        opens_at="2027-01-15T10:00",
        closes_at="2027-07-01T10:00",
        anonymous_only="y",
    )
    assert send(editor, url, changed).status_code == 303
    call = the_call(app)
    assert (call.title, call.slug, call.anonymous_only) == ("Être parent", "etre-parent", True)
    # Winter time is UTC+1, summer time UTC+2.
    assert call.opens_at == datetime(2027, 1, 15, 9, 0, tzinfo=UTC)
    assert call.closes_at == datetime(2027, 7, 1, 8, 0, tzinfo=UTC)
    # The form shows them back in Paris time.
    page = editor.get(url).get_data(as_text=True)
    assert 'value="2027-01-15T10:00"' in page and 'value="2027-07-01T10:00"' in page
    updated = events(app, "call.updated")
    assert "slug" in updated[-1].details["fields"]
    assert "Être parent" not in str(updated[-1].details)


def test_a_time_skipped_by_summer_time_is_refused(app: Flask, editor: FlaskClient) -> None:
    response = send(editor, NEW, call_form(opens_at="2027-03-28T02:30"))
    assert response.status_code == 422
    assert 'id="opens_at-error"' in response.get_data(as_text=True)
    assert all_rows_count(app, Call) == 0


def test_closing_before_opening_is_refused_and_everything_typed_kept(
    app: Flask, editor: FlaskClient
) -> None:
    typed = call_form(opens_at="2027-05-10T12:00", closes_at="2027-05-01T12:00")
    response = send(editor, NEW, typed)
    assert response.status_code == 422
    assert textarea_value(response, "body_markdown") == typed["body_markdown"]
    assert 'value="2027-05-10T12:00"' in response.get_data(as_text=True)
    assert all_rows_count(app, Call) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("min_age", "12"),
        ("min_age", "100"),
        ("min_age", "vingt"),
        ("publication_uses", None),
        ("slug", "Pas Une Adresse!"),
        ("opens_at", "demain"),
    ],
)
def test_bad_call_input_is_refused_with_what_was_typed(
    app: Flask, editor: FlaskClient, field: str, value: str | None
) -> None:
    typed = call_form(**{field: value}, summary="Un résumé « précis » & soigné")
    response = send(editor, NEW, typed)
    assert response.status_code == 422
    assert textarea_value(response, "summary") == "Un résumé « précis » & soigné"
    assert 'class="error-summary"' in response.get_data(as_text=True)
    assert all_rows_count(app, Call) == 0


def test_an_address_already_used_is_refused(app: Flask, editor: FlaskClient) -> None:
    create(app, editor, slug="parentalite")
    response = send(editor, NEW, call_form(title="Autre", slug="parentalite"))
    assert response.status_code == 422
    assert in_french(app, lambda: refusal(SlugTaken("parentalite"))) in page_text(response)
    assert all_rows_count(app, Call) == 1


def test_address_is_frozen_once_the_call_is_published(app: Flask, editor: FlaskClient) -> None:
    call = create(app, editor)
    url = f"/moderation/appels/{call.id}"
    assert send(editor, f"{url}/ouvrir", {}, page=url).status_code == 303
    response = send(editor, url, call_form(slug="nouvelle-adresse"))
    assert response.status_code == 422
    assert in_french(app, lambda: refusal(SlugFrozen(call.slug))) in page_text(response)
    assert the_call(app).slug == "parentalite-et-troubles-psychiques"
    # Other changes are still possible, the address stays.
    assert send(editor, url, call_form(title="Nouveau titre", slug=call.slug)).status_code == 303
    assert (the_call(app).title, the_call(app).slug) == ("Nouveau titre", call.slug)


# --- Preview --------------------------------------------------------------------------------

HOSTILE = """## Titre

Un *texte* avec [un lien](https://exemple.org) et [un piège](javascript:alert(1)).

<script>alert(1)</script>
<img src=x onerror="alert(1)">
<iframe src="https://exemple.org"></iframe>
<a href="javascript:alert(2)" onclick="alert(3)">clic</a>
"""


def test_preview_renders_the_description_cleaned_without_saving(
    app: Flask, editor: FlaskClient
) -> None:
    response = send(editor, NEW, {**call_form(body_markdown=HOSTILE), "preview": "1"})
    assert response.status_code == 200
    section = re.search(
        r'<section[^>]*id="call-preview"[^>]*>(.*?)</section>',
        response.get_data(as_text=True),
        re.S,
    )
    assert section, "no preview shown"
    preview = section.group(1)
    assert "<h2>Titre</h2>" in preview and "<em>texte</em>" in preview
    assert 'href="https://exemple.org"' in preview
    assert re.search(r'<a [^>]*rel="nofollow noopener[^"]*"', preview)
    tags = re.findall(r"<[a-zA-Z][^>]*>", preview)
    assert not [t for t in tags if re.match(r"<(script|iframe|img)", t)]
    assert not [t for t in tags if "onerror" in t or "onclick" in t or "javascript:" in t]
    # What was typed stays in the form, and nothing was saved.
    assert textarea_value(response, "body_markdown") == HOSTILE.strip()
    assert all_rows_count(app, Call) == 0


def test_edit_page_links_to_the_team_preview_of_the_public_page(
    app: Flask, editor: FlaskClient
) -> None:
    call = create(app, editor, body_markdown="Racontez-nous *votre* histoire.")
    page = editor.get(f"/moderation/appels/{call.id}").get_data(as_text=True)
    link = f'href="/appels/{call.slug}/apercu"'
    assert link in page
    preview = editor.get(f"/appels/{call.slug}/apercu")
    assert preview.status_code == 200
    assert "<em>votre</em>" in preview.get_data(as_text=True)


# --- Opening and closing --------------------------------------------------------------------


def test_open_now_then_close_now_refuses_new_stories_keeping_the_text(
    app: Flask, editor: FlaskClient
) -> None:
    call = create(app, editor)
    url = f"/moderation/appels/{call.id}"
    public = f"/appels/{call.slug}"
    assert send(editor, f"{url}/ouvrir", {}, page=url).status_code == 303
    opened = the_call(app)
    assert opened.status == CallStatus.OPEN and opened.opens_at is not None
    visitor = FormPage(app.test_client())
    assert visitor.send(public, filled_testimony()).status_code == 303

    fields = visitor.open(public)  # someone starts writing, then the team closes the call
    assert send(editor, f"{url}/clore", {}, page=url).status_code == 303
    closed = the_call(app)
    assert closed.closes_at is not None and closed.closes_at <= utcnow()
    assert phase_label(app, Phase.CLOSED) in page_text(editor.get(url))
    text = STORY + " Et encore une phrase."
    response = visitor.client.post(public, data={**fields, **filled_testimony(story=text)})
    assert response.status_code == 409
    assert textarea_value(response, "story") == text
    assert all_rows_count(app, Submission) == 1
    assert [e.action for e in events(app, "call.opened") + events(app, "call.closed")] == [
        "call.opened",
        "call.closed",
    ]


def test_a_call_with_a_future_opening_is_scheduled_not_open(
    app: Flask, editor: FlaskClient
) -> None:
    later = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    call = create(app, editor, opens_at=later)
    url = f"/moderation/appels/{call.id}"
    assert send(editor, f"{url}/ouvrir", {}, page=url).status_code == 303
    scheduled = the_call(app)
    assert scheduled.status == CallStatus.OPEN and scheduled.opens_at > utcnow()
    with app.app_context():
        assert not db.session.get(Call, call.id).accepts_submissions(utcnow())


def test_a_call_whose_closing_date_passed_cannot_be_opened(app: Flask, editor: FlaskClient) -> None:
    call = create(app, editor, opens_at="2020-01-01T10:00", closes_at="2020-02-01T10:00")
    url = f"/moderation/appels/{call.id}"
    response = send(editor, f"{url}/ouvrir", {}, page=url)
    assert response.status_code == 303
    assert the_call(app).status == CallStatus.DRAFT
    assert events(app, "call.opened") == []


# --- Questions ------------------------------------------------------------------------------


def test_each_question_kind_is_asked_with_its_rules(app: Flask, editor: FlaskClient) -> None:
    call = create(app, editor)
    for fields in (
        question_form(label="Prénom de l'enfant", kind="short_text", max_length="10", required="y"),
        question_form(label="Votre parcours", kind="long_text", max_length="50"),
        question_form(
            label="Vous êtes", kind="single_choice", choices="Parent\nProche\n", required="y"
        ),
        question_form(
            label="Vos soutiens",
            kind="multiple_choice",
            choices="Famille\nAmis\nSoignants",
            publishable="y",
        ),
    ):
        assert add_question(editor, call.id, **fields).status_code == 303
    url = f"/moderation/appels/{call.id}"
    assert send(editor, f"{url}/ouvrir", {}, page=url).status_code == 303
    with app.app_context():
        questions = list(db.session.scalars(select(CallQuestion).order_by(CallQuestion.position)))
        ids = [q.id for q in questions]
        assert [q.kind for q in questions] == list(QuestionKind)
        assert questions[2].choices == ["Parent", "Proche"]
        assert [q.required for q in questions] == [True, False, True, False]
        assert questions[3].publishable and not questions[0].publishable
    public = f"/appels/{call.slug}"
    answers = {
        f"q_{ids[0]}": "Lou",
        f"q_{ids[1]}": "Court.",
        f"q_{ids[2]}": "Parent",
        f"q_{ids[3]}": ["Amis", "Soignants"],
    }
    visitor = FormPage(app.test_client())
    missing = visitor.send(public, filled_testimony(**{**answers, f"q_{ids[0]}": ""}))
    assert missing.status_code == 422
    too_long = visitor.send(public, filled_testimony(**{**answers, f"q_{ids[1]}": "x" * 51}))
    assert too_long.status_code == 422
    assert textarea_value(too_long, "story") == STORY
    assert visitor.send(public, filled_testimony(**answers)).status_code == 303
    with app.app_context():
        kept = {a.question_label: a.value for a in all_rows(Answer)}
    assert kept["Prénom de l'enfant"] == '"Lou"'
    assert "Soignants" in kept["Vos soutiens"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"kind": "single_choice", "choices": "Une seule"},
        {"kind": "multiple_choice", "choices": "\n\n"},
        {"kind": "single_choice", "choices": "Oui\nOui\n"},
        {"max_length": "0"},
        {"max_length": "20001"},
        {"label": ""},
        {"kind": "essay"},
    ],
    ids=[
        "one-choice",
        "no-choice",
        "repeated-choice",
        "length-0",
        "length-20001",
        "no-label",
        "kind",
    ],
)
def test_bad_question_is_refused_with_what_was_typed(
    app: Flask, editor: FlaskClient, overrides: dict[str, str]
) -> None:
    call = create(app, editor)
    typed = question_form(help_text="Une aide « utile » & claire", **overrides)
    response = add_question(editor, call.id, **typed)
    assert response.status_code == 422
    assert textarea_value(response, "help_text") == "Une aide « utile » & claire"
    assert all_rows_count(app, CallQuestion) == 0


def test_questions_are_reordered(app: Flask, editor: FlaskClient) -> None:
    call = create(app, editor)
    for label in ("Un", "Deux", "Trois"):
        assert add_question(editor, call.id, label=label).status_code == 303
    with app.app_context():
        third = db.session.scalar(select(CallQuestion.id).where(CallQuestion.label == "Trois"))
    page = f"/moderation/appels/{call.id}/questions"
    move = f"{page}/{third}/deplacer"
    assert send(editor, move, {"direction": "up"}, page=page).status_code == 303
    with app.app_context():
        labels = db.session.scalars(select(CallQuestion.label).order_by(CallQuestion.position))
        assert list(labels) == ["Un", "Trois", "Deux"]


def test_answers_keep_their_wording_when_the_question_changes_or_goes(
    app: Flask, editor: FlaskClient
) -> None:
    with app.app_context():
        call = make_call(questions=[])
        call_id, slug = call.id, call.slug
    assert (
        add_question(
            editor, call_id, label="Qui vous a aidé ?", kind="long_text", max_length="200"
        ).status_code
        == 303
    )
    with app.app_context():
        question_id = db.session.scalar(select(CallQuestion.id))
    visitor = FormPage(app.test_client())
    sent = visitor.send(f"/appels/{slug}", filled_testimony(**{f"q_{question_id}": "Ma sœur."}))
    assert sent.status_code == 303
    with app.app_context():
        public_id = db.session.scalar(select(Submission.public_id))

    page = f"/moderation/appels/{call_id}/questions"
    edit = f"{page}/{question_id}"
    changed = question_form(
        label="Qui vous soutient aujourd'hui ?", kind="long_text", max_length="200"
    )
    assert send(editor, edit, changed, page=edit).status_code == 303
    shown = page_text(editor.get(PAGE.format(public_id)))
    assert "Qui vous a aidé ?" in shown and "Ma sœur." in shown
    assert "Qui vous soutient aujourd'hui ?" not in shown

    assert send(editor, f"{edit}/supprimer", {}, page=page).status_code == 303
    with app.app_context():
        answer = all_rows(Answer)[0]
        assert (answer.question_id, answer.question_label) == (None, "Qui vous a aidé ?")
        assert db.session.scalar(select(CallQuestion.id)) is None
    assert "Qui vous a aidé ?" in page_text(editor.get(PAGE.format(public_id)))
    removed = events(app, "call.question_removed")
    assert removed and "aidé" not in str(removed[0].details)


# --- Who may -------------------------------------------------------------------------------


def editor_pages(call_id: int, question_id: int) -> list[str]:
    base = f"/moderation/appels/{call_id}"
    return ["/moderation/appels", NEW, base, f"{base}/questions", f"{base}/questions/{question_id}"]


def test_moderators_and_visitors_are_refused_every_calls_page(app: Flask) -> None:
    with app.app_context():
        call = make_call(questions=[CallQuestion(label="Q", kind=QuestionKind.SHORT_TEXT)])
        call_id, question_id = call.id, call.questions[0].id
    moderator = team_client(app, "moderator", "moderatrice@intake.example")
    visitor = app.test_client()
    for url in editor_pages(call_id, question_id):
        assert moderator.get(url).status_code == 403, url
        response = visitor.get(url)
        assert response.status_code == 302 and "/moderation/connexion" in response.location, url
    token = hidden_fields(moderator.get("/moderation/").get_data(as_text=True))
    for action in ("ouvrir", "clore"):
        url = f"/moderation/appels/{call_id}/{action}"
        assert moderator.post(url, data=token).status_code == 403
    assert "/moderation/appels" not in moderator.get("/moderation/").get_data(as_text=True)
    admin = team_client(app, "admin", "admin.appels@intake.example")
    for url in editor_pages(call_id, question_id):
        assert admin.get(url).status_code == 200, url


def phase_label(app: Flask, phase: Phase) -> str:
    return in_french(app, lambda: str(PHASES[phase]))


def all_rows_count(app: Flask, model: type[Any]) -> int:
    with app.app_context():
        return len(all_rows(model))
