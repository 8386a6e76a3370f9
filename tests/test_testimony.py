"""A person sends a testimony: from the form to the database, with every consent row."""

from __future__ import annotations

import json

from flask import Flask
from sqlalchemy import func, select

from intake import codes
from intake.consent import wording_hash
from intake.extensions import db
from intake.models import (
    Answer,
    AuditEvent,
    Consent,
    ConsentWording,
    CreditMode,
    Purpose,
    QuestionKind,
    Submission,
    SubmissionStatus,
)
from tests.helpers import (
    STORY,
    FormPage,
    all_rows,
    filled_testimony,
    make_call,
    page_text,
    question,
)


def test_general_testimony_is_stored_with_every_consent_row(app: Flask, forms: FormPage) -> None:
    response = forms.send(
        "/temoigner",
        filled_testimony(
            publish_audio="y",
            edit="y",
            review_edits="y",
            contact="y",
            email="Camille@Example.ORG",
            credit_mode="pseudonym",
            credit_name="Plume",
        ),
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/merci")

    with app.app_context():
        (submission,) = all_rows(Submission)
        assert submission.story == STORY
        assert submission.status == SubmissionStatus.RECEIVED
        assert submission.credit_mode == CreditMode.PSEUDONYM
        assert submission.credit_name == "Plume"
        assert submission.email == "Camille@example.org"
        assert submission.call is None
        assert submission.locale == "fr"
        granted = {c.purpose: c.granted for c in submission.consents}
        assert granted == {
            Purpose.AGE: True,
            Purpose.HEALTH_DATA: True,
            Purpose.PUBLISH_SITE: True,
            Purpose.PUBLISH_SOCIAL: False,
            Purpose.PUBLISH_AUDIO: True,
            Purpose.PUBLISH_PRINT: False,
            Purpose.EDIT: True,
            Purpose.REVIEW_EDITS: True,
            Purpose.CONTACT: True,
        }
        for consent in submission.consents:
            assert consent.wording_hash == wording_hash(consent.wording.text)
            assert consent.decided_at is not None
        age = submission.consent_for(Purpose.AGE)
        assert age is not None and age.wording.text == "J'ai 15 ans ou plus."
        (event,) = all_rows(AuditEvent)
        assert (event.action, event.target_id) == ("submission.received", submission.public_id)


def test_thank_you_page_shows_the_code_once_and_only_its_hash_is_stored(
    app: Flask, client, forms: FormPage
) -> None:
    forms.send("/temoigner", filled_testimony())
    page = client.get("/merci")
    text = page_text(page)
    assert "Votre code de suivi" in text
    code = _code_in(page.get_data(as_text=True))
    assert page.headers["Cache-Control"] == "no-store"
    for line in ("3114", "15", "112", "09 72 39 40 50", "0 800 235 236"):
        assert line in text

    with app.app_context():
        (submission,) = all_rows(Submission)
        assert submission.receipt_hash == codes.hash_code(code)
        stored = json.dumps(
            [str(v) for v in db.session.execute(select(Submission.__table__)).one()]
        )
        assert code not in stored and code.replace("-", "") not in stored

    again = page_text(client.get("/merci"))
    assert code not in again
    assert "n'est affiché qu'une fois" in again


def _code_in(page: str) -> str:
    import re

    match = re.search(r'id="receipt-code"[^>]*>([0-9A-Z-]+)<', page)
    assert match, "no code on the page"
    return match.group(1)


def test_code_has_80_bits_in_four_readable_groups(app: Flask) -> None:
    with app.app_context():
        code = codes.derive_code(codes.new_submission_key())
    groups = code.split("-")
    assert [len(g) for g in groups] == [4, 4, 4, 4]
    assert set("".join(groups)) <= set(codes.ALPHABET)
    assert len(codes.ALPHABET) ** 16 >= 2**80
    assert codes.normalize_code(code.lower().replace("-", " ")) == code.replace("-", "")


def test_double_submit_stores_one_story_and_shows_the_same_code(
    app: Flask, client, forms: FormPage
) -> None:
    data = {**forms.open("/temoigner"), **filled_testimony()}
    first = client.post("/temoigner", data=data)
    code_first = _code_in(client.get("/merci").get_data(as_text=True))
    second = client.post("/temoigner", data=data)
    code_second = _code_in(client.get("/merci").get_data(as_text=True))

    assert first.status_code == second.status_code == 303
    assert code_first == code_second
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 1


def test_same_form_reused_for_another_text_files_a_second_story(
    app: Flask, client, forms: FormPage
) -> None:
    data = {**forms.open("/temoigner"), **filled_testimony()}
    client.post("/temoigner", data=data)
    first = _code_in(client.get("/merci").get_data(as_text=True))
    other = {**data, "story": STORY + " Et puis, un autre jour…"}
    client.post("/temoigner", data=other)
    second = _code_in(client.get("/merci").get_data(as_text=True))
    client.post("/temoigner", data=other)
    second_again = _code_in(client.get("/merci").get_data(as_text=True))

    assert first != second == second_again
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 2


def test_call_testimony_keeps_answers_under_their_wording(app: Flask, forms: FormPage) -> None:
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
                question("Ce qui vous a aidé", QuestionKind.LONG_TEXT, position=1),
                question(
                    "Vos ressources",
                    QuestionKind.MULTIPLE_CHOICE,
                    choices=["Amis", "Soignants", "Associations"],
                    position=2,
                ),
            ]
        )
        ids = [q.id for q in call.questions]
    response = forms.send(
        "/appels/parentalite",
        filled_testimony(
            **{
                f"q_{ids[0]}": "Parent",
                f"q_{ids[1]}": "Ma sœur & mes amis",
                f"q_{ids[2]}": ["Amis", "Associations"],
            }
        ),
    )
    assert response.status_code == 303
    with app.app_context():
        (submission,) = all_rows(Submission)
        assert submission.call.slug == "parentalite"
        answers = [(a.question_label, json.loads(a.value)) for a in all_rows(Answer)]
        assert answers == [
            ("Vous écrivez en tant que…", "Parent"),
            ("Ce qui vous a aidé", "Ma sœur & mes amis"),
            ("Vos ressources", ["Amis", "Associations"]),
        ]


def test_call_asks_only_its_own_publication_uses(app: Flask, forms: FormPage) -> None:
    with app.app_context():
        make_call(publication_uses=[Purpose.PUBLISH_AUDIO.value])
    page = page_text(forms.client.get("/appels/parentalite"))
    assert "lu à voix haute" in page
    assert "réseaux sociaux" not in page
    forms.send("/appels/parentalite", filled_testimony(publish_social="y", publish_audio="y"))
    with app.app_context():
        (submission,) = all_rows(Submission)
        purposes = {c.purpose for c in submission.consents}
        assert Purpose.PUBLISH_AUDIO in purposes
        assert Purpose.PUBLISH_SOCIAL not in purposes and Purpose.PUBLISH_SITE not in purposes


def test_anonymous_only_call_asks_no_name_and_stores_none(app: Flask, forms: FormPage) -> None:
    with app.app_context():
        make_call(anonymous_only=True)
    response = forms.client.get("/appels/parentalite")
    assert "toujours anonymes" in page_text(response)
    assert 'name="credit_mode"' not in response.get_data(as_text=True)
    # What a browser sends for this page: no credit fields at all.
    without_credit = filled_testimony(credit_mode=None, credit_name=None)
    assert forms.send("/appels/parentalite", without_credit).status_code == 303
    # A crafted request that adds them anyway still files an anonymous story.
    forms.send(
        "/appels/parentalite",
        filled_testimony(
            story=STORY + " Signé.", credit_mode="full_name", credit_name="Jeanne Martin"
        ),
    )
    with app.app_context():
        submissions = all_rows(Submission)
        assert len(submissions) == 2
        for submission in submissions:
            assert submission.credit_mode == CreditMode.ANONYMOUS
            assert submission.credit_name is None


def test_consent_wording_is_kept_once_per_distinct_text(app: Flask, forms: FormPage) -> None:
    forms.send("/temoigner", filled_testimony())
    forms.send("/temoigner", filled_testimony(story=STORY + " Deuxième."))
    with app.app_context():
        wordings = all_rows(ConsentWording)
        assert len(wordings) == 9
        assert db.session.scalar(select(func.count()).select_from(Consent)) == 18


def test_english_visitor_consents_under_english_wording(
    app: Flask, client, forms: FormPage
) -> None:
    client.get("/langue/en")
    assert "Tell your story" in page_text(client.get("/temoigner"))
    forms.send("/temoigner", filled_testimony())
    with app.app_context():
        (submission,) = all_rows(Submission)
        assert submission.locale == "en"
        age = submission.consent_for(Purpose.AGE)
        assert age is not None and age.wording.text == "I am 15 or older."
