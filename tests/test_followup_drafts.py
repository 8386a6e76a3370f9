"""The follow-up's drafts in the browser: kept while the text is not sent, dropped as soon as
the server has it or the person leaves, and never handed to someone else's code.

What the script does with these attributes is tested in a real browser
(tests/test_browser.py); here, what the server tells it, on every database.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.followup_helpers import (
    ANSWER,
    ENTRY,
    LEAVE,
    REREAD,
    Person,
    person_with_story,
    public_id_for,
    send_for_rereading,
)
from tests.review_helpers import act

DROPPED = re.compile(r'<body data-drop-drafts="([^"]*)">')


def drafts_dropped(response: TestResponse) -> list[str]:
    """The drafts a page tells the browser to drop (static/js/intake.js reads them)."""
    match = DROPPED.search(response.get_data(as_text=True))
    return match.group(1).split() if match else []


def draft_form(response: TestResponse, action: str) -> str:
    """The opening tag of the page's form that posts to ``action``."""
    match = re.search(rf'<form[^>]*action="{action}"[^>]*>', response.get_data(as_text=True))
    assert match, f"no form posting to {action}"
    return match.group(0)


@pytest.fixture
def asked(app: Flask, desk: FlaskClient) -> Person:
    """A person whose story holds a question, their follow-up open."""
    person = person_with_story(app, contact="y")
    public_id = public_id_for(app, person.code)
    assert act(desk, public_id, "prendre").status_code == 303
    assert act(desk, public_id, "question", question="Une précision ?").status_code == 303
    person.open()
    return person


def test_the_draft_of_an_answer_is_dropped_once_the_team_has_it(asked: Person) -> None:
    refused = asked.answer("")  # not sent: the text in the browser is all the person has
    assert refused.status_code == 422
    assert drafts_dropped(refused) == [] and drafts_dropped(asked.page()) == []

    sent = asked.answer("Voici la précision.")

    assert sent.status_code == 303
    assert drafts_dropped(asked.page()) == [ANSWER]
    assert drafts_dropped(asked.page()) == []  # once, as the message that says it was sent


def test_the_draft_of_a_change_request_is_dropped_once_the_team_has_it(
    app: Flask, desk: FlaskClient
) -> None:
    person = person_with_story(app, edit="y", review_edits="y")
    public_id = public_id_for(app, person.code)
    assert act(desk, public_id, "prendre").status_code == 303
    assert act(desk, public_id, "version-publiable", text="Version relue.").status_code == 303
    send_for_rereading(app, desk, public_id)
    page = person.open()
    assert 'data-draft="/suivi/relecture"' in draft_form(page, REREAD)

    asked = person.ask_changes("Gardez ma dernière phrase, s'il vous plaît.", page)

    assert asked.status_code == 303
    assert drafts_dropped(person.page()) == [REREAD]


def test_leaving_the_follow_up_drops_every_follow_up_draft(app: Flask) -> None:
    person = person_with_story(app)
    person.open()

    left = person.send(LEAVE)

    assert left.status_code == 303
    assert drafts_dropped(person.client.get(left.headers["Location"])) == [ENTRY]


def test_follow_up_drafts_stay_in_the_tab_and_with_their_own_story(app: Flask) -> None:
    first, second = person_with_story(app), person_with_story(app)

    forms = [draft_form(person.open(), ANSWER) for person in (first, second)]

    for form in forms:
        assert 'data-draft="/suivi/repondre"' in form
        assert 'data-draft-storage="session"' in form  # gone with the tab, on a shared phone
    scopes = [re.search(r'data-draft-scope="([0-9a-f]{16})"', form) for form in forms]
    assert scopes[0] and scopes[1] and scopes[0].group(1) != scopes[1].group(1)
    assert public_id_for(app, first.code) not in forms[0]
