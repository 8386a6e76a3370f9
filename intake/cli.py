"""Command-line tools, one group per noun."""

from __future__ import annotations

import os
import secrets
from datetime import date, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from intake import accounts, notifications
from intake.audit import record_event
from intake.config import PRODUCTION
from intake.demo import seed_demo_content
from intake.emails import InvalidEmail
from intake.exports import ExportFilters, formats, service
from intake.exports.selection import EXPORTABLE
from intake.extensions import db
from intake.mail import portal_url
from intake.models import Purpose, Role, SubmissionStatus, User, utcnow

demo = AppGroup("demo", help="Demo content for a fresh installation.")
users = AppGroup("users", help="Team accounts.")
stories = AppGroup("stories", help="Approved stories: exports.")
notices = AppGroup("notifications", help="E-mail notices to the team.")
CLI_ACTOR = "cli"
NAME_MAX = 100


@demo.command("seed")
def seed() -> None:
    """Add the demo calls and stories when the database has none; never in production."""
    _development_only("its invented calls and stories would sit beside real ones.")
    added = seed_demo_content()
    db.session.commit()
    click.echo("Demo content added." if added else "Calls already exist; nothing added.")


def _development_only(why: str) -> None:
    if current_app.config["INTAKE_ENV"] == PRODUCTION:
        raise click.ClickException(f"Not in production: {why}")


def _bounded_name(ctx: click.Context, param: click.Parameter, value: str) -> str:
    # The column holds 100 characters; PostgreSQL would refuse a longer name with a traceback.
    if len(value.strip()) > NAME_MAX:
        raise click.BadParameter(f"at most {NAME_MAX} characters.")
    return value


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.MODERATOR.value)
@click.option("--name", default="", help="Name shown to the team.", callback=_bounded_name)
@click.password_option(prompt="Password (12 characters or more)")
def create(email: str, role: str, name: str, password: str) -> None:
    """Open a team account; the password is prompted for, or read from standard input."""
    try:
        user = accounts.create_user(email, name, Role(role), password, actor=CLI_ACTOR)
    except (accounts.AccountError, InvalidEmail) as error:
        raise click.ClickException(_account_error(error)) from error
    db.session.commit()
    click.echo(f"Account {user.id} created ({user.role.value}).")


@users.command("deactivate")
@click.argument("email")
def deactivate(email: str) -> None:
    """Close an account and end its sessions."""
    user = accounts.find_user(email)
    if user is None:
        raise click.ClickException("No account uses this address.")
    accounts.deactivate_user(user, actor=CLI_ACTOR)
    db.session.commit()
    click.echo(f"Account {user.id} deactivated.")


@users.command("list")
def list_users() -> None:
    """List the team accounts."""
    for user in accounts.list_users():
        state = "active" if user.active else "deactivated"
        click.echo(f"{user.email}\t{user.role.value}\t{state}")


@users.command("dev-admin")
def dev_admin() -> None:
    """In development, on a database with no account, create an admin and print its login."""
    _development_only("create accounts with `flask users create`.")
    if db.session.scalar(select(func.count()).select_from(User)):
        click.echo("Team accounts already exist; no development admin created.")
        return
    password = secrets.token_urlsafe(12)
    user = accounts.create_user(
        "admin@intake.example", "Admin (dev)", Role.ADMIN, password, actor=CLI_ACTOR
    )
    record_event("user.dev_admin", "user", str(user.id), actor=CLI_ACTOR)
    db.session.commit()
    click.echo(
        f"\nDevelopment admin (shown once): admin@intake.example / {password}\n"
        f"Log in at {portal_url('auth.login')}\n"
    )


def _account_error(error: Exception) -> str:
    if isinstance(error, accounts.WeakPassword):
        return {
            "too_short": "The password needs at least 12 characters.",
            "too_long": "The password may have at most 1024 characters.",
            "too_common": "This password is too common or too close to the address.",
        }[error.reason]
    if isinstance(error, accounts.AccountExists):
        return "An account already uses this address."
    return f"Invalid e-mail address: {error}"


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter("expected a date as YYYY-MM-DD.") from None


@stories.command("export")
@click.option("--format", "format_name", type=click.Choice(list(formats.FORMATS)), required=True)
@click.option("--use", type=click.Choice([p.value for p in Purpose.publication()]))
@click.option("--call", "call_slug", help="The slug of a call.")
@click.option("--since", callback=_day, help="Received on or after this day (YYYY-MM-DD).")
@click.option("--until", callback=_day, help="Received on or before this day (YYYY-MM-DD).")
@click.option("--status", type=click.Choice([s.value for s in EXPORTABLE]))
@click.option("--excel", is_flag=True, help="CSV for French Excel (BOM, semicolons).")
@click.option(
    "--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True
)
def export(
    format_name: str,
    use: str | None,
    call_slug: str | None,
    since: date | None,
    until: date | None,
    status: str | None,
    excel: bool,
    out: Path,
) -> None:
    """Export approved stories to a file; the export is traced in the audit trail."""
    filters = ExportFilters(
        use=Purpose(use) if use else None,
        call_id=_call_id(call_slug),
        status=SubmissionStatus(status) if status else None,
        since=since,
        until=until,
    )
    try:
        started = service.start_export(
            format_name, filters, service.export_options(excel), CLI_ACTOR, out.name
        )
    except formats.TooManyForDocx as error:
        raise click.ClickException(_too_many(error)) from error
    except formats.UseNotForFormat as error:
        raise click.ClickException(
            f"a {format_name} file only holds stories consented for {error.format.only_use}: "
            f"use --use {error.format.only_use} or no --use."
        ) from error
    # Traced before the first story is read: a failed write has still let stories out.
    db.session.commit()
    # The file holds stories: readable by its owner only, like the database.
    with os.fdopen(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)
        for chunk in started.chunks:
            handle.write(chunk)
    click.echo(f"{started.count} stories exported to {out}.")


def _call_id(slug: str | None) -> int | None:
    if slug is None:
        return None
    call_id = service.find_call_id(slug)
    if call_id is None:
        raise click.ClickException(f"No call has the slug {slug!r}.")
    return call_id


def _too_many(error: formats.TooManyForDocx) -> str:
    return (
        f"{error.count} stories match and a Word document holds at most "
        f"{formats.DOCX_MAX_STORIES}: "
        "narrow the filters or choose another format. Nothing was written."
    )


@notices.command("digest")
def digest() -> None:
    """Mail the team how many stories arrived since the last digest; run daily from cron."""
    mode = notifications.notice_mode()
    if mode != notifications.DAILY:
        click.echo(f"NEW_SUBMISSION_NOTICE is {mode!r}, not 'daily': no digest sent.")
        return
    count = notifications.send_digest(utcnow())
    db.session.commit()
    if count:
        click.echo(f"Digest mailed to the team: {count} new since the last one.")
    else:
        click.echo("No new story since the last digest: nothing sent.")


def register_cli(app: Flask) -> None:
    """Attach the command groups to the application."""
    app.cli.add_command(demo)
    app.cli.add_command(users)
    app.cli.add_command(stories)
    app.cli.add_command(notices)
