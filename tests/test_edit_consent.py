"""The team changes a person's words only if they agreed; masking what identifies them, always.

The form's « The team may shorten or correct my text » box is unchecked by default. When it
stays so, the story page says it before the team types, and saving any change but masks
(« [prénom] ») is refused with the text kept.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake.extensions import db
from intake.models import AuditEvent, Submission
from intake.screening.identifying import only_masks
from tests.followup_helpers import public_id_for, send_story
from tests.helpers import page_text, textarea_value
from tests.review_helpers import PAGE, act

STORY = (
    "Je m'appelle Zélie et j'habite rue des Glycines à Nantes.\n\n"
    "Quand ma fille est née, j'avais peur de ne pas y arriver avec mon trouble bipolaire."
)
MASKED = STORY.replace("Zélie", "[prénom]").replace("rue des Glycines à Nantes", "[adresse]")
SHORTENED = "Quand ma fille est née, j'avais peur de ne pas y arriver."


def claimed(app: Flask, desk: FlaskClient, **fields: str) -> str:
    public_id = public_id_for(app, send_story(app.test_client(), story=STORY, **fields))
    assert act(desk, public_id, "prendre").status_code == 303
    return public_id


def publishable(app: Flask, public_id: str) -> str | None:
    with app.app_context():
        query = select(Submission.publishable_text).where(Submission.public_id == public_id)
        return db.session.scalar(query)


def edited_events(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).where(AuditEvent.action == "submission.edited")
        return list(db.session.scalars(query))


def test_the_page_says_before_typing_that_the_person_refused_changes(
    app: Flask, desk: FlaskClient
) -> None:
    refused = claimed(app, desk)
    agreed = claimed(app, desk, edit="y")

    refused_page = page_text(desk.get(PAGE.format(refused)))
    agreed_page = page_text(desk.get(PAGE.format(agreed)))

    warning = "Cette personne n'a pas accepté que ses mots soient modifiés."
    assert warning in refused_page
    # Said before the editor, so that nobody types first and learns afterwards.
    assert refused_page.index(warning) < refused_page.index("Enregistrer la version publiable")
    assert "[prénom]" in refused_page
    assert warning not in agreed_page
    assert "La personne accepte que l'équipe raccourcisse ou corrige son texte" in agreed_page


def test_changing_the_words_is_refused_and_the_typed_text_kept(
    app: Flask, desk: FlaskClient
) -> None:
    public_id = claimed(app, desk)

    response = act(desk, public_id, "version-publiable", text=SHORTENED)

    assert response.status_code == 422
    assert "seulement masquer ce qui l'identifie" in page_text(response)
    assert textarea_value(response, "text") == SHORTENED
    assert publishable(app, public_id) is None
    assert edited_events(app) == []


def test_masking_what_identifies_the_person_is_always_allowed(
    app: Flask, desk: FlaskClient
) -> None:
    public_id = claimed(app, desk)

    response = act(desk, public_id, "version-publiable", text=MASKED)

    assert response.status_code == 303
    assert publishable(app, public_id) == MASKED
    assert len(edited_events(app)) == 1


def test_the_original_as_it_is_can_become_the_publishable_version(
    app: Flask, desk: FlaskClient
) -> None:
    public_id = claimed(app, desk)

    assert act(desk, public_id, "version-publiable", text=STORY).status_code == 303

    assert publishable(app, public_id) == STORY
    assert act(desk, public_id, "approuver").status_code == 303


def test_with_the_persons_agreement_the_team_shortens_the_text(
    app: Flask, desk: FlaskClient
) -> None:
    public_id = claimed(app, desk, edit="y")

    assert act(desk, public_id, "version-publiable", text=SHORTENED).status_code == 303

    assert publishable(app, public_id) == SHORTENED


@pytest.mark.parametrize(
    ("edited", "only"),
    [
        (STORY, True),
        (MASKED, True),
        (STORY.replace("Zélie", "[prénom]"), True),
        (STORY.replace("Nantes", "[ville]").replace("\n\n", "\n\n\n"), True),
        (STORY.replace("Zélie", "Zoé"), False),  # another word, not a mask
        (STORY.replace("Zélie", "[…]"), False),  # a cut, not a mask
        (STORY.replace("Je m'appelle Zélie et j'habite", "J'habite"), False),
        (SHORTENED, False),
        (STORY + " Merci.", False),
        ("", False),
        (STORY.replace("peur", "[peur de tout et surtout de ne pas y arriver seule]"), False),
    ],
)
def test_only_masks_tells_redaction_from_editing(edited: str, only: bool) -> None:
    assert only_masks(STORY, edited) is only
