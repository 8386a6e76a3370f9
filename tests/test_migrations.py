"""The schema comes from the migrations, and the migrations match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import inspect

from intake.extensions import db


def test_upgraded_empty_database_matches_the_models(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as connection:
        handwritten = {
            index.name
            for table in db.metadata.tables.values()
            for index in table.indexes
            if index.info.get("handwritten")
        }
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_object": lambda obj, name, type_, *_: (
                    not (type_ == "index" and name in handwritten)
                ),
            },
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_no_column_can_hold_an_address_agent_or_referrer(app: Flask) -> None:
    forbidden = ("ip", "address", "user_agent", "agent", "referer", "referrer", "remote")
    with app.app_context():
        inspector = inspect(db.engine)
        for table in inspector.get_table_names():
            for column in inspector.get_columns(table):
                name = column["name"].lower()
                assert not any(word in name.split("_") for word in forbidden), (table, name)


def test_downgrade_then_upgrade_round_trips(app: Flask) -> None:
    from flask_migrate import downgrade, upgrade

    with app.app_context():
        downgrade(revision="base")
        assert "submission" not in inspect(db.engine).get_table_names()
        upgrade()
        assert "submission" in inspect(db.engine).get_table_names()


def test_stories_filed_before_the_moderation_revision_get_their_length(app: Flask) -> None:
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from intake.crypto import keyring

    story = "Une histoire de quarante-deux caractères !"
    with app.app_context():
        downgrade(revision="0001")
        blob = keyring().encrypt(story, b"submission.story")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO submission (public_id, story, credit_mode, locale, status, "
                    "version, receipt_hash, submission_key_hash, created_at, updated_at) VALUES "
                    "('p1', :story, 'anonymous', 'fr', 'received', 1, 'r', 'k', "
                    ":at, :at)"
                ),
                {"story": blob, "at": "2026-01-01 00:00:00"},
            )
        upgrade()
        with db.engine.connect() as connection:
            length = connection.execute(text("SELECT story_length FROM submission")).scalar()
    assert length == len(story) == 42


def test_handwritten_queue_index_exists_after_upgrade(app: Flask) -> None:
    with app.app_context():
        names = {ix["name"] for ix in inspect(db.engine).get_indexes("submission")}
    assert "ix_submission_queue_order" in names
