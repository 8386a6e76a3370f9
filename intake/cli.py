"""Command-line tools, one group per noun."""

from __future__ import annotations

import os
import secrets

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from intake import accounts
from intake.audit import record_event
from intake.config import PRODUCTION
from intake.demo import seed_demo_content
from intake.emails import InvalidEmail
from intake.extensions import db
from intake.models import Role, User

demo = AppGroup("demo", help="Demo content for a fresh installation.")
users = AppGroup("users", help="Team accounts.")
CLI_ACTOR = "cli"
NAME_MAX = 100


@demo.command("seed")
def seed() -> None:
    """Add the demo calls and stories when the database has none."""
    added = seed_demo_content()
    db.session.commit()
    click.echo("Demo content added." if added else "Calls already exist; nothing added.")


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
    if current_app.config["INTAKE_ENV"] == PRODUCTION:
        raise click.ClickException("Not in production: create accounts with `flask users create`.")
    if db.session.scalar(select(func.count()).select_from(User)):
        click.echo("Team accounts already exist; no development admin created.")
        return
    password = secrets.token_urlsafe(12)
    user = accounts.create_user(
        "admin@intake.example", "Admin (dev)", Role.ADMIN, password, actor=CLI_ACTOR
    )
    record_event("user.dev_admin", "user", str(user.id), actor=CLI_ACTOR)
    db.session.commit()
    bind = os.environ.get("INTAKE_BIND", "127.0.0.1:5000")
    click.echo(
        f"\nDevelopment admin (shown once): admin@intake.example / {password}\n"
        f"Log in at http://{bind}/moderation/connexion\n"
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


def register_cli(app: Flask) -> None:
    """Attach the command groups to the application."""
    app.cli.add_command(demo)
    app.cli.add_command(users)
