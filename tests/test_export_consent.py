"""No file ever holds a story for a use its person did not consent to, whatever is chosen.

The property is checked on the real path an export takes (``service.start_export``, its
stream, parsed back as the team's tools read it), for every format and every use filter,
including « any use consented to », over stories Hypothesis draws with every mix of given,
refused and taken-back consents and every status.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from intake import workflow
from intake.exports import ExportFilters, StoryRecord, formats, service
from intake.extensions import db
from intake.models import AuditEvent, Consent, Purpose, Submission, SubmissionStatus, utcnow
from tests.export_readers import listed_uses, parse
from tests.helpers import all_rows, hidden_fields, page_text
from tests.review_helpers import file_story, team_client

S = SubmissionStatus
USES: list[Purpose | None] = [None, *Purpose.publication()]
GIVEN, REFUSED, TAKEN_BACK = "given", "refused", "taken back"
# A WordPress import makes posts on the website, whatever use the team picked.
FORMAT_USE = {"wxr": Purpose.PUBLISH_SITE}
EXPORTS = "/moderation/exports"
DOWNLOAD = "/moderation/exports/telecharger"

a_story = st.fixed_dictionaries(
    {
        "status": st.sampled_from([s for s in S if s != S.WITHDRAWN]),
        "consents": st.fixed_dictionaries(
            {use: st.sampled_from([GIVEN, REFUSED, TAKEN_BACK]) for use in Purpose.publication()}
        ),
    }
)


def file_drawn(app: Flask, drawn: dict[str, Any]) -> str:
    """File one drawn story, give it a publishable version, then set its status and uses."""
    consents: dict[Purpose, str] = drawn["consents"]
    granted = [use for use, state in consents.items() if state != REFUSED]
    public_id = file_story(app, granted=granted, status=drawn["status"])
    with app.app_context():
        story = db.session.scalar(select(Submission).where(Submission.public_id == public_id))
        assert story is not None
        story.publishable_text = f"Version publiable de {public_id}."
        for use, state in consents.items():
            if state == TAKEN_BACK:
                workflow.change_consent(story, use, False)
        # Taking the last use back moves an approved story back to review, as in real life;
        # the status drawn stands for every other way a story gets where it is.
        story.status = drawn["status"]
        db.session.commit()
    return public_id


def granted_uses(app: Flask) -> dict[str, set[str]]:
    """Every story's granted publication uses, as the database holds them."""
    with app.app_context():
        rows = db.session.execute(
            select(Submission.public_id, Consent.purpose)
            .join(Consent)
            .where(Consent.granted, Consent.purpose.in_(Purpose.publication()))
        )
        found: dict[str, set[str]] = {}
        for public_id, purpose in rows:
            found.setdefault(public_id, set()).add(purpose.value)
        return found


def exportable(app: Flask) -> set[str]:
    """The stories whose status lets them leave."""
    with app.app_context():
        query = select(Submission.public_id).where(Submission.status.in_((S.APPROVED, S.PUBLISHED)))
        return set(db.session.scalars(query))


def exported(app: Flask, fmt: str, use: Purpose | None) -> bytes:
    """The file the team would download: traced, committed, then streamed."""
    with app.test_request_context():
        started = service.start_export(
            fmt, ExportFilters(use=use), service.export_options(False), "cli"
        )
        db.session.commit()
        return b"".join(started.chunks)


def forget_stories(app: Flask) -> None:
    with app.app_context():
        for story in db.session.scalars(select(Submission)):
            db.session.delete(story)
        db.session.commit()


@pytest.fixture
def clean_between_examples(app: Flask) -> Iterator[Flask]:
    yield app
    forget_stories(app)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=st.lists(a_story, min_size=1, max_size=5))
def test_no_file_ever_holds_a_story_for_a_use_its_person_did_not_consent_to(
    clean_between_examples: Flask, drawn: list[dict[str, Any]]
) -> None:
    app = clean_between_examples
    try:
        for story in drawn:
            file_drawn(app, story)
        granted, leaving = granted_uses(app), exportable(app)
        for fmt in formats.FORMATS:
            for use in USES:
                check_one_file(app, fmt, use, granted, leaving)
    finally:
        forget_stories(app)


def check_one_file(
    app: Flask, fmt: str, use: Purpose | None, granted: dict[str, set[str]], leaving: set[str]
) -> None:
    """One format and one use: refused when the format cannot serve it, else exactly the
    stories consented for the use the file is made for."""
    only = FORMAT_USE.get(fmt)
    if only is not None and use not in (None, only):
        with pytest.raises(formats.UseNotForFormat):
            exported(app, fmt, use)
        return
    data = exported(app, fmt, use)
    made_for = only or use
    in_file = set(parse(fmt, data))
    for public_id in in_file:
        uses = granted.get(public_id, set())
        assert (made_for.value in uses) if made_for else uses, (fmt, use, public_id)
    expected = {
        pid for pid in leaving if (made_for.value in granted.get(pid, set()) if made_for else
                                   granted.get(pid))
    }  # fmt: skip
    assert in_file == expected, (fmt, use)
    listed = listed_uses(fmt, data)
    for public_id, uses_listed in (listed or {}).items():
        assert uses_listed <= granted[public_id], (fmt, use, public_id)


# --- The WordPress file, as the team downloads it -------------------------------------------


@pytest.fixture
def print_only_and_site(app: Flask) -> dict[str, str]:
    """Two approved stories: one agreed for print only, one for the website."""
    ids = {
        "print": file_story(app, granted=[Purpose.PUBLISH_PRINT], status=S.APPROVED),
        "site": file_story(app, granted=[Purpose.PUBLISH_SITE], status=S.APPROVED),
    }
    with app.app_context():
        for story in db.session.scalars(select(Submission)):
            story.publishable_text = "Une version publiable."
        db.session.commit()
    return ids


def download_form(client: FlaskClient, query: str) -> dict[str, str]:
    """The hidden fields of the download form, once the stories are counted."""
    page = client.get(f"{EXPORTS}?{query}").get_data(as_text=True)
    form = re.search(rf'<form[^>]*action="{DOWNLOAD}".*?</form>', page, re.S)
    assert form is not None
    return hidden_fields(form.group(0))


def test_a_wordpress_file_for_any_use_holds_only_stories_agreed_for_the_site(
    app: Flask, print_only_and_site: dict[str, str]
) -> None:
    editor = team_client(app, "editor", "editrice@intake.example")

    response = editor.post(DOWNLOAD, data={**download_form(editor, ""), "format": "wxr"})

    assert response.status_code == 200
    assert set(parse("wxr", response.get_data())) == {print_only_and_site["site"]}


def test_a_wordpress_file_for_print_is_refused_with_a_reason(
    app: Flask, print_only_and_site: dict[str, str]
) -> None:
    editor = team_client(app, "editor", "editrice@intake.example")
    fields = download_form(editor, "use=publish_print")

    response = editor.post(DOWNLOAD, data={**fields, "format": "wxr"})

    assert response.status_code == 422
    text = page_text(response)
    assert "Un fichier WordPress crée des articles sur le site" in text
    assert "Rien n'a été téléchargé" in text
    with app.app_context():
        assert not [e for e in all_rows(AuditEvent) if e.action == "export.created"]


def test_the_command_line_refuses_a_wordpress_file_for_print(
    app: Flask, runner: Any, tmp_path: Path, print_only_and_site: dict[str, str]
) -> None:
    out = tmp_path / "print.xml"

    result = runner.invoke(
        args=["stories", "export", "--format", "wxr", "--use", "publish_print", "--out", out]
    )

    assert result.exit_code != 0
    assert "only holds stories consented for publish_site" in result.output
    assert not out.exists()


def test_a_story_chosen_around_the_selection_stops_the_file() -> None:
    record = StoryRecord(
        public_id="p1",
        call=None,
        text="Un texte.",
        credit_line="Anonyme",
        answers=[],
        uses=["publish_print"],
        status="approved",
        received_at=utcnow(),
        published_at=None,
        published_url=None,
    )

    with pytest.raises(formats.ConsentBreach):
        b"".join(formats.stream_export("wxr", [record]))
    with pytest.raises(formats.ConsentBreach):
        b"".join(formats.stream_export("csv", [record], use=Purpose.PUBLISH_SITE))
    with pytest.raises(formats.ConsentBreach):
        b"".join(formats.stream_export("csv", [replace(record, uses=[])]))
