"""Headers, cookies and pages: no inline code, no third party, nothing cached."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from intake import create_app
from tests.conftest import TEST_DATA_KEY, TEST_SECRET_KEY
from tests.helpers import FormPage, filled_testimony, make_call

PAGES = ["/", "/temoigner", "/contact", "/merci", "/contact/merci", "/confidentialite", "/nope"]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_sends_the_security_headers(client: FlaskClient, url: str) -> None:
    headers = client.get(url).headers
    csp = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"


def test_static_files_may_be_cached_but_keep_the_headers(client: FlaskClient) -> None:
    response = client.get("/static/css/intake.css")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] != "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "url", ["/", "/temoigner", "/appels/parentalite", "/contact", "/merci", "/confidentialite"]
)
def test_pages_load_nothing_from_elsewhere_and_hold_no_inline_code(
    app: Flask, client: FlaskClient, url: str
) -> None:
    with app.app_context():
        make_call(body_markdown="[Lien](https://example.org) et <script>alert(1)</script>")
    page = client.get(url).get_data(as_text=True)
    assert not re.search(
        r'(src|href|action)="(https?:)?//', page.replace('href="https://example.org"', "")
    )
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "inline script"
    assert not re.search(r"<style", page) and not re.search(r'\sstyle="', page)
    assert not re.search(r'\son\w+="', page), "inline event handler"


def test_session_cookie_is_httponly_and_lax(client: FlaskClient) -> None:
    client.get("/temoigner")
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert cookie.http_only and cookie.same_site == "Lax"
    assert not cookie.secure


def test_production_cookie_is_secure(tmp_path: Path) -> None:
    app = create_app(
        environ={
            "INTAKE_ENV": "production",
            "SECRET_KEY": TEST_SECRET_KEY,
            "DATA_ENCRYPTION_KEY": TEST_DATA_KEY,
            "INTAKE_INSTANCE_PATH": str(tmp_path),
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_language_switch_never_redirects_elsewhere(client: FlaskClient) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"):
        response = client.get("/langue/en", query_string={"next": target})
        assert response.headers["Location"] == "/"
    assert client.get("/langue/en?next=/contact").headers["Location"] == "/contact"
    assert client.get("/langue/xx").status_code == 404


@pytest.mark.parametrize("target", ["/x\nY", "/x\r\nSet-Cookie: a=b", "/x\x00Y", "/x\tY"])
def test_language_switch_with_a_control_character_in_next_goes_home(
    client: FlaskClient, target: str
) -> None:
    response = client.get("/langue/en", query_string={"next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert "Set-Cookie: a=b" not in str(response.headers)


def test_no_story_name_or_email_reaches_the_application_log(
    app: Flask, forms: FormPage, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    canary = "CANARY-7f3a"
    forms.send(
        "/temoigner",
        filled_testimony(
            story=f"{canary} " * 10,
            credit_mode="full_name",
            credit_name=f"{canary}-name",
            email=f"{canary.lower()}@example.org",
            contact="y",
        ),
    )
    forms.send("/temoigner", filled_testimony(story=f"{canary} trop court"))
    assert canary not in caplog.text and canary.lower() not in caplog.text
