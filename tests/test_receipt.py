"""The follow-up code is shown once, even to someone holding a copy of the session cookie.

The cookie Flask signs is readable by anyone who holds it (signed, not encrypted): it carries
a random token only. The code and whether the story called for the help lines first stay on
the server until the first showing, which deletes them.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from intake.extensions import db
from intake.models import ReceiptDisplay
from tests.helpers import FormPage, filled_testimony, iter_bytes, page_text, receipt_code

URGENT_STORY = (
    "Je n'en peux plus, ce soir je vais me tuer, j'ai déjà préparé les médicaments. "
    "Je voulais quand même raconter comment tout a commencé après la naissance de mon fils."
)


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def cookie_content(app: Flask, value: str) -> Any:
    """What the signed session cookie says to anyone who holds it."""
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return serializer.loads(value)


def held_receipts(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ReceiptDisplay)) or 0


def test_a_copy_of_the_session_cookie_taken_after_sending_shows_no_code(
    app: Flask, client: FlaskClient
) -> None:
    FormPage(client).send("/temoigner", filled_testimony())
    copy = app.test_client()
    copy.set_cookie("session", session_cookie(client))

    code = receipt_code(client.get("/merci").text)
    replayed = copy.get("/merci")

    assert code is not None
    assert receipt_code(replayed.text) is None
    assert "n'est affiché qu'une fois" in page_text(replayed)
    assert held_receipts(app) == 0


def test_the_cookie_carries_neither_the_code_nor_the_rating(
    app: Flask, client: FlaskClient, tmp_path: Any
) -> None:
    FormPage(client).send("/temoigner", filled_testimony(story=URGENT_STORY))
    readable = cookie_content(app, session_cookie(client))

    page = client.get("/merci")

    code = receipt_code(page.text)
    assert code is not None
    # The page still puts the help lines first, from what the server kept.
    text = page_text(page)
    assert text.index("3114") < text.index(code)
    assert set(readable) <= {"receipt", "csrf_token", "_fresh", "_permanent"}, readable
    assert isinstance(readable["receipt"], str)
    flat = str(readable)
    assert code not in flat and code.replace("-", "") not in flat
    assert "support" not in flat and "urgen" not in flat


def test_the_code_waits_on_the_server_encrypted_until_it_is_shown(
    app: Flask, client: FlaskClient
) -> None:
    FormPage(client).send("/temoigner", filled_testimony())
    database = app.config["SQLALCHEMY_DATABASE_URI"]

    assert held_receipts(app) == 1
    code = receipt_code(client.get("/merci").text)

    assert code is not None
    if database.startswith("sqlite:///"):
        for raw in iter_bytes(database.removeprefix("sqlite:///")):
            assert code.encode() not in raw and code.replace("-", "").encode() not in raw
    assert held_receipts(app) == 0


def test_sending_the_same_form_again_shows_the_same_code_again(
    app: Flask, client: FlaskClient
) -> None:
    forms = FormPage(client)
    fields = {**forms.open("/temoigner"), **filled_testimony()}
    client.post("/temoigner", data=fields)
    first = receipt_code(client.get("/merci").text)

    client.post("/temoigner", data=fields)
    second = receipt_code(client.get("/merci").text)

    assert first is not None and first == second
