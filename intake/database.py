"""Engine settings that make an acknowledged story a durable one."""

from __future__ import annotations

import os
import sqlite3
from typing import Any

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import Engine, event

from intake.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 15_000
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def register_database(app: Flask) -> None:
    """Initialise the database extension and tune SQLite for durability and concurrency."""
    db.init_app(app)
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        create_private_file(engine.url.database)
        configure_sqlite(engine)


def create_private_file(database: str | None) -> None:
    """Create the SQLite database file readable by its owner only (0600), as the keys are.

    SQLite would create it with the process umask, often readable by every account on the
    server, and gives the -wal and -shm files the database file's own permissions: creating
    the file first is enough for all three. An existing file keeps the mode it has.
    """
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    try:
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except (FileExistsError, FileNotFoundError):
        # Already there, or its folder is missing, which SQLite reports when it connects.
        return


def configure_sqlite(engine: Engine) -> None:
    """WAL, fsync on commit, a busy timeout, and write locks taken when a transaction begins."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",
            f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
            "foreign_keys=ON",
            # Erased content is overwritten on disk, not merely unlinked from the b-tree.
            "secure_delete=ON",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin_statement())


def erase_traces() -> None:
    """After personal data was erased and committed, leave no copy of it on disk.

    With secure_delete the freed pages are zeroed, but under WAL the zeroed pages and the
    older frames that still hold the content wait in the -wal file until a checkpoint:
    TRUNCATE copies them into the database file and empties the log (it waits, within the
    busy timeout, for readers of older snapshots). PostgreSQL reclaims dead rows by itself
    (autovacuum); nothing here can make that immediate.
    """
    if db.engine.dialect.name != "sqlite":
        return
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        busy, _frames, _copied = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        cursor.close()
    finally:
        connection.close()
    if busy:
        current_app.logger.warning("erasure: the WAL checkpoint was blocked; it will run later")


def begin_statement() -> str:
    """How a transaction begins: reads share the database, writes take the lock up front.

    A transaction that starts reading and then writes fails at once in WAL mode when another
    writer committed meanwhile, whatever the busy timeout; IMMEDIATE makes writers queue
    instead. Public pages read with safe methods never write, so they (and /healthz) never
    wait behind writers; everything else begins IMMEDIATE: the command line, every POST, and
    the team's pages, whose reads of personal data are written to the audit trail.
    """
    if has_request_context() and request.method in SAFE_METHODS and request.blueprint == "public":
        return "BEGIN"
    return "BEGIN IMMEDIATE"
