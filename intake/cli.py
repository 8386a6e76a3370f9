"""Command-line tools, one group per noun."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from intake.demo import seed_demo_content
from intake.extensions import db

demo = AppGroup("demo", help="Demo content for a fresh installation.")


@demo.command("seed")
def seed() -> None:
    """Add the demo calls when the database has none."""
    added = seed_demo_content()
    db.session.commit()
    click.echo("Demo calls added." if added else "Calls already exist; nothing added.")


def register_cli(app: Flask) -> None:
    """Attach the command groups to the application."""
    app.cli.add_command(demo)
