"""E-mail: a real SMTP server on the loopback receives what the application sends.

The person hears only that there is news, in their language, when they agreed to be written
to; the team hears of new and urgent stories without a word of them; nothing leaves before
the commit, and a server that is down never breaks a page or leaks an address to the log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from intake import create_app, notifications
from intake.config import ConfigurationError
from intake.extensions import db
from intake.mail import queue_mail
from intake.models import (
    AuditEvent,
    Consent,
    Proofreading,
    Purpose,
    ScreeningLevel,
    Submission,
    SubmissionStatus,
    User,
    utcnow,
)
from tests.conftest import TEST_CONFIG, build_app, make_environ
from tests.followup_helpers import Person, public_id_for, send_for_rereading, send_story
from tests.helpers import FormPage, filled_testimony, make_call
from tests.mail_helpers import Received, SmtpServer, running_smtp_server
from tests.review_helpers import act, file_story, team_client
from tests.server import free_port

S = SubmissionStatus
PORTAL = "https://temoignages.example.org"
TEAM = ("equipe@media.example", "veille@media.example")
PERSON = "camille.exemple@example.org"
CANARY = "CANARY-5b1e"
FOLLOWUP_FR = "Pour en savoir plus, ouvrez la page de suivi et saisissez votre code de suivi :"


def mail_settings(port: int, **overrides: Any) -> dict[str, Any]:
    """The configuration of an application that mails through the test server."""
    return {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_SECURITY": "none",
        "MAIL_TIMEOUT": 5,
        "MAIL_DEFAULT_SENDER": "Intake <no-reply@media.example>",
        "PORTAL_URL": PORTAL,
        "MODERATION_EMAIL": ", ".join(TEAM),
        "NEW_SUBMISSION_NOTICE": "immediate",
        **overrides,
    }


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on a free loopback port."""
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def app(
    db_url: str, tmp_path: Path, smtp: SmtpServer, request: pytest.FixtureRequest
) -> Iterator[Flask]:
    """The application, sending through ``smtp``; ``@pytest.mark.settings(...)`` changes it."""
    marker = request.node.get_closest_marker("settings")
    overrides = marker.kwargs if marker else {}
    application = build_app(tmp_path / "instance", db_url, **mail_settings(smtp.port, **overrides))
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def moderator_client(app: Flask) -> FlaskClient:
    """A moderator's own browser (the person uses ``client``)."""
    return team_client(app, "moderator", "moderatrice@intake.example")


@pytest.fixture
def app_log(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> pytest.LogCaptureFixture:
    """Everything the application logs, down to DEBUG.

    The test SMTP server (aiosmtpd, logger ``mail.log``) logs the envelopes it receives: it
    stands for the mail provider, not for the application, so its records are left out.
    The application's logger is switched on in case anything disabled it before this test.
    """
    monkeypatch.setattr(logging.getLogger("intake"), "disabled", False)
    monkeypatch.setattr(logging.getLogger("mail.log"), "disabled", True)
    caplog.set_level(logging.DEBUG)
    return caplog


def normalized(text: str) -> str:
    """Text with every run of spaces (French no-break spaces included) as one space."""
    return " ".join(text.split())


def person_story(client: FlaskClient, **fields: Any) -> tuple[str, str]:
    """A story sent through the public form with an address and contact allowed; code, id."""
    app = client.application
    code = send_story(client, email=PERSON, contact="y", **{"edit": "y", **fields})
    return code, public_id_for(app, code)


def only_mail_to(smtp: SmtpServer, address: str) -> Received:
    mails = smtp.to(address)
    assert len(mails) == 1, [m.subject for m in mails]
    return mails[0]


# The person


def test_person_hears_in_french_that_their_story_is_being_read(
    client: FlaskClient, moderator_client: FlaskClient, smtp: SmtpServer
) -> None:
    _code, public_id = person_story(client)
    assert smtp.to(PERSON) == [], "filing a story tells the team, not the person"
    assert act(moderator_client, public_id, "prendre").status_code == 303
    mail = only_mail_to(smtp, PERSON)
    assert mail.recipients == [PERSON]
    assert mail.message["To"] == PERSON
    assert mail.message["From"] == "Intake <no-reply@media.example>"
    assert mail.message["Auto-Submitted"] == "auto-generated"
    assert normalized(mail.subject) == "Du nouveau sur votre message à Intake"
    assert "Votre témoignage est en cours de lecture par notre équipe." in mail.text
    assert FOLLOWUP_FR in mail.text
    assert f"{PORTAL}/suivi" in mail.text
    assert f'href="{PORTAL}/suivi"' in mail.html
    assert mail.message.get_content_type() == "multipart/alternative"


def test_person_who_wrote_in_english_is_written_to_in_english(
    client: FlaskClient, moderator_client: FlaskClient, smtp: SmtpServer
) -> None:
    client.get("/langue/en")
    _code, public_id = person_story(client)
    act(moderator_client, public_id, "prendre")
    act(moderator_client, public_id, "question", question=f"{CANARY} which town?")
    reading, question = smtp.to(PERSON)
    assert reading.subject == question.subject == "News about your message to Intake"
    assert "Your story is now being read by our team." in reading.text
    assert "Our team has a question for you." in question.text
    assert "To read it and answer, open the follow-up page" in question.text
    assert '<html lang="en">' in question.html
    assert CANARY not in question.everything()


def test_mail_holds_no_story_name_call_question_or_code(
    app: Flask,
    client: FlaskClient,
    moderator_client: FlaskClient,
    smtp: SmtpServer,
    app_log: pytest.LogCaptureFixture,
) -> None:
    with app.app_context():
        make_call(slug="canari", title=f"{CANARY}-call-title", summary=f"{CANARY}-summary")
    code, public_id = person_story(
        client,
        url="/appels/canari",
        story=f"{CANARY}-story " * 20,
        credit_mode="full_name",
        credit_name=f"{CANARY}-name",
    )
    act(moderator_client, public_id, "prendre")
    act(moderator_client, public_id, "question", question=f"{CANARY}-question")
    act(moderator_client, public_id, "refuser", reason="other", explanation=f"{CANARY}-reason")
    assert len(smtp.to(PERSON)) == 3
    assert len(smtp.received) == 3 + len(TEAM)
    for mail in smtp.received:
        everything = mail.everything()
        assert CANARY not in everything
        assert code not in everything and code.replace("-", "") not in everything
        assert public_id not in everything or mail.recipients[0] in TEAM
    for mail in smtp.to(PERSON):
        # The address is the envelope's and the To header's, nowhere in the text.
        assert PERSON not in mail.part("plain") and PERSON not in mail.html
    assert "E-mail: 1 sent" in app_log.text
    for secret in (CANARY, PERSON, *TEAM, code):
        assert secret not in app_log.text


def test_html_part_is_simple_accessible_and_fetches_nothing(
    client: FlaskClient, moderator_client: FlaskClient, smtp: SmtpServer
) -> None:
    _code, public_id = person_story(client)
    act(moderator_client, public_id, "prendre")
    html = only_mail_to(smtp, PERSON).html
    assert '<html lang="fr">' in html and "<title>" in html
    for remote in ("<img", "<script", "<link", "url(", "src="):
        assert remote not in html
    assert html.count("href=") == 1


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (S.RECEIVED, S.IN_REVIEW, "Your story is now being read by our team."),
        (S.IN_REVIEW, S.AWAITING_SUBMITTER, "Our team has a question for you."),
        (S.IN_REVIEW, S.APPROVED, "Your story has been accepted by our team."),
        (S.APPROVED, S.PUBLISHED, "Your story has been published."),
        (S.IN_REVIEW, S.REJECTED, "Our team has replied about your story."),
        (S.RECEIVED, S.REJECTED, "Our team has replied about your story."),
        # Silent: set aside as spam, back to the queue or to review, withdrawn by the person.
        (S.RECEIVED, S.SPAM, None),
        (S.IN_REVIEW, S.RECEIVED, None),
        (S.AWAITING_SUBMITTER, S.IN_REVIEW, None),
        (S.AWAITING_SUBMITTER, S.RECEIVED, None),
        (S.APPROVED, S.IN_REVIEW, None),
        (S.IN_REVIEW, S.WITHDRAWN, None),
    ],
)
def test_which_status_changes_tell_the_person(
    app: Flask, smtp: SmtpServer, before: S, after: S, expected: str | None
) -> None:
    public_id = file_story(app, email=PERSON)
    with app.test_request_context():
        submission = stored(public_id)
        submission.locale = "en"
        notifications.status_changed(submission, before, after)
        db.session.commit()
    mails = smtp.to(PERSON)
    if expected is None:
        assert mails == []
    else:
        assert len(mails) == 1 and expected in mails[0].text


def test_edited_version_to_reread_is_announced_as_such(app: Flask, smtp: SmtpServer) -> None:
    public_id = file_story(app, email=PERSON)
    with app.test_request_context():
        submission = stored(public_id)
        submission.proofreading = Proofreading.REQUESTED
        notifications.status_changed(submission, S.IN_REVIEW, S.AWAITING_SUBMITTER)
        db.session.commit()
    mail = only_mail_to(smtp, PERSON)
    assert (
        "La version retravaillée de votre témoignage est prête : vous pouvez la relire, "
        "puis l'accepter ou demander des changements." in mail.text
    )
    assert "Pour la relire, ouvrez la page de suivi" in mail.text


def test_no_mail_to_a_person_who_gave_no_address(
    client: FlaskClient, moderator_client: FlaskClient, smtp: SmtpServer
) -> None:
    code = send_story(client)
    act(moderator_client, public_id_for(client.application, code), "prendre")
    assert [m.recipients for m in smtp.received] == [[address] for address in TEAM]


def test_no_mail_once_contact_is_not_granted(
    app: Flask, client: FlaskClient, moderator_client: FlaskClient, smtp: SmtpServer
) -> None:
    _code, public_id = person_story(client)
    with app.app_context():
        # An address kept while the consent says no: the consent decides.
        db.session.execute(
            update(Consent)
            .where(Consent.purpose == Purpose.CONTACT)
            .values(granted=False)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    act(moderator_client, public_id, "prendre")
    assert smtp.to(PERSON) == []


def test_no_mail_after_the_person_takes_contact_back(
    client: FlaskClient, moderator_client: FlaskClient, smtp: SmtpServer
) -> None:
    code, public_id = person_story(client)
    person = Person(client, code)
    person.open()
    assert person.consent("contact", granted=False).status_code == 303
    act(moderator_client, public_id, "prendre")
    assert smtp.to(PERSON) == []


def test_the_persons_own_answer_sends_them_nothing(
    client: FlaskClient, moderator_client: FlaskClient, smtp: SmtpServer
) -> None:
    code, public_id = person_story(client)
    act(moderator_client, public_id, "prendre")
    act(moderator_client, public_id, "question", question="Pouvez-vous préciser ?")
    person = Person(client, code)
    person.open()
    assert person.answer("Oui, bien sûr.").status_code == 303
    texts = [m.text for m in smtp.to(PERSON)]
    assert len(texts) == 2, "being read, then the question; the answer itself is silent"
    assert "Notre équipe a une question pour vous." in texts[1]


def test_proofreading_through_the_pages_tells_the_person_to_reread(
    app: Flask, client: FlaskClient, moderator_client: FlaskClient, smtp: SmtpServer
) -> None:
    _code, public_id = person_story(client, review_edits="y", edit="y")
    act(moderator_client, public_id, "prendre")
    act(moderator_client, public_id, "version-publiable", text="Une version relue.")
    send_for_rereading(app, moderator_client, public_id)
    last = smtp.to(PERSON)[-1]
    assert "Pour la relire, ouvrez la page de suivi" in last.text
    assert "Une version relue." not in last.everything()


def test_approval_and_publication_each_tell_the_person(
    client: FlaskClient, moderator_client: FlaskClient, smtp: SmtpServer
) -> None:
    _code, public_id = person_story(client)
    act(moderator_client, public_id, "prendre")
    act(moderator_client, public_id, "version-publiable", text="Une version relue.")
    assert act(moderator_client, public_id, "approuver").status_code == 303
    url = "https://example.org/articles/canari"
    act(moderator_client, public_id, "publier", url=url, published_on="2025-03-14")
    _reading, approved, published = smtp.to(PERSON)
    assert "Votre témoignage a été validé par notre équipe." in approved.text
    assert "Votre témoignage a été publié." in published.text
    assert url not in published.everything()


# After the commit, and only then


def test_nothing_leaves_before_the_commit(app: Flask, smtp: SmtpServer) -> None:
    with app.test_request_context():
        queue_mail(PERSON, "news", "fr", news="approved", followup_url=f"{PORTAL}/suivi")
        db.session.flush()
        assert smtp.received == []
        db.session.commit()
    assert len(smtp.received) == 1


def test_a_rolled_back_transaction_sends_nothing(app: Flask, smtp: SmtpServer) -> None:
    public_id = file_story(app, email=PERSON)
    with app.test_request_context():
        submission = stored(public_id)
        notifications.status_changed(submission, S.IN_REVIEW, S.APPROVED)
        db.session.rollback()
        db.session.commit()
    with app.test_request_context():
        notifications.status_changed(stored(public_id), S.IN_REVIEW, S.APPROVED)
        db.session.close()  # the request ended without a commit
        db.session.commit()
    assert smtp.to(PERSON) == []


def test_a_rolled_back_savepoint_drops_only_its_own_mails(app: Flask, smtp: SmtpServer) -> None:
    def news(address: str) -> None:
        queue_mail(address, "news", "fr", news="approved", followup_url=f"{PORTAL}/suivi")

    with app.test_request_context():
        db.session.execute(select(1))  # the transaction has begun
        news("avant@example.org")
        with pytest.raises(RuntimeError), db.session.begin_nested():
            news("annule@example.org")
            raise RuntimeError("the savepoint rolls back")
        with db.session.begin_nested():
            news("garde@example.org")
        assert smtp.received == [], "releasing a savepoint is not the commit"
        news("apres@example.org")
        db.session.commit()
    delivered = sorted(address for m in smtp.received for address in m.recipients)
    assert delivered == ["apres@example.org", "avant@example.org", "garde@example.org"]


def test_a_refused_story_form_sends_nothing(forms: FormPage, smtp: SmtpServer) -> None:
    response = forms.send("/temoigner", filled_testimony(story="trop court", email=PERSON))
    assert response.status_code == 422
    assert smtp.received == []


# The team


def test_team_hears_of_each_new_story_one_message_each(
    client: FlaskClient, smtp: SmtpServer
) -> None:
    _code, public_id = person_story(client, story=f"{CANARY} " * 20)
    assert sorted(m.recipients[0] for m in smtp.received) == sorted(TEAM)
    for mail in smtp.received:
        assert mail.recipients == [mail.message["To"]], "nobody sees the others' addresses"
        assert normalized(mail.subject) == "[Intake] Nouveau témoignage reçu"
        assert f"{PORTAL}/moderation/temoignages/{public_id}" in mail.text
        assert CANARY not in mail.everything() and PERSON not in mail.everything()


@pytest.mark.settings(MODERATION_EMAIL="")
def test_without_moderation_email_every_active_account_hears(
    app: Flask, client: FlaskClient, team: dict[str, User], smtp: SmtpServer
) -> None:
    with app.app_context():
        db.session.execute(
            update(User).where(User.email == "editor@intake.example").values(active=False)
        )
        db.session.commit()
    send_story(client)
    delivered = sorted(address for m in smtp.received for address in m.recipients)
    assert delivered == ["admin@intake.example", "moderator@intake.example"]


@pytest.mark.settings(NEW_SUBMISSION_NOTICE="daily")
def test_daily_mode_waits_for_the_digest(
    app: Flask, client: FlaskClient, runner: Any, smtp: SmtpServer
) -> None:
    send_story(client)
    send_story(client, story="Une autre histoire, assez longue pour être reçue par le site.")
    assert smtp.received == []
    result = runner.invoke(args=["notifications", "digest"])
    assert result.exit_code == 0, result.output
    assert "2" in result.output
    assert sorted(m.recipients[0] for m in smtp.received) == sorted(TEAM)
    mail = smtp.received[0]
    assert normalized(mail.subject) == "[Intake] 2 nouveaux témoignages"
    assert "2 nouveaux témoignages sont arrivés depuis le dernier récapitulatif." in mail.text
    assert f"{PORTAL}/moderation/" in mail.text
    again = runner.invoke(args=["notifications", "digest"])
    assert again.exit_code == 0 and "nothing sent" in again.output
    assert len(smtp.received) == len(TEAM)
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == notifications.DIGEST_SENT)
        ).all()
        assert [e.details["count"] for e in events] == [2]


@pytest.mark.settings(NEW_SUBMISSION_NOTICE="daily")
def test_first_digest_looks_back_one_day(app: Flask, runner: Any, smtp: SmtpServer) -> None:
    file_story(app, created_at=utcnow() - timedelta(days=2))
    file_story(app, created_at=utcnow() - timedelta(hours=3))
    result = runner.invoke(args=["notifications", "digest"])
    assert result.exit_code == 0, result.output
    assert "1 nouveau témoignage est arrivé" in smtp.received[0].text


def test_digest_outside_daily_mode_does_nothing(runner: Any, app: Flask, smtp: SmtpServer) -> None:
    file_story(app)
    smtp.received.clear()
    result = runner.invoke(args=["notifications", "digest"])
    assert result.exit_code == 0
    assert "not 'daily'" in result.output
    assert smtp.received == []


@pytest.mark.settings(NEW_SUBMISSION_NOTICE="off")
def test_off_mode_sends_no_notice_of_new_stories(client: FlaskClient, smtp: SmtpServer) -> None:
    send_story(client)
    assert smtp.received == []


@pytest.mark.settings(NEW_SUBMISSION_NOTICE="daily")
def test_urgent_story_alerts_the_team_at_once_even_in_daily_mode(
    app: Flask, smtp: SmtpServer
) -> None:
    public_id = file_story(app, story=f"{CANARY} " * 20)
    assert smtp.received == []
    with app.test_request_context(method="POST"):
        submission = stored(public_id)
        submission.urgency = ScreeningLevel.URGENT
        notifications.new_submission(submission)
        db.session.commit()
    assert sorted(m.recipients[0] for m in smtp.received) == sorted(TEAM)
    for mail in smtp.received:
        assert normalized(mail.subject) == "[Intake] Urgent : un témoignage à lire sans attendre"
        assert f"{PORTAL}/moderation/temoignages/{public_id}" in mail.text
        assert CANARY not in mail.everything()


@pytest.mark.settings(NEW_SUBMISSION_NOTICE="off")
def test_a_story_flagged_urgent_later_alerts_the_team(app: Flask, smtp: SmtpServer) -> None:
    public_id = file_story(app)
    with app.test_request_context(method="POST"):
        notifications.urgent_flag(stored(public_id))
        db.session.commit()
    assert len(smtp.received) == len(TEAM)


# When mail fails, or is not really sent


def test_smtp_server_down_neither_breaks_the_page_nor_logs_anything_personal(
    db_url: str, tmp_path: Path, app_log: pytest.LogCaptureFixture
) -> None:
    closed = free_port()  # nothing listens there
    app = build_app(tmp_path / "instance", db_url, **mail_settings(closed))
    try:
        person = app.test_client()
        code = send_story(person, email=PERSON, contact="y", story=f"{CANARY} " * 20)
        public_id = public_id_for(app, code)
        team = team_client(app, "moderator", "moderatrice@intake.example")
        assert act(team, public_id, "prendre").status_code == 303
        with app.app_context():
            assert stored(public_id).status == S.IN_REVIEW
        assert "E-mail: 1 not sent, server unreachable (ConnectionRefusedError)" in app_log.text
        for secret in (PERSON, *TEAM, "moderatrice@intake.example", CANARY, code):
            assert secret not in app_log.text
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_refused_address_stops_no_other_mail_and_is_not_logged(
    app: Flask, smtp: SmtpServer, app_log: pytest.LogCaptureFixture
) -> None:
    smtp.collector.refused.add(TEAM[0])
    public_id = file_story(app)
    assert [m.recipients for m in smtp.received] == [[TEAM[1]]]
    assert "E-mail: 1 of 2 not sent (SMTPRecipientsRefused)" in app_log.text
    assert TEAM[0] not in app_log.text and public_id not in app_log.text


def test_development_console_prints_mails_with_the_address_masked(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = build_app(tmp_path / "instance", db_url, MAIL_BACKEND="console")
    with app.test_request_context():
        queue_mail(PERSON, "news", "fr", news="approved", followup_url=f"{PORTAL}/suivi")
        db.session.commit()
    with app.app_context():
        db.engine.dispose()
    printed = capsys.readouterr().out
    assert "To: c•••@e•••.org" in printed
    assert PERSON not in printed and "camille" not in printed


@pytest.mark.settings(MAIL_BACKEND="off")
def test_mail_switched_off_sends_nothing(
    client: FlaskClient, moderator_client: FlaskClient, smtp: SmtpServer
) -> None:
    _code, public_id = person_story(client)
    assert act(moderator_client, public_id, "prendre").status_code == 303
    assert smtp.received == []


# Configuration


def test_production_with_smtp_needs_the_portal_address_and_a_sender(tmp_path: Path) -> None:
    environ = make_environ(
        tmp_path / "instance", f"sqlite:///{tmp_path}/x.db", INTAKE_ENV="production"
    )
    smtp_env = {**environ, "MAIL_BACKEND": "smtp"}
    with pytest.raises(ConfigurationError, match="PORTAL_URL"):
        create_app(environ=smtp_env)
    with pytest.raises(ConfigurationError, match="MAIL_DEFAULT_SENDER"):
        create_app(environ={**smtp_env, "PORTAL_URL": PORTAL})
    create_app(environ={**smtp_env, "PORTAL_URL": PORTAL, "MAIL_DEFAULT_SENDER": "a@b.example"})


def test_in_development_mail_links_lead_where_the_server_listens(
    db_url: str, tmp_path: Path, smtp: SmtpServer
) -> None:
    # A newcomer serves on every interface, port 8080, and sets no PORTAL_URL.
    settings = {k: v for k, v in mail_settings(smtp.port).items() if k != "PORTAL_URL"}
    environ = make_environ(tmp_path / "instance", db_url, INTAKE_BIND="0.0.0.0:8080")
    app = create_app({**TEST_CONFIG, **settings}, environ=environ)

    _code, public_id = person_story(app.test_client())

    for mail in smtp.received:
        assert f"http://127.0.0.1:8080/moderation/temoignages/{public_id}" in mail.text
    assert {m.recipients[0] for m in smtp.received} == set(TEAM)
    with app.app_context():
        db.engine.dispose()


def test_production_without_smtp_warns_at_start(
    tmp_path: Path, app_log: pytest.LogCaptureFixture
) -> None:
    environ = make_environ(
        tmp_path / "instance", f"sqlite:///{tmp_path}/x.db", INTAKE_ENV="production"
    )
    create_app(environ=environ)
    assert "MAIL_BACKEND is console" in app_log.text


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MAIL_BACKEND", "pigeon"),
        ("MAIL_SECURITY", "maybe"),
        ("NEW_SUBMISSION_NOTICE", "weekly"),
        ("PORTAL_URL", "temoignages.example.org"),
        ("MAIL_PORT", "submission"),
    ],
)
def test_mail_settings_are_checked_at_start(tmp_path: Path, name: str, value: str) -> None:
    environ = make_environ(tmp_path / "instance", f"sqlite:///{tmp_path}/x.db", **{name: value})
    with pytest.raises(ConfigurationError, match=name):
        create_app(environ=environ)


def test_a_password_never_crosses_the_network_unencrypted(tmp_path: Path) -> None:
    environ = make_environ(
        tmp_path / "instance",
        f"sqlite:///{tmp_path}/x.db",
        MAIL_SERVER="smtp.example.org",
        MAIL_SECURITY="none",
        MAIL_PASSWORD="secret",
    )
    with pytest.raises(ConfigurationError, match="MAIL_SECURITY"):
        create_app(environ=environ)


def test_the_port_follows_the_security_setting(tmp_path: Path) -> None:
    base = make_environ(tmp_path / "instance", f"sqlite:///{tmp_path}/x.db")
    ports = {
        security: create_app(environ={**base, "MAIL_SECURITY": security}).config["MAIL_PORT"]
        for security in ("starttls", "tls", "none")
    }
    assert ports == {"starttls": 587, "tls": 465, "none": 25}


def stored(public_id: str) -> Submission:
    """A submission as the database holds it now (inside an application context)."""
    db.session.expire_all()
    query = select(Submission).where(Submission.public_id == public_id)
    found: Submission | None = db.session.scalar(query)
    assert found is not None
    return found
