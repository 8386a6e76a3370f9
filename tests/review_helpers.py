"""Builders for the moderation tests: stories filed as the public form files them, team clients."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, update
from werkzeug.test import TestResponse

from intake import codes, consent
from intake.extensions import db
from intake.models import (
    Call,
    CreditMode,
    Purpose,
    ScreeningLevel,
    Submission,
    SubmissionStatus,
    utcnow,
)
from intake.testimonies import TestimonyDraft, submit_testimony
from tests.helpers import STORY, AuthActions, hidden_fields, make_user

PAGE = "/moderation/temoignages/{}"


def file_story(
    app: Flask,
    *,
    story: str = STORY,
    call_id: int | None = None,
    email: str | None = None,
    credit: tuple[CreditMode, str | None] = (CreditMode.ANONYMOUS, None),
    granted: Iterable[Purpose] = (Purpose.PUBLISH_SITE,),
    edit: bool = True,
    urgency: ScreeningLevel = ScreeningLevel.NONE,
    created_at: datetime | None = None,
    assignee_id: int | None = None,
    status: SubmissionStatus | None = None,
) -> str:
    """A submission filed through the domain, as the public form files it; its public id.

    The person agrees to edits unless ``edit`` is False, so that the team may rewrite it.
    """
    with app.test_request_context():
        call = db.session.get(Call, call_id) if call_id else None
        wordings = consent.wordings_for(call)
        yes = {Purpose.AGE, Purpose.HEALTH_DATA, *granted, *([Purpose.CONTACT] if email else [])}
        if edit:
            yes.add(Purpose.EDIT)
        draft = TestimonyDraft(
            submission_key=codes.new_submission_key(),
            story=story,
            credit_mode=credit[0],
            credit_name=credit[1],
            email=email,
            locale="fr",
            consents={purpose: purpose in yes for purpose in wordings},
            wordings=wordings,
        )
        public_id = submit_testimony(draft, call, utcnow()).submission.public_id
        # What screening and claiming would set, written without touching the version.
        values: dict[str, Any] = {"urgency": urgency, "assignee_id": assignee_id}
        if created_at is not None:
            values["created_at"] = created_at
        if status is not None:
            values["status"] = status
        db.session.execute(
            update(Submission).where(Submission.public_id == public_id).values(**values)
        )
        db.session.commit()
        return public_id


def team_client(app: Flask, role: str, email: str) -> FlaskClient:
    """A new browser, logged in with a new account of this role."""
    with app.app_context():
        make_user(role, email)
    client = app.test_client()
    assert AuthActions(client).login(email).status_code == 303
    return client


def user_id(app: Flask, email: str) -> int:
    """The id of a team account."""
    from intake.accounts import find_user

    with app.app_context():
        user = find_user(email)
        assert user is not None
        return user.id


def page_fields(client: FlaskClient, public_id: str) -> dict[str, str]:
    """The hidden fields of a submission's page: the form token and the version shown."""
    response = client.get(PAGE.format(public_id))
    assert response.status_code == 200, response.status_code
    return hidden_fields(response.get_data(as_text=True))


def act(
    client: FlaskClient,
    public_id: str,
    action: str,
    seen: dict[str, str] | None = None,
    **data: Any,
) -> TestResponse:
    """Send one of the submission page's forms, as shown (or as shown earlier: ``seen``)."""
    fields = seen if seen is not None else page_fields(client, public_id)
    return client.post(f"{PAGE.format(public_id)}/{action}", data={**fields, **data})


def in_french(app: Flask, message: Any) -> str:
    """What a function of the interface says to a French-speaking moderator, spaced as
    tests.helpers.page_text reads pages (French no-break spaces become plain ones)."""
    with app.test_request_context():
        return re.sub(r"\s+", " ", str(message()))


@contextmanager
def counted_statements(app: Flask) -> Iterator[list[str]]:
    """Record every SQL statement the application sends while the block runs."""
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
