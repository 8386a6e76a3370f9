"""The public pages a visitor reads before writing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from intake.models import CallStatus, utcnow
from tests.conftest import build_app
from tests.helpers import make_call, page_text


def test_home_lists_open_calls_soonest_closing_first(app: Flask, client: FlaskClient) -> None:
    now = utcnow()
    with app.app_context():
        make_call(slug="later", title="Appel lointain", closes_at=now + timedelta(days=90))
        make_call(slug="soon", title="Appel proche", closes_at=now + timedelta(days=3))
        make_call(slug="draft", title="Appel brouillon", status=CallStatus.DRAFT)
        make_call(slug="closed", title="Appel clos", closes_at=now - timedelta(days=1))
        make_call(slug="future", title="Appel futur", opens_at=now + timedelta(days=1))
    text = page_text(client.get("/"))
    assert text.index("Appel proche") < text.index("Appel lointain")
    for hidden in ("Appel brouillon", "Appel clos", "Appel futur"):
        assert hidden not in text
    assert "Partager votre histoire" in text and "Nous contacter" in text


def test_draft_call_is_not_public_and_closed_call_points_to_the_general_form(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        make_call(slug="draft", status=CallStatus.DRAFT)
        make_call(slug="closed", status=CallStatus.CLOSED)
    assert client.get("/appels/draft").status_code == 404
    closed = client.get("/appels/closed")
    assert closed.status_code == 200
    assert "Cet appel est clos" in page_text(closed)
    assert 'name="story"' not in closed.get_data(as_text=True)


def test_call_description_is_markdown_without_dangerous_markup(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        make_call(
            body_markdown=(
                "Un **appel** important.\n\n"
                "<script>alert(1)</script>\n\n"
                "[piège](javascript:alert(1)) et <iframe src='https://x'></iframe> "
                "<a href='https://example.org' onclick='x()'>lien</a>"
            )
        )
    page = client.get("/appels/parentalite").get_data(as_text=True)
    assert "<strong>appel</strong>" in page
    # Raw HTML is shown as text, never interpreted; unsafe links are not made links.
    assert "<script>alert" not in page and 'href="javascript:' not in page
    assert "<iframe" not in page and "<a href='https://example.org' onclick" not in page
    assert "&lt;script&gt;" in page


def test_privacy_notice_names_the_controller_rights_and_retention(
    db_url: str, tmp_path: Path
) -> None:
    app = build_app(
        tmp_path,
        db_url,
        CONTROLLER_NAME="Association Exemple",
        CONTROLLER_CONTACT="rgpd@exemple.org",
        RETENTION_SUBMISSION_DAYS=400,
    )
    text = page_text(app.test_client().get("/confidentialite"))
    for expected in ("Association Exemple", "rgpd@exemple.org", "400 jours", "CNIL", "adresse IP"):
        assert expected in text


def test_testimony_form_shows_the_short_notice_and_unticked_consents(client: FlaskClient) -> None:
    response = client.get("/temoigner")
    page = response.get_data(as_text=True)
    text = page_text(response)
    assert "Ce que devient votre témoignage" in text and "CNIL" in text
    assert response.headers["Cache-Control"] == "no-store"
    for box in (
        "age",
        "health_data",
        "publish_site",
        "publish_social",
        "publish_audio",
        "publish_print",
        "edit",
        "review_edits",
        "contact",
    ):
        tag = next(t for t in page.split("<input")[1:] if f'name="{box}"' in t)
        assert "checked" not in tag.split(">")[0], box


def test_every_field_has_a_label(client: FlaskClient) -> None:
    import re

    for url in ("/temoigner", "/contact"):
        page = client.get(url).get_data(as_text=True)
        for tag in re.findall(r"<(?:input|textarea)[^>]*>", page):
            if 'type="hidden"' in tag:
                continue
            field_id = re.search(r'\sid="([^"]+)"', tag)
            assert field_id, tag
            assert f'for="{field_id.group(1)}"' in page, tag


def test_health_check_answers_when_the_database_does(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_health_check_says_503_when_the_database_is_unreachable(
    database: str, tmp_path: Path
) -> None:
    unreachable = (
        "postgresql://postgres@127.0.0.1:9/test"
        if database.startswith("postgresql")
        else f"sqlite:///{tmp_path}/missing/dir/intake.db"
    )
    response = build_app(tmp_path, unreachable).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "unreachable"}


def test_english_is_one_click_away(client: FlaskClient) -> None:
    assert "Témoigner" in page_text(client.get("/"))
    client.get("/langue/en")
    english = client.get("/")
    assert 'lang="en"' in english.get_data(as_text=True)
    assert "Tell your story" in page_text(english)
