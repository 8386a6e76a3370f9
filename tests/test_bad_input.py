"""Bad input gets a clear 4xx, the form comes back with everything typed, and nothing is stored."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from intake.extensions import db
from intake.models import (
    Answer,
    AuditEvent,
    CallStatus,
    Consent,
    ContactMessage,
    Submission,
    utcnow,
)
from tests.conftest import build_app
from tests.helpers import (
    STORY,
    AuthActions,
    FormPage,
    all_rows,
    checked_boxes,
    filled_contact,
    filled_testimony,
    hidden_fields,
    make_call,
    page_text,
    textarea_value,
)

PAYLOAD = "« L'amitié & moi <3 » <script>alert('x')</script> <img src=x onerror=alert(1)>"


def nothing_stored(app: Flask) -> bool:
    """No story, consent, answer, contact message or audit event was written."""
    with app.app_context():
        tables = (Submission, Consent, Answer, ContactMessage, AuditEvent)
        return all(db.session.scalar(select(func.count()).select_from(t)) == 0 for t in tables)


BAD_TESTIMONIES: dict[str, tuple[dict[str, Any], str]] = {
    "empty story": ({"story": ""}, "Merci d'écrire votre témoignage"),
    "story too short": ({"story": "Trop court, désolée."}, "entre 50 et 20 000 caractères"),
    "story of 20,001 characters": ({"story": "é" * 20_001}, "(il en compte 20 001)"),
    "health-data consent missing": ({"health_data": None}, "cochez la case"),
    "age not attested": ({"age": None}, "cochez la case"),
    "invalid e-mail": ({"email": "camille@", "contact": "y"}, "adresse e-mail"),
    "e-mail without contact consent": ({"email": "camille@example.org"}, "laissez l'adresse vide"),
    "name missing for a named credit": ({"credit_mode": "full_name"}, "Anonyme"),
    "unknown credit choice": ({"credit_mode": "everyone"}, "choix"),
    "honeypot filled": ({"website": "http://spam.example"}, "renvoyez-le"),
}


@pytest.mark.parametrize("change", BAD_TESTIMONIES.values(), ids=BAD_TESTIMONIES.keys())
def test_bad_testimony_is_refused_with_the_text_intact(
    app: Flask, forms: FormPage, change: tuple[dict[str, Any], str]
) -> None:
    overrides, message = change
    data = filled_testimony(**overrides)
    response = forms.send("/temoigner", data)

    assert response.status_code == 422
    assert message in page_text(response)
    assert textarea_value(response, "story") == data.get("story", "")
    assert "Votre texte n'a pas encore été envoyé" in page_text(response)
    assert nothing_stored(app)


def test_story_of_exactly_20000_characters_is_accepted(app: Flask, forms: FormPage) -> None:
    response = forms.send("/temoigner", filled_testimony(story="é" * 20_000))
    assert response.status_code == 303
    with app.app_context():
        (submission,) = all_rows(Submission)
        assert len(submission.story) == 20_000


def test_choices_and_name_survive_a_failed_validation(forms: FormPage) -> None:
    data = filled_testimony(
        story="", credit_mode="pseudonym", credit_name="Plume & Co", publish_audio="y"
    )
    page = forms.send("/temoigner", data).get_data(as_text=True)
    assert checked_boxes(page) == {
        ("credit_mode", "pseudonym"),
        ("age", "y"),
        ("health_data", "y"),
        ("publish_site", "y"),
        ("publish_audio", "y"),
    }
    assert 'value="Plume &amp; Co"' in page


def test_html_and_script_are_stored_as_written_and_shown_inert(app: Flask, forms: FormPage) -> None:
    story = PAYLOAD + " " + STORY
    refused = forms.send("/temoigner", filled_testimony(story=story, health_data=None))
    html = refused.get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html
    assert textarea_value(refused, "story") == story

    assert forms.send("/temoigner", filled_testimony(story=story)).status_code == 303
    with app.app_context():
        (submission,) = all_rows(Submission)
        assert submission.story == story


def test_friendship_and_heart_round_trip_exactly(app: Flask, forms: FormPage) -> None:
    story = "« L'amitié & moi <3 »\n\n" + STORY
    forms.send(
        "/temoigner",
        filled_testimony(story=story, credit_mode="pseudonym", credit_name="L'amitié & moi <3"),
    )
    with app.app_context():
        (submission,) = all_rows(Submission)
        assert submission.story == story
        assert submission.credit_name == "L'amitié & moi <3"


def test_control_and_bidi_characters_are_removed_but_newlines_kept(
    app: Flask, forms: FormPage
) -> None:
    story = "Première ligne\x00\x07 avec\u202e un piège\r\nDeuxième ligne. " + STORY
    assert forms.send("/temoigner", filled_testimony(story=story)).status_code == 303
    with app.app_context():
        (submission,) = all_rows(Submission)
        assert submission.story == "Première ligne avec un piège\nDeuxième ligne. " + STORY


def _raw_post(client: FlaskClient, story: bytes) -> Any:
    fields = hidden_fields(client.get("/temoigner").get_data(as_text=True))
    body = urlencode({**fields, **filled_testimony(story=None)}).encode() + b"&story=" + story
    return client.post("/temoigner", data=body, content_type="application/x-www-form-urlencoded")


def test_percent_encoded_invalid_utf8_is_kept_as_typed(app: Flask, client: FlaskClient) -> None:
    # What a browser would send if a client mangled the encoding: bytes that are not UTF-8.
    response = _raw_post(client, b"Mon+histoire+%FF%FE%C3+" + quote_plus(STORY).encode())
    assert response.status_code == 303
    with app.app_context():
        (submission,) = all_rows(Submission)
        assert submission.story == "Mon histoire %FF%FE%C3 " + STORY


def test_raw_invalid_utf8_body_is_refused_without_server_error(
    app: Flask, client: FlaskClient
) -> None:
    response = _raw_post(client, b"Mon histoire \xff\xfe\xc3 " + STORY.encode())
    assert response.status_code == 400
    assert nothing_stored(app)


def test_invalid_utf8_in_a_multipart_text_field_is_replaced_not_fatal(
    app: Flask, client: FlaskClient
) -> None:
    fields = hidden_fields(client.get("/temoigner").get_data(as_text=True))
    values: dict[str, Any] = {**fields, **filled_testimony(story=None)}
    values["story"] = b"Mon histoire \xff\xfe " + STORY.encode()
    boundary = "intake-test-boundary"
    body = (
        b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + (value if isinstance(value, bytes) else value.encode())
            + b"\r\n"
            for name, value in values.items()
        )
        + f"--{boundary}--\r\n".encode()
    )
    response = client.post(
        "/temoigner", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 303
    with app.app_context():
        (submission,) = all_rows(Submission)
        assert submission.story == "Mon histoire \ufffd\ufffd " + STORY


def test_a_one_megabyte_body_gets_a_friendly_413(app: Flask, forms: FormPage) -> None:
    response = forms.send("/temoigner", filled_testimony(story="a" * 1_000_000))
    assert response.status_code == 413
    assert "trop volumineux" in page_text(response)
    assert nothing_stored(app)


def test_missing_csrf_token_keeps_the_text(app: Flask, forms: FormPage) -> None:
    fields = forms.open("/temoigner")
    del fields["csrf_token"]
    data = {**fields, **filled_testimony(story=PAYLOAD + " " + STORY)}
    response = forms.client.post("/temoigner", data=data)

    assert response.status_code == 400
    assert "Votre session a expiré" in page_text(response)
    assert textarea_value(response, "story") == data["story"]
    assert nothing_stored(app)
    # The page carries a fresh token: sending it again works.
    again = {**data, **hidden_fields(response.get_data(as_text=True))}
    assert forms.client.post("/temoigner", data=again).status_code == 303


def test_anonymous_visitor_keeps_text_when_token_expired(
    app: Flask, forms: FormPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = {**forms.open("/temoigner"), **filled_testimony()}
    nine_hours_later = time.time() + 9 * 3600
    monkeypatch.setattr(time, "time", lambda: nine_hours_later)
    response = forms.client.post("/temoigner", data=data)

    assert response.status_code == 400
    assert "Votre session a expiré" in page_text(response)
    assert textarea_value(response, "story") == STORY
    assert nothing_stored(app)
    again = {**data, **hidden_fields(response.get_data(as_text=True))}
    assert forms.client.post("/temoigner", data=again).status_code == 303


def test_token_lasts_for_an_hour_long_writing_session(
    app: Flask, forms: FormPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = {**forms.open("/temoigner"), **filled_testimony()}
    two_hours_later = time.time() + 2 * 3600
    monkeypatch.setattr(time, "time", lambda: two_hours_later)
    assert forms.client.post("/temoigner", data=data).status_code == 303


@pytest.fixture
def careful_app(db_url: str, tmp_path: Path) -> Flask:
    """The application with its production guards: fill time and rate limits on."""
    return build_app(
        tmp_path / "instance",
        db_url,
        MIN_FILL_SECONDS=3,
        RATELIMIT_ENABLED=True,
        SUBMIT_RATE_LIMIT="2 per minute",
    )


def test_too_fast_submission_is_refused_and_then_accepted(
    careful_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    forms = FormPage(careful_app.test_client())
    data = {**forms.open("/temoigner"), **filled_testimony()}
    too_fast = forms.client.post("/temoigner", data=data)
    assert too_fast.status_code == 422
    assert "très rapide" in page_text(too_fast)
    assert textarea_value(too_fast, "story") == STORY
    assert nothing_stored(careful_app)

    later = time.time() + 10
    monkeypatch.setattr(time, "time", lambda: later)
    again = {**data, **hidden_fields(too_fast.get_data(as_text=True))}
    assert forms.client.post("/temoigner", data=again).status_code == 303


def test_rate_limit_keeps_the_text(careful_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    forms = FormPage(careful_app.test_client())
    later = time.time() + 10
    pages = [forms.open("/contact") for _ in range(3)]
    monkeypatch.setattr(time, "time", lambda: later)
    statuses = []
    for index, fields in enumerate(pages):
        data = {**fields, **filled_contact(message=f"Message numéro {index} pour l'équipe.")}
        response = forms.client.post("/contact", data=data)
        statuses.append(response.status_code)
    assert statuses == [303, 303, 429]
    assert "patientez une minute" in page_text(response)
    assert textarea_value(response, "message") == "Message numéro 2 pour l'équipe."
    with careful_app.app_context():
        assert len(all_rows(ContactMessage)) == 2


def test_closed_call_keeps_the_text_and_offers_the_general_form(
    app: Flask, forms: FormPage
) -> None:
    with app.app_context():
        call = make_call()
    fields = forms.open("/appels/parentalite")
    with app.app_context():
        db.session.add(call)
        call.closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()

    response = forms.client.post("/appels/parentalite", data={**fields, **filled_testimony()})
    assert response.status_code == 409
    text = page_text(response)
    assert "vient de se clore" in text
    assert textarea_value(response, "story") == STORY
    assert 'formaction="/temoigner"' in response.get_data(as_text=True)
    assert nothing_stored(app)

    moved = forms.client.post("/temoigner", data={**fields, **filled_testimony()})
    assert moved.status_code == 303
    with app.app_context():
        (submission,) = all_rows(Submission)
        assert submission.call is None


BAD_CONTACTS: dict[str, tuple[dict[str, Any], str]] = {
    "no name": ({"name": ""}, "votre nom"),
    "no e-mail": ({"email": ""}, "adresse e-mail"),
    "invalid e-mail": ({"email": "pas une adresse"}, "adresse e-mail"),
    "no topic": ({"topic": None}, "sujet"),
    "no message": ({"message": ""}, "votre message"),
    "message too long": ({"message": "x" * 5_001}, "5000"),
    "honeypot filled": ({"website": "spam"}, "renvoyez-le"),
}


@pytest.mark.parametrize("change", BAD_CONTACTS.values(), ids=BAD_CONTACTS.keys())
def test_bad_contact_message_is_refused_with_the_text_intact(
    app: Flask, forms: FormPage, change: tuple[dict[str, Any], str]
) -> None:
    overrides, message = change
    data = filled_contact(**overrides)
    response = forms.send("/contact", data)
    assert response.status_code == 422
    assert message in page_text(response)
    assert textarea_value(response, "message") == data["message"]
    assert nothing_stored(app)


def test_contact_message_is_stored_encrypted_once(app: Flask, forms: FormPage) -> None:
    data = {**forms.open("/contact"), **filled_contact(email="Camille@EXAMPLE.org")}
    assert forms.client.post("/contact", data=data).status_code == 303
    assert forms.client.post("/contact", data=data).status_code == 303
    assert "bien reçu" in page_text(forms.client.get("/contact/merci"))
    with app.app_context():
        (message,) = all_rows(ContactMessage)
        assert (message.name, message.email) == ("Camille Exemple", "Camille@example.org")
        assert message.topic.value == "volunteer"
        (event,) = all_rows(AuditEvent)
        assert event.action == "contact.received"


# --- Form fields: text only, whatever the request carries --------------------------------


def multipart_post(client: FlaskClient, url: str, parts: dict[str, Any]) -> Any:
    """Post a multipart form; a (bytes, file name) value is sent as a file part."""
    boundary = "intake-test-boundary"
    body = b""
    for name, value in parts.items():
        content, filename = value if isinstance(value, tuple) else (value.encode(), None)
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"\r\nContent-Type: text/plain'
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        body += content + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_story_sent_as_a_file_is_refused_with_the_rest_of_the_form_intact(
    app: Flask, forms: FormPage
) -> None:
    fields = forms.open("/temoigner")
    data = filled_testimony(story=None, credit_mode="pseudonym", credit_name="Plume & Co")
    story_file = (STORY.encode(), "histoire.txt")
    response = multipart_post(forms.client, "/temoigner", {**fields, **data, "story": story_file})

    assert response.status_code == 422
    assert "Merci d'écrire votre témoignage" in page_text(response)
    assert 'value="Plume &amp; Co"' in response.get_data(as_text=True)
    assert ("credit_mode", "pseudonym") in checked_boxes(response.get_data(as_text=True))
    assert nothing_stored(app)


def test_contact_message_sent_as_a_file_is_refused_with_the_rest_intact(
    app: Flask, forms: FormPage
) -> None:
    fields = forms.open("/contact")
    data = {**fields, **filled_contact(), "message": (b"Bonjour", "message.txt")}
    response = multipart_post(forms.client, "/contact", data)

    assert response.status_code == 422
    assert "votre message" in page_text(response)
    assert 'value="Camille Exemple"' in response.get_data(as_text=True)
    assert nothing_stored(app)


def test_json_body_fills_no_form(app: Flask, forms: FormPage) -> None:
    fields = forms.open("/temoigner")
    body = {**filled_testimony(), "story": {"texte": STORY}, "started": fields["started"]}
    response = forms.client.post(
        "/temoigner", json=body, headers={"X-CSRFToken": fields["csrf_token"]}
    )
    assert response.status_code == 422
    assert "Merci d'écrire votre témoignage" in page_text(response)
    assert nothing_stored(app)


def test_nul_in_move_from_is_dropped_like_in_every_field(app: Flask, forms: FormPage) -> None:
    with app.app_context():
        make_call(status=CallStatus.CLOSED)
    fields = forms.open("/temoigner")
    data = {**fields, **filled_testimony(), "move_from": "parentalite\x00"}
    moved = forms.client.post("/temoigner", data=data)

    assert moved.status_code == 200
    assert "Votre texte pour « Parentalité et troubles psychiques »" in page_text(moved)
    assert textarea_value(moved, "story") == STORY
    assert nothing_stored(app)


# --- Addresses: path parameters and query strings -------------------------------------------


def test_nul_in_a_call_address_names_no_call(app: Flask, forms: FormPage) -> None:
    with app.app_context():
        make_call()
    # The route refuses it before any query: PostgreSQL cannot even compare text holding NUL.
    with pytest.raises(NotFound):
        app.url_map.bind("localhost").match("/appels/parentalite\x00")
    assert forms.client.get("/appels/%00").status_code == 404
    assert forms.client.get("/appels/parentalite%00").status_code == 404
    fields = forms.open("/appels/parentalite")
    response = forms.client.post("/appels/parentalite%00", data={**fields, **filled_testimony()})
    assert response.status_code == 404
    assert nothing_stored(app)


def test_nul_in_a_story_address_names_no_story(app: Flask, moderator: AuthActions) -> None:
    with pytest.raises(NotFound):
        app.url_map.bind("localhost").match("/moderation/temoignages/a\x00b")
    assert moderator.client.get("/moderation/temoignages/a%00b").status_code == 404
    assert moderator.client.get("/moderation/messages/a%1Bb").status_code == 404


def test_raw_bytes_that_are_not_utf8_in_a_query_string_stay_percent_encoded(
    client: FlaskClient,
) -> None:
    # What a browser never sends but a script may: the bytes as they are, not %-encoded.
    # Every page reads the query string, the error pages too.
    missing = client.get("/nulle-part", environ_overrides={"QUERY_STRING": "a=\xfe\xff"})
    assert missing.status_code == 404
    assert "n'existe pas" in page_text(missing)
    response = client.get("/langue/en", environ_overrides={"QUERY_STRING": "next=/contact\xff"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/contact%FF"
