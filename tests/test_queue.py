"""The review queue: urgent first, then the oldest; fast pages; no personal details; in bulk."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake import review
from intake.extensions import db
from intake.models import (
    CreditMode,
    DeclineReason,
    ScreeningLevel,
    Submission,
    SubmissionStatus,
    utcnow,
)
from intake.moderation.queue import _bulk_message
from tests.helpers import hidden_fields, make_call, make_user, page_text
from tests.review_helpers import (
    act,
    counted_statements,
    file_story,
    in_french,
    team_client,
    user_id,
)

S = SubmissionStatus
QUEUE = "/moderation/"
ROW_LINK = re.compile(r'href="/moderation/temoignages/([\w-]+)"')
CHECKBOX = re.compile(r'name="selected"[^>]*value="([^"]+)"')


@pytest.fixture
def moderator(app: Flask) -> FlaskClient:
    """A browser logged in as a moderator."""
    return team_client(app, "moderator", "moderatrice@intake.example")


def rows(client: FlaskClient, url: str = QUEUE) -> list[str]:
    """The public ids of the rows a queue page lists, in order."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return ROW_LINK.findall(response.get_data(as_text=True))


def status_of(app: Flask, public_id: str) -> Submission:
    """A submission as the database holds it now."""
    with app.app_context():
        found = db.session.scalar(select(Submission).where(Submission.public_id == public_id))
        assert found is not None
        db.session.expunge(found)
        return found


def test_a_page_of_fifty_rows_runs_a_bounded_number_of_queries(
    app: Flask, moderator: FlaskClient
) -> None:
    with app.app_context():
        calls = [None, *(make_call(slug=f"appel-{i}", title=f"Appel {i}").id for i in range(3))]
        others = [make_user("moderator", f"{name}@intake.example").id for name in ("yann", "zoe")]
    people = [None, user_id(app, "moderatrice@intake.example"), *others]

    def add(count: int) -> None:
        for i in range(count):
            file_story(app, call_id=calls[i % 4], assignee_id=people[i % 4], urgency=i % 3)

    add(10)
    with counted_statements(app) as few:
        assert len(rows(moderator)) == 10
    add(50)
    with counted_statements(app) as many:
        page = moderator.get(QUEUE).get_data(as_text=True)

    assert len(ROW_LINK.findall(page)) == 50
    assert "Appel 2" in page and "Moderator" in page
    assert len(few) <= 10, few
    assert len(many) == len(few), many


def test_urgent_rows_come_first_and_the_fifty_first_row_is_on_page_two(
    app: Flask, moderator: FlaskClient
) -> None:
    start = utcnow() - timedelta(days=60)
    ids = [file_story(app, created_at=start + timedelta(hours=i)) for i in range(57)]
    concern = file_story(app, created_at=start + timedelta(hours=57), urgency=1)
    urgent = [
        file_story(app, created_at=start + timedelta(hours=h), urgency=ScreeningLevel.URGENT)
        for h in (58, 59)
    ]
    expected = [*urgent, concern, *ids]

    first = moderator.get(QUEUE).get_data(as_text=True)
    next_link = re.search(r'<a href="([^"]+)" rel="next"', first)
    assert next_link is not None
    second = rows(moderator, html.unescape(next_link.group(1)))

    assert ROW_LINK.findall(first) == expected[:50]
    assert second == expected[50:]
    assert second[0] == ids[47]


def test_the_queue_never_shows_an_address_a_name_or_the_story(
    app: Flask, moderator: FlaskClient
) -> None:
    file_story(
        app,
        story="CANARI-RECIT " + "x" * 80,
        email="canari.adresse@example.org",
        credit=(CreditMode.PSEUDONYM, "Canari Pseudonyme"),
    )
    for url in (QUEUE, QUEUE + "?status=all"):
        page = moderator.get(url).get_data(as_text=True)
        assert len(ROW_LINK.findall(page)) == 1
        for canary in ("CANARI-RECIT", "canari.adresse", "Canari Pseudonyme"):
            assert canary not in page


def test_filters_and_counts_per_status(app: Flask, moderator: FlaskClient) -> None:
    with app.app_context():
        call_id = make_call().id
    me = user_id(app, "moderatrice@intake.example")
    january = datetime(2025, 1, 15, 12, tzinfo=UTC)
    general = file_story(app, created_at=january)
    in_call = file_story(app, call_id=call_id, status=S.IN_REVIEW, assignee_id=me)
    urgent = file_story(app, urgency=ScreeningLevel.URGENT)
    spam = file_story(app, status=S.SPAM)

    assert set(rows(moderator)) == {general, in_call, urgent}
    assert rows(moderator, QUEUE + "?status=spam") == [spam]
    assert len(rows(moderator, QUEUE + "?status=all")) == 4
    assert rows(moderator, QUEUE + f"?call={call_id}") == [in_call]
    assert set(rows(moderator, QUEUE + "?call=general")) == {general, urgent}
    assert rows(moderator, QUEUE + "?urgency=2") == [urgent]
    assert rows(moderator, QUEUE + "?assignee=me") == [in_call]
    assert set(rows(moderator, QUEUE + "?assignee=nobody")) == {general, urgent}
    window = "?received_from=2025-01-01&received_to=2025-01-15"
    assert rows(moderator, QUEUE + window) == [general]
    assert rows(moderator, QUEUE + "?received_to=2025-01-14") == []

    with app.app_context():
        counts = review.status_counts()
    assert counts[S.RECEIVED] == 2 and counts[S.IN_REVIEW] == 1 and counts[S.SPAM] == 1
    page = moderator.get(QUEUE).get_data(as_text=True)
    assert re.search(r'status=spam"[^>]*>[^<]*<span class="count">1</span>', page)
    assert re.search(r'status=received"[^>]*>[^<]*<span class="count">2</span>', page)


@pytest.mark.parametrize(
    "query",
    [
        "?status=bogus",
        "?after=not-a-cursor",
        "?after=" + "W" * 300,
        "?received_from=x",
        "?urgency=9",
    ],
)
def test_malformed_filters_are_a_clear_400(moderator: FlaskClient, query: str) -> None:
    assert moderator.get(QUEUE + query).status_code == 400


def test_anonymous_visitor_is_sent_to_the_login_page(client: FlaskClient) -> None:
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert "/moderation/connexion" in response.headers["Location"]


def bulk(client: FlaskClient, selected: list[str], **data: str) -> str:
    """Tick rows of the queue, press a bulk button; the page shown next, as text."""
    fields = hidden_fields(client.get(QUEUE + "?status=all").get_data(as_text=True))
    response = client.post(
        "/moderation/lot", data={**fields, "selected": selected, **data}, follow_redirects=True
    )
    assert response.status_code == 200
    return page_text(response)


def test_bulk_spam_and_decline_say_what_was_done_and_skipped(
    app: Flask, moderator: FlaskClient
) -> None:
    other = team_client(app, "moderator", "second@intake.example")
    first, second, third = (file_story(app) for _ in range(3))
    shown = CHECKBOX.findall(moderator.get(QUEUE).get_data(as_text=True))
    assert len(shown) == 3
    act(other, third, "prendre")  # after the queue was shown: the third is now stale

    page = bulk(moderator, [v for v in shown if not v.startswith(second)], action="spam")

    assert in_french(app, lambda: _bulk_message(review.BulkOutcome(1, 1))) in page
    assert status_of(app, first).status == S.SPAM
    assert status_of(app, third).status == S.IN_REVIEW

    (second_row,) = [v for v in shown if v.startswith(second)]
    page = bulk(moderator, [second_row], action="decline", reason="off_topic")
    declined = status_of(app, second)
    assert declined.status == S.REJECTED
    assert declined.decline_reason == DeclineReason.OFF_TOPIC and declined.decline_note is None
    assert in_french(app, lambda: _bulk_message(review.BulkOutcome(1, 0))) in page


def test_bulk_on_a_status_that_does_not_allow_it_is_skipped(
    app: Flask, moderator: FlaskClient
) -> None:
    public_id = file_story(app, status=S.APPROVED)
    version = status_of(app, public_id).version
    page = bulk(moderator, [f"{public_id}:{version}"], action="spam")
    assert in_french(app, lambda: _bulk_message(review.BulkOutcome(0, 1))) in page
    assert status_of(app, public_id).status == S.APPROVED


def test_bulk_decline_needs_a_reason_and_a_selection(app: Flask, moderator: FlaskClient) -> None:
    public_id = file_story(app)
    (row,) = CHECKBOX.findall(moderator.get(QUEUE).get_data(as_text=True))
    bulk(moderator, [row], action="decline", reason="")
    bulk(moderator, [], action="spam")
    bulk(moderator, ["<script>:1"], action="spam")
    assert status_of(app, public_id).status == S.RECEIVED
