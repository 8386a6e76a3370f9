"""An editor exports approved stories from the export page or the command line, and marks
stories published in bulk; every export is traced, and moderators reach none of it."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import gettext
from sqlalchemy import select, update
from werkzeug.test import TestResponse

from intake.exports import formats
from intake.extensions import db
from intake.models import AuditEvent, Purpose, Submission, SubmissionStatus
from intake.moderation.exports import _publish_message, _too_many_message
from intake.review import BulkOutcome
from tests.helpers import all_rows, hidden_fields, make_call, page_text
from tests.review_helpers import file_story, in_french, team_client, user_id

S = SubmissionStatus
EXPORTS = "/moderation/exports"
DOWNLOAD = "/moderation/exports/telecharger"
HISTORY = "/moderation/exports/historique"
PUBLISH = "/moderation/exports/publier"
EDITOR = "editrice@intake.example"
COUNT = re.compile(r'id="export-count"[^>]*>\s*(\d+)')


def approved_story(
    app: Flask, text: str, status: SubmissionStatus = S.APPROVED, **fields: Any
) -> str:
    """A story filed by the public form, then edited and approved; its public id."""
    public_id = file_story(app, status=status, **fields)
    with app.app_context():
        db.session.execute(
            update(Submission)
            .where(Submission.public_id == public_id)
            .values(publishable_text=text)
        )
        db.session.commit()
    return public_id


@pytest.fixture
def stories(app: Flask) -> dict[str, Any]:
    """A call and stories around it: only ``site`` is for the call and the site."""
    with app.app_context():
        call = make_call()
        call_id, slug = call.id, call.slug
    site = (Purpose.PUBLISH_SITE,)
    return {
        "call_id": call_id,
        "slug": slug,
        "site": approved_story(app, "Mon histoire, pour le site.", call_id=call_id, granted=site),
        "audio": approved_story(
            app,
            "Une autre, à lire à voix haute.",
            call_id=call_id,
            granted=(Purpose.PUBLISH_AUDIO,),
        ),
        "general": approved_story(app, "Hors appel, pour le site.", granted=site),
        "received": file_story(app, call_id=call_id, granted=site),
    }


def form_fields(page: str, action: str) -> dict[str, str]:
    """The hidden fields of the form that posts to ``action``."""
    match = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', page, re.S)
    assert match, f"no form posting to {action}"
    return hidden_fields(match.group(1))


def counted(response: TestResponse) -> int:
    """The number of matching stories the export page shows."""
    match = COUNT.search(response.get_data(as_text=True))
    assert match, "no count on the page"
    return int(match.group(1))


def download(client: FlaskClient, query: str, fmt: str, **extra: str) -> TestResponse:
    """Count with the filters, then press « Télécharger » in the chosen format."""
    page = client.get(f"{EXPORTS}?{query}")
    assert page.status_code == 200, page.status_code
    fields = form_fields(page.get_data(as_text=True), DOWNLOAD)
    return client.post(DOWNLOAD, data={**fields, "format": fmt, **extra})


def rows_of(fmt: str, data: bytes) -> list[tuple[str, str]]:
    """(public id, text) of every story in a CSV or JSON Lines file."""
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
        return [(row["public_id"], row["text"]) for row in reader]
    lines = [json.loads(line) for line in data.decode("utf-8").splitlines()]
    return [(line["public_id"], line["text"]) for line in lines]


def export_events(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        return [e for e in all_rows(AuditEvent) if e.action == "export.created"]


def cli_export(runner: Any, out: Path, *args: str) -> Any:
    return runner.invoke(args=["stories", "export", *args, "--out", str(out)])


# --- Downloading from the page -------------------------------------------------------------


def test_editor_previews_the_count_then_downloads_a_csv_of_the_matching_stories(
    editor: FlaskClient, stories: dict[str, Any]
) -> None:
    query = f"use=publish_site&call={stories['call_id']}"
    assert counted(editor.get(EXPORTS)) == 3
    assert counted(editor.get(f"{EXPORTS}?{query}")) == 1

    response = download(editor, query, "csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert re.fullmatch(
        r'attachment; filename="intake-export-\d{8}\.csv"', response.headers["Content-Disposition"]
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert rows_of("csv", response.get_data()) == [(stories["site"], "Mon histoire, pour le site.")]


def test_excel_option_gives_french_excel_csv(editor: FlaskClient, stories: dict[str, Any]) -> None:
    response = download(editor, "use=publish_audio", "csv", excel="y")

    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert [row[0] for row in rows[1:]] == [stories["audio"]]


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_the_command_line_gives_the_same_rows_as_the_page(
    editor: FlaskClient, runner: Any, stories: dict[str, Any], tmp_path: Path, fmt: str
) -> None:
    from_page = download(editor, "use=publish_site&status=approved&since=2000-01-01", fmt)
    out = tmp_path / f"export.{fmt}"

    result = cli_export(
        runner, out, "--format", fmt, "--use", "publish_site", "--status", "approved",
        "--since", "2000-01-01",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "2 stories exported" in result.output
    assert out.stat().st_mode & 0o777 == 0o600  # stories, readable by their owner only
    page_rows = rows_of(fmt, from_page.get_data())
    assert sorted(page_rows) == sorted(rows_of(fmt, out.read_bytes()))
    assert {public_id for public_id, _ in page_rows} == {stories["site"], stories["general"]}


def test_the_command_line_filters_by_call_slug_and_refuses_an_unknown_one(
    runner: Any, stories: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "export.jsonl"
    assert cli_export(runner, out, "--format", "jsonl", "--call", stories["slug"]).exit_code == 0
    assert {row[0] for row in rows_of("jsonl", out.read_bytes())} == {
        stories["site"],
        stories["audio"],
    }

    unknown = cli_export(runner, tmp_path / "none.csv", "--format", "csv", "--call", "inconnu")

    assert unknown.exit_code != 0
    assert "No call has the slug 'inconnu'." in unknown.output
    assert not (tmp_path / "none.csv").exists()


# --- The trace ------------------------------------------------------------------------------


def test_every_export_writes_one_audit_event_without_content_and_the_history_lists_it(
    app: Flask, editor: FlaskClient, runner: Any, stories: dict[str, Any], tmp_path: Path
) -> None:
    assert download(editor, f"use=publish_site&call={stories['call_id']}", "csv").status_code == 200
    assert cli_export(runner, tmp_path / "e.jsonl", "--format", "jsonl").exit_code == 0

    from_page, from_cli = export_events(app)
    assert from_page.actor == f"user:{user_id(app, EDITOR)}"
    assert from_page.details == {
        "format": "csv",
        "filters": {
            "use": "publish_site",
            "call": stories["call_id"],
            "status": None,
            "since": None,
            "until": None,
        },
        "count": 1,
    }
    assert from_cli.actor == "cli"
    assert from_cli.details["format"] == "jsonl" and from_cli.details["count"] == 3
    trail = json.dumps([from_page.details, from_cli.details], ensure_ascii=False)
    assert "histoire" not in trail and stories["site"] not in trail

    history = editor.get(HISTORY)
    assert history.status_code == 200
    text = page_text(history)
    assert "Editor" in text and in_french(app, lambda: gettext("Command line")) in text
    assert "csv" in text and "jsonl" in text
    assert "Parentalité et troubles psychiques" in text  # the call filter, by its title
    assert "Mon histoire" not in text


def test_editor_sees_the_exports_link_and_a_moderator_does_not(
    app: Flask, editor: FlaskClient
) -> None:
    moderator = team_client(app, "moderator", "moderatrice@intake.example")
    assert f'href="{EXPORTS}"' in editor.get("/moderation/").get_data(as_text=True)
    assert f'href="{EXPORTS}"' not in moderator.get("/moderation/").get_data(as_text=True)


def test_a_moderator_is_refused_every_export_route(app: Flask, stories: dict[str, Any]) -> None:
    moderator = team_client(app, "moderator", "moderatrice@intake.example")
    token = hidden_fields(moderator.get("/moderation/").get_data(as_text=True))

    assert moderator.get(EXPORTS).status_code == 403
    assert moderator.get(HISTORY).status_code == 403
    assert moderator.post(DOWNLOAD, data={**token, "format": "csv"}).status_code == 403
    assert moderator.post(PUBLISH, data=token).status_code == 403
    assert export_events(app) == []


@pytest.mark.parametrize("query", ["since=2025-13-45", "use=contact", "call=abc", "status=spam"])
def test_malformed_filters_are_a_clear_400(editor: FlaskClient, query: str) -> None:
    response = editor.get(f"{EXPORTS}?{query}")
    assert response.status_code == 400
    assert 'id="export-count"' not in response.get_data(as_text=True)


# --- The Word cap ---------------------------------------------------------------------------


def test_a_word_export_above_the_cap_is_refused_with_a_message(
    app: Flask,
    editor: FlaskClient,
    runner: Any,
    stories: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(formats, "DOCX_MAX_STORIES", 2)

    response = download(editor, "", "docx")

    assert response.status_code == 422
    assert "Content-Disposition" not in response.headers
    with app.test_request_context():
        message = _too_many_message(formats.TooManyForDocx(3))
    assert re.sub(r"\s+", " ", message) in page_text(response)
    result = cli_export(runner, tmp_path / "e.docx", "--format", "docx")
    assert result.exit_code != 0
    assert "3 stories match and a Word document holds at most 2" in result.output
    assert not (tmp_path / "e.docx").exists()
    assert export_events(app) == []


def test_a_word_export_within_the_cap_downloads(
    editor: FlaskClient, stories: dict[str, Any]
) -> None:
    response = download(editor, "use=publish_site", "docx")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('.docx"')
    assert response.get_data().startswith(b"PK")


# --- Marking published in bulk -------------------------------------------------------------


def publish_rows(page: str) -> dict[str, str]:
    """The publication form's row prefixes (``rows-N``) by public id."""
    fields = form_fields(page, PUBLISH)
    return {
        value.split(":")[0]: name.removesuffix("-key")
        for name, value in fields.items()
        if name.endswith("-key")
    }


def published(app: Flask, public_id: str) -> Submission:
    with app.app_context():
        found = db.session.scalar(select(Submission).where(Submission.public_id == public_id))
        assert found is not None
        db.session.expunge(found)
        return found


def test_editor_marks_approved_stories_published_with_their_addresses(
    app: Flask, editor: FlaskClient, stories: dict[str, Any]
) -> None:
    page = editor.get(EXPORTS).get_data(as_text=True)
    rows = publish_rows(page)
    assert set(rows) == {stories["site"], stories["audio"], stories["general"]}
    # Meanwhile the person withdraws one of them: it is no longer approved.
    with app.app_context():
        db.session.execute(
            update(Submission)
            .where(Submission.public_id == stories["general"])
            .values(status=S.WITHDRAWN)
        )
        db.session.commit()
    data = {**form_fields(page, PUBLISH), "published_on": "2025-03-14"}
    for public_id in (stories["site"], stories["general"], stories["audio"]):
        data[f"{rows[public_id]}-selected"] = "y"
        data[f"{rows[public_id]}-url"] = f"https://media.example.org/{public_id}"

    response = editor.post(PUBLISH, data=data)

    assert response.status_code == 303
    for public_id in (stories["site"], stories["audio"]):
        story = published(app, public_id)
        assert story.status == S.PUBLISHED
        assert story.published_url == f"https://media.example.org/{public_id}"
        assert story.published_at is not None and story.published_at.date().isoformat() in (
            "2025-03-13",  # midnight in Paris is the evening before in UTC
            "2025-03-14",
        )
    assert published(app, stories["general"]).status == S.WITHDRAWN
    said = in_french(app, lambda: _publish_message(BulkOutcome(done=2, skipped=1)))
    assert said in page_text(editor.get(EXPORTS))
    with app.app_context():
        events = [e for e in all_rows(AuditEvent) if e.action == "submission.published"]
        assert sorted(e.target_id for e in events) == sorted([stories["site"], stories["audio"]])


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://media.example.org/a", ""])
def test_bulk_publication_refuses_an_address_that_is_not_a_web_page(
    app: Flask, editor: FlaskClient, stories: dict[str, Any], url: str
) -> None:
    page = editor.get(EXPORTS).get_data(as_text=True)
    row = publish_rows(page)[stories["site"]]
    data = {
        **form_fields(page, PUBLISH),
        "published_on": "2025-03-14",
        f"{row}-selected": "y",
        f"{row}-url": url,
    }

    response = editor.post(PUBLISH, data=data)

    assert response.status_code == 422
    expected = in_french(
        app, lambda: gettext("Please give the article's address, starting with https://.")
    )
    assert expected in page_text(response)
    assert published(app, stories["site"]).status == S.APPROVED
    if url:
        assert f'value="{url}"' in response.get_data(as_text=True)


def test_bulk_publication_needs_a_selection(
    app: Flask, editor: FlaskClient, stories: dict[str, Any]
) -> None:
    page = editor.get(EXPORTS).get_data(as_text=True)
    data = {**form_fields(page, PUBLISH), "published_on": "2025-03-14"}

    response = editor.post(PUBLISH, data=data)

    assert response.status_code == 422
    assert in_french(app, lambda: gettext("Please select at least one story.")) in page_text(
        response
    )
