"""Sending e-mail: rendered when queued, in the recipient's language; sent after the commit.

Flask-Mailman (Django's mail backends, ported to Flask) builds the MIME messages and speaks
SMTP; this module adds what the portal needs around it. Queued mails wait in an outbox kept
on the SQLAlchemy session: the real commit sends them, a rollback drops them, and a
rolled-back SAVEPOINT drops only the mails queued inside it. A failure to send is logged
without any address and never undoes, or fails, the request that committed.
"""

from __future__ import annotations

import smtplib
from contextlib import suppress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, render_template
from flask_babel import force_locale
from flask_mailman import EmailMultiAlternatives, Mail
from flask_mailman.backends import console
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from intake.config import LANGUAGES, PRODUCTION, ConfigurationError
from intake.extensions import db

# The names operators use, and the Flask-Mailman backend behind each; "memory" is for tests.
BACKENDS = {
    "console": "intake.mail.ConsoleEmailBackend",
    "smtp": "flask_mailman.backends.smtp.EmailBackend",
    "off": "flask_mailman.backends.dummy.EmailBackend",
    "memory": "flask_mailman.backends.locmem.EmailBackend",
}
OUTBOX = "intake.mail.outbox"
COMMITTED = "intake.mail.committed"

mailman = Mail()


def init_mail(app: Flask) -> None:
    """Bind Flask-Mailman to the application with the portal's own mail settings."""
    config = app.config
    if config["MAIL_BACKEND"] not in BACKENDS:
        raise ConfigurationError(f"MAIL_BACKEND must be one of {', '.join(BACKENDS)}")
    settings = {
        **config,
        "MAIL_BACKEND": BACKENDS[config["MAIL_BACKEND"]],
        "MAIL_USE_TLS": config["MAIL_SECURITY"] == "starttls",
        "MAIL_USE_SSL": config["MAIL_SECURITY"] == "tls",
    }
    app.extensions["mailman"] = Mail.init_mail(settings, app.testing)
    if config["INTAKE_ENV"] == PRODUCTION and config["MAIL_BACKEND"] != "smtp":
        app.logger.warning(
            "MAIL_BACKEND is %s: no e-mail leaves the server, not even urgent alerts; "
            "set MAIL_BACKEND=smtp in production",
            config["MAIL_BACKEND"],
        )


def queue_mail(to: str, template: str, locale: str, **context: Any) -> None:
    """Render ``mail/<template>.txt`` and ``.html`` now; send them once the transaction commits."""
    if current_app.config["MAIL_BACKEND"] == "off":
        return
    subject, text, html = render_mail(template, locale, **context)
    message = EmailMultiAlternatives(
        subject, text, to=[to], headers={"Auto-Submitted": "auto-generated"}
    )
    message.attach_alternative(html, "text/html")
    session = db.session()
    # Tagged with the innermost transaction, so that a rolled-back SAVEPOINT takes it along.
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(OUTBOX, []).append(_Queued(message, transaction))


def render_mail(template: str, locale: str, **context: Any) -> tuple[str, str, str]:
    """Subject, text and HTML of a mail, in a language; the subject is the text's block."""
    context.setdefault("site_name", current_app.config["SITE_NAME"])
    if locale not in LANGUAGES:
        locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        subject = _render_block(f"mail/{template}.txt", "subject", context)
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", subject=subject, **context)
    return subject, text.strip() + "\n", html


def _render_block(name: str, block: str, context: dict[str, Any]) -> str:
    template = current_app.jinja_env.get_template(name)
    values = dict(context)
    current_app.update_template_context(values)
    rendered = "".join(template.blocks[block](template.new_context(values)))
    # A header holds one line.
    return " ".join(rendered.split())


def portal_url(endpoint: str, **values: Any) -> str:
    """An absolute link into the portal, built on PORTAL_URL, never on the request's Host."""
    base = urlsplit(current_app.config["PORTAL_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def mask_address(address: str) -> str:
    """An address as development output may show it: ``c•••@e•••.org``."""
    local, _, domain = address.rpartition("@")
    name, dot, suffix = domain.rpartition(".")
    return f"{local[:1]}•••@{name[:1]}•••{dot}{suffix}"


class ConsoleEmailBackend(console.EmailBackend):
    """Development: print each mail instead of sending it, with the address masked."""

    def write_message(self, message: EmailMultiAlternatives) -> None:
        recipients = ", ".join(mask_address(address) for address in message.recipients())
        self.stream.write(
            f"To: {recipients}\nSubject: {message.subject}\n\n{message.body}\n{'-' * 79}\n"
        )


@dataclass(frozen=True)
class _Queued:
    message: EmailMultiAlternatives
    transaction: SessionTransaction | None


@event.listens_for(Session, "after_commit")
def _on_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a SAVEPOINT was released: its mails wait for the real commit
    queued = session.info.pop(OUTBOX, [])
    session.info.setdefault(COMMITTED, []).extend(q.message for q in queued)


@event.listens_for(Session, "after_soft_rollback")
def _on_rollback(session: Session, previous: SessionTransaction) -> None:
    queued = session.info.get(OUTBOX)
    if queued:
        session.info[OUTBOX] = [q for q in queued if not _within(q.transaction, previous)]


@event.listens_for(Session, "after_transaction_end")
def _on_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    # Sent once the connection is back in the pool; whatever was never committed is dropped.
    session.info.pop(OUTBOX, None)
    committed = session.info.pop(COMMITTED, None)
    if committed:
        deliver(committed)


def _within(transaction: SessionTransaction | None, rolled_back: SessionTransaction) -> bool:
    if rolled_back.parent is None:
        return True
    while transaction is not None:
        if transaction is rolled_back:
            return True
        transaction = transaction.parent
    return False


def deliver(messages: list[EmailMultiAlternatives]) -> int:
    """Send messages over one connection; failures are logged by kind only, never raised."""
    logger = current_app.logger
    try:
        connection = mailman.get_connection()
        connection.open()
    except Exception as error:
        logger.error("E-mail: %d not sent, server unreachable (%s)", len(messages), _kind(error))
        return 0
    sent, failures = 0, set[str]()
    try:
        for message in messages:
            try:
                sent += connection.send_messages([message]) or 0
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as error:
                failures.add(_kind(error))  # this message only: the others may still go
            except Exception as error:
                # The connection is gone: the next messages would only wait for it again.
                failures.add(_kind(error))
                break
    finally:
        with suppress(Exception):
            connection.close()
    if failures:
        kinds = ", ".join(sorted(failures))
        logger.error("E-mail: %d of %d not sent (%s)", len(messages) - sent, len(messages), kinds)
    if sent:
        logger.info("E-mail: %d sent", sent)
    return sent


def _kind(error: Exception) -> str:
    # Only the class name: SMTP errors quote the recipients' addresses in their messages.
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{type(error).__name__} {error.smtp_code}"
    return type(error).__name__
