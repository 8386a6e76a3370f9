"""A story taken back after it was published or exported leaves the team a takedown.

The person is told « nous le retirerons aussi de nos pages »: the team learns at once what to
take down (the article, the export files that held the story), sees it on the queue until
someone marks it done, and finds a word instead of a 404 where the story used to be.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake.extensions import db
from intake.models import AuditEvent, Purpose, Takedown, TakedownReason
from tests.followup_helpers import (
    WITHDRAW,
    Person,
    events,
    export_file,
    person_with_story,
    public_id_for,
)
from tests.helpers import all_rows, hidden_fields, page_text
from tests.review_helpers import PAGE, act, team_client

ARTICLE = "https://media.example.org/temoignages/une-mere-bipolaire"
QUEUE = "/moderation/"
TAKEDOWNS = "/moderation/retraits"
STORY_CANARY = "Ma fille Apolline est née à Lille pendant ma troisième hospitalisation."


def approved(app: Flask, desk: FlaskClient, **fields: Any) -> tuple[Person, str]:
    """A person whose story the team approved; the person and the story's public id."""
    person = person_with_story(app, story=STORY_CANARY, edit="y", **fields)
    public_id = public_id_for(app, person.code)
    assert act(desk, public_id, "prendre").status_code == 303
    assert act(desk, public_id, "version-publiable", text=STORY_CANARY).status_code == 303
    assert act(desk, public_id, "approuver").status_code == 303
    return person, public_id


def publish(editor: FlaskClient, public_id: str) -> None:
    response = act(editor, public_id, "publier", url=ARTICLE, published_on="2026-11-30")
    assert response.status_code == 303


def withdraw(person: Person) -> None:
    person.open()
    confirmation = person.client.get(WITHDRAW)
    form = re.search(r"<form[^>]*action=\"/suivi/retrait\".*?</form>", confirmation.text, re.S)
    assert form is not None
    assert person.client.post(WITHDRAW, data=hidden_fields(form.group(0))).status_code == 200


def takedowns(app: Flask) -> list[Takedown]:
    with app.app_context():
        rows = all_rows(Takedown)
        for row in rows:
            row.exports  # noqa: B018 - loaded before the context closes
        return rows


def team_mails(app: Flask) -> list[Any]:
    outbox = getattr(app.extensions["mailman"], "outbox", [])
    return [m for m in outbox if "retirer" in m.subject or "take down" in m.subject]


def retire_count(queue: str) -> str:
    match = re.search(r"Retiré\s*(?:<[^>]+>\s*)*(\d+)", queue)
    assert match, "the queue shows no « Retiré » count"
    return match.group(1)


def test_withdrawing_a_published_and_exported_story_tells_the_team_what_to_take_down(
    app: Flask, desk: FlaskClient, editor: FlaskClient
) -> None:
    person, public_id = approved(app, desk)
    assert export_file(editor, "csv") is not None
    assert export_file(editor, "wxr", "publish_site") is not None
    publish(editor, public_id)

    withdraw(person)

    (task,) = takedowns(app)
    assert (task.public_id, task.reason, task.purpose) == (
        public_id,
        TakedownReason.WITHDRAWN,
        None,
    )
    assert task.published_url == ARTICLE and task.done_at is None
    assert sorted(f.format for f in task.exports) == ["csv", "wxr"]
    assert all(re.fullmatch(r"intake-export-\d{8}\.(csv|xml)", f.filename) for f in task.exports)
    mails = team_mails(app)
    assert sorted(to for mail in mails for to in mail.to) == [
        "editrice@intake.example",
        "moderatrice@intake.example",
    ]
    for mail in mails:
        assert "/moderation/retraits" in mail.body
        assert "Apolline" not in mail.body and public_id not in mail.body
    queue = desk.get(QUEUE)
    assert retire_count(queue.text) == "1"
    alert = "1 témoignage retiré doit disparaître de nos pages ou de nos fichiers"
    assert alert in page_text(queue)
    listing = page_text(desk.get(TAKEDOWNS))
    assert f"Référence {public_id}" in listing
    assert "La personne a retiré son témoignage" in listing
    assert ARTICLE in listing and "publié le 30 novembre 2026" in listing
    assert all(f.filename in listing for f in task.exports)
    assert "Apolline" not in listing


def test_the_story_page_of_a_withdrawn_story_says_so_instead_of_not_found(
    app: Flask, desk: FlaskClient, editor: FlaskClient
) -> None:
    person, public_id = approved(app, desk)
    publish(editor, public_id)
    withdraw(person)

    response = desk.get(PAGE.format(public_id))

    assert response.status_code == 410
    text = page_text(response)
    assert "La personne a retiré son témoignage le" in text
    assert "il doit encore disparaître" in text
    assert f'href="{TAKEDOWNS}#retrait-' in response.text
    assert desk.get(PAGE.format("0" * 32)).status_code == 404


def test_marking_a_takedown_done_is_traced_and_clears_the_queue(
    app: Flask, desk: FlaskClient, editor: FlaskClient
) -> None:
    person, public_id = approved(app, desk)
    publish(editor, public_id)
    withdraw(person)
    (task,) = takedowns(app)
    page = desk.get(TAKEDOWNS).text
    form = re.search(rf'<form[^>]*action="{TAKEDOWNS}/{task.id}/fait".*?</form>', page, re.S)
    assert form is not None
    fields = hidden_fields(form.group(0))

    done = desk.post(f"{TAKEDOWNS}/{task.id}/fait", data=fields, follow_redirects=True)

    assert "Noté comme fait" in page_text(done)
    (after,) = takedowns(app)
    assert after.done_at is not None
    (event,) = events(app, "takedown.done")
    assert event.actor.startswith("user:") and event.target_id == public_id
    assert event.details == {"takedown": task.id, "reason": "withdrawn"}
    queue = desk.get(QUEUE)
    assert retire_count(queue.text) == "0"
    assert "doit disparaître" not in page_text(queue)
    assert "Fait le" in page_text(desk.get(TAKEDOWNS))
    again = desk.post(f"{TAKEDOWNS}/{task.id}/fait", data=fields, follow_redirects=True)
    assert "Quelqu'un l'a déjà noté comme fait" in page_text(again)
    assert len(events(app, "takedown.done")) == 1
    assert desk.post(f"{TAKEDOWNS}/999999/fait", data=fields).status_code == 404


def test_a_withdrawn_story_never_published_nor_exported_needs_no_takedown(
    app: Flask, desk: FlaskClient
) -> None:
    person, _public_id = approved(app, desk)

    withdraw(person)

    assert takedowns(app) == []
    assert team_mails(app) == []
    assert retire_count(desk.get(QUEUE).text) == "0"


def test_taking_back_the_use_a_story_was_exported_for_opens_a_takedown_for_that_use(
    app: Flask, desk: FlaskClient, editor: FlaskClient
) -> None:
    person, public_id = approved(app, desk, publish_social="y", publish_audio="y")
    assert export_file(editor, "jsonl", "publish_social") is not None
    person.open()

    assert person.consent("publish_audio", granted=False).status_code == 303
    assert takedowns(app) == []

    assert person.consent("publish_social", granted=False).status_code == 303
    (task,) = takedowns(app)
    assert (task.reason, task.purpose) == (TakedownReason.USE_WITHDRAWN, Purpose.PUBLISH_SOCIAL)
    assert [f.format for f in task.exports] == ["jsonl"]
    assert task.published_url is None
    listing = page_text(desk.get(TAKEDOWNS))
    assert "La personne a retiré son accord pour : Extraits sur les réseaux sociaux" in listing
    (opened,) = events(app, "takedown.opened")
    assert opened.target_id == public_id
    assert opened.details == {
        "reason": "use_withdrawn",
        "purpose": "publish_social",
        "published": False,
        "files": 1,
    }


def test_taking_back_a_use_of_a_published_story_opens_a_takedown(
    app: Flask, desk: FlaskClient, editor: FlaskClient
) -> None:
    person, public_id = approved(app, desk)
    publish(editor, public_id)
    person.open()

    assert person.consent("publish_site", granted=False).status_code == 303

    (task,) = takedowns(app)
    assert (task.reason, task.purpose, task.published_url) == (
        TakedownReason.USE_WITHDRAWN,
        Purpose.PUBLISH_SITE,
        ARTICLE,
    )
    assert len(team_mails(app)) == 2  # one each for the moderator and the editor


def test_an_administrator_deleting_an_exported_story_leaves_a_takedown(
    app: Flask, desk: FlaskClient, editor: FlaskClient
) -> None:
    _person, public_id = approved(app, desk)
    assert export_file(editor, "md") is not None
    admin = team_client(app, "admin", "admin@intake.example")

    assert act(admin, public_id, "supprimer").status_code == 303

    (task,) = takedowns(app)
    assert task.reason == TakedownReason.DELETED
    response = desk.get(PAGE.format(public_id))
    assert response.status_code == 410
    assert "Un administrateur a supprimé ce témoignage" in page_text(response)


def test_each_export_records_which_stories_its_file_held(
    app: Flask, desk: FlaskClient, editor: FlaskClient
) -> None:
    _person, site_only = approved(app, desk)
    _other, with_print = approved(app, desk, publish_print="y")

    assert export_file(editor, "csv", "publish_print") is not None

    with app.app_context():
        from intake.models import ExportFile, Submission, exported_story

        rows = db.session.execute(
            select(ExportFile.format, ExportFile.use, Submission.public_id)
            .join(exported_story, exported_story.c.export_id == ExportFile.id)
            .join(Submission, Submission.id == exported_story.c.submission_id)
        ).all()
        assert rows == [("csv", Purpose.PUBLISH_PRINT, with_print)]
        assert site_only not in {row[2] for row in rows}
        (event,) = [e for e in all_rows(AuditEvent) if e.action == "export.created"]
        assert event.details["count"] == 1
