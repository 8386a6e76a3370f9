"""The moderators' queue on a full table, timed against a primary-key walk in the same run.

Run from the project root:

    .venv/bin/python bench/bench_queue.py [--stories N] [--database-url URL]

Without --database-url the run uses a temporary SQLite file, deleted at the end. With a
PostgreSQL URL it writes to that database, inside a schema of its own (bench_<random>) that it
creates first and drops at the end. Story text is never printed.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import secrets
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bench_submit import (
    BenchFailure,
    bench_parser,
    check_bench_args,
    french_text,
    migrated_app,
)
from flask import Flask
from sqlalchemy import (
    Engine,
    Integer,
    LargeBinary,
    Select,
    String,
    column,
    event,
    func,
    insert,
    select,
    table,
)

from intake import accounts, codes, review
from intake.crypto import Keyring
from intake.extensions import db
from intake.models import (
    Call,
    CallStatus,
    CreditMode,
    Role,
    Submission,
    SubmissionStatus,
    User,
    utcnow,
)
from intake.models.types import UTCDateTime
from intake.review import QUEUE_ORDER, QUEUE_ROW_COLUMNS, QueueCursor, QueueFilters, queue_page
from intake.workflow import OPEN_STATES

DEFAULT_STORIES = 100_000
DEFAULT_DEPTH = 200
DEFAULT_REPEAT = 15
BATCH_ROWS = 5_000
STORY_BYTES = 2_000
SPAN = timedelta(days=730)
TEAM_SIZE = 5
CALL_COUNT = 3
# The context the submission.story column binds into each ciphertext.
STORY_CONTEXT = b"submission.story"
S = SubmissionStatus
# Weights: most stories have been dealt with, three in ten are still open.
STATUS_WEIGHTS = {
    S.RECEIVED: 15,
    S.IN_REVIEW: 10,
    S.AWAITING_SUBMITTER: 5,
    S.APPROVED: 35,
    S.REJECTED: 35,
}
URGENCY_WEIGHTS = {0: 90, 1: 8, 2: 2}  # 2 % urgent, 8 % of concern
# The submission table as the bulk fill writes it: the story goes in as ciphertext bytes.
SUBMISSION_ROWS = table(
    "submission",
    column("public_id", String),
    column("call_id", Integer),
    column("story", LargeBinary),
    column("credit_mode", String),
    column("locale", String),
    column("status", String),
    column("story_length", Integer),
    column("urgency", Integer),
    column("assignee_id", Integer),
    column("version", Integer),
    column("receipt_hash", String),
    column("submission_key_hash", String),
    column("created_at", UTCDateTime()),
    column("updated_at", UTCDateTime()),
)
SQLITE_EXPLAIN = "EXPLAIN QUERY PLAN"
POSTGRESQL_EXPLAIN = "EXPLAIN (ANALYZE, BUFFERS)"
# Of a plan: its first lines, then only the lines that say how rows are found and dropped.
PLAN_LINES = 8
PLAN_WORDS = ("Scan", "Filter:", "Index Cond", "Rows Removed", "Execution Time")
PLAN_WORDS_SQLITE = ("SCAN", "SEARCH", "B-TREE")
PLAN_WIDTH = 150


@dataclass(frozen=True)
class Timing:
    """The median time of one operation over the repetitions."""

    operation: str
    median: float


@dataclass(frozen=True)
class Fixtures:
    """What every row refers to: the team's account ids, the calls' ids, the ciphertext."""

    team: list[int]
    calls: list[int]
    story: bytes
    story_length: int
    origin: datetime  # when the oldest submission may have been sent


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = bench_parser(__doc__.splitlines()[0], "rows to insert", DEFAULT_STORIES)
    parser.add_argument("--depth", type=int, default=DEFAULT_DEPTH, help="pages walked")
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT, help="timed runs each")
    args = parser.parse_args(argv)
    check_bench_args(parser, args)
    if min(args.depth, args.repeat) < 1:
        parser.error("--depth and --repeat must be at least 1")
    return args


def make_fixtures(app: Flask) -> Fixtures:
    """A handful of team accounts, a few calls, and the story encrypted once."""
    story = french_text(2026, STORY_BYTES)
    ring: Keyring = app.extensions["intake.keyring"]
    with app.app_context():
        team = [_team_member(number) for number in range(TEAM_SIZE)]
        calls = [
            Call(slug=f"appel-{n}", title=f"Appel {n}", status=CallStatus.OPEN)
            for n in range(CALL_COUNT)
        ]
        db.session.add_all(calls)
        db.session.commit()
        return Fixtures(
            team=[user.id for user in team],
            calls=[call.id for call in calls],
            story=ring.encrypt(story, STORY_CONTEXT),
            story_length=len(story),
            origin=utcnow() - SPAN,
        )


def _team_member(number: int) -> User:
    """One moderator account, made the way an admin makes it."""
    return accounts.create_user(
        f"moderation{number}@bench.example",
        f"Modération {number}",
        Role.MODERATOR,
        secrets.token_urlsafe(18),
        actor="bench",
    )


def fill(app: Flask, count: int, fixtures: Fixtures) -> float:
    """Insert count submissions in committed batches, then refresh statistics; the seconds."""
    rng = random.Random(count)
    start = time.perf_counter()
    with app.app_context():
        engine = db.engine
        for first in range(0, count, BATCH_ROWS):
            rows = [
                _row(rng, n, count, fixtures) for n in range(first, min(first + BATCH_ROWS, count))
            ]
            with engine.begin() as connection:
                connection.execute(insert(SUBMISSION_ROWS), rows)
        refresh_statistics(engine)
    return time.perf_counter() - start


def _row(rng: random.Random, number: int, count: int, fixtures: Fixtures) -> dict[str, Any]:
    """Submission number ``number`` of ``count``, filed in time order over SPAN."""
    status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
    received = status == S.RECEIVED
    created = fixtures.origin + SPAN * ((number + rng.random()) / count)
    return {
        "public_id": codes.new_public_id(),
        "call_id": rng.choice([None, *fixtures.calls]),
        "story": fixtures.story,
        "credit_mode": CreditMode.ANONYMOUS.value,
        "locale": "fr",
        "status": status.value,
        "story_length": fixtures.story_length,
        "urgency": rng.choices(list(URGENCY_WEIGHTS), weights=list(URGENCY_WEIGHTS.values()))[0],
        "assignee_id": None if received else rng.choice(fixtures.team),
        "version": 1,
        "receipt_hash": hashlib.sha256(f"receipt:{number}".encode()).hexdigest(),
        "submission_key_hash": hashlib.sha256(f"key:{number}".encode()).hexdigest(),
        "created_at": created,
        "updated_at": created,
    }


def refresh_statistics(engine: Engine) -> None:
    """ANALYZE, as a table that has been in use would have been (VACUUM too on PostgreSQL)."""
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM (ANALYZE) submission, call, user_account")


def median_time(operation: str, action: Callable[[], object], repeat: int) -> Timing:
    """Run an action once to warm up, then ``repeat`` times; the median, in seconds."""
    action()
    samples = []
    for _ in range(repeat):
        db.session.expunge_all()
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    db.session.rollback()
    return Timing(operation, statistics.median(samples))


def reference_page() -> list[int]:
    """The fastest possible page: fifty ids in primary-key order."""
    query = select(Submission.id).order_by(Submission.id).limit(review.PAGE_SIZE)
    return list(db.session.scalars(query))


def first_page() -> review.QueuePage:
    """The queue as a moderator opens it: open states, every call and assignee."""
    page = queue_page(QueueFilters())
    _expect("rows on the first page", len(page.rows), review.PAGE_SIZE)
    return page


def walk(depth: int) -> str:
    """Follow the queue's cursors ``depth`` pages deep; the cursor of the page after."""
    cursor: str | None = None
    seen: set[int] = set()
    for number in range(depth):
        page = queue_page(QueueFilters(), QueueCursor.decode(cursor) if cursor else None)
        seen.update(row.id for row in page.rows)
        if page.next_cursor is None:
            raise BenchFailure(f"the queue ends at page {number + 1}: raise --stories")
        cursor = page.next_cursor
        db.session.expunge_all()
    assert cursor is not None
    _expect("distinct rows walked", len(seen), depth * review.PAGE_SIZE)
    db.session.rollback()
    return cursor


def page_after(cursor: str) -> review.QueuePage:
    """The queue page a link with this cursor shows, as the view decodes and fetches it."""
    page = queue_page(QueueFilters(), QueueCursor.decode(cursor))
    _expect("rows on a page", len(page.rows), review.PAGE_SIZE)
    return page


def offset_query(offset: int) -> Select[*tuple[Any, ...]]:
    """The same page as the keyset one, the naive way: skip ``offset`` rows."""
    return (
        select(*QUEUE_ROW_COLUMNS)
        .where(Submission.status.in_(sorted(OPEN_STATES)))
        .order_by(*QUEUE_ORDER)
        .offset(offset)
        .limit(review.PAGE_SIZE)
    )


def offset_page(offset: int) -> list[int]:
    """The ids of the OFFSET page, in order."""
    return [row.id for row in db.session.execute(offset_query(offset))]


def check_same_page(cursor: str, offset: int) -> None:
    """Keyset and OFFSET must find the same rows, or the comparison means nothing."""
    keyset_ids = [row.id for row in page_after(cursor).rows]
    _expect("rows found alike by keyset and by OFFSET", int(keyset_ids == offset_page(offset)), 1)
    db.session.rollback()


def measure(depth: int, repeat: int, deep: str) -> list[Timing]:
    """Every timed operation in order, the reference first."""
    offset = depth * review.PAGE_SIZE
    second = walk(1)
    check_same_page(deep, offset)
    page = f"queue page {depth + 1}"
    return [
        median_time(f"reference: {review.PAGE_SIZE} ids by primary key", reference_page, repeat),
        median_time("queue page 1 (queue_page, eager loads)", first_page, repeat),
        median_time("queue page 2, keyset cursor", lambda: page_after(second), repeat),
        median_time(f"{page}, keyset cursor", lambda: page_after(deep), repeat),
        median_time(f"{page}, OFFSET {offset} (Core)", lambda: offset_page(offset), repeat),
        median_time("status counts (GROUP BY)", review.status_counts, repeat),
    ]


@contextmanager
def captured(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The statements and parameters sent to the database while the block runs."""
    sent: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *rest: Any) -> None:
        """Keep one statement as the driver receives it."""
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def plan_of(action: Callable[[], object]) -> list[str]:
    """The database's plan for the query the action sends, exactly as the driver sent it."""
    engine = db.engine
    with captured(engine) as sent:
        action()
    statement, parameters = next(
        (s, p) for s, p in sent if s.lstrip().upper().startswith("SELECT") and "submission" in s
    )
    connection = db.session.connection()
    if engine.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(f"{SQLITE_EXPLAIN} {statement}", parameters)
        lines = [str(row[3]) for row in rows]
    else:
        rows = connection.exec_driver_sql(f"{POSTGRESQL_EXPLAIN} {statement}", parameters)
        lines = [str(row[0]) for row in rows]
    db.session.rollback()
    return lines


def print_plan(title: str, lines: Sequence[str]) -> None:
    """Whether the plan walks the queue's index or sorts; its first lines and its scans."""
    uses = "uses" if any("ix_submission_queue" in line for line in lines) else "does NOT use"
    sorts = any(line.lstrip("-> ").startswith(("Sort", "USE TEMP B-TREE")) for line in lines)
    order = "sorts the rows it found" if sorts else "reads rows in the queue's order"
    print(f"\n{title}: {uses} ix_submission_queue, {order}")
    shown = [
        line
        for number, line in enumerate(lines)
        if number < PLAN_LINES or any(word in line for word in (*PLAN_WORDS, *PLAN_WORDS_SQLITE))
    ]
    for line in shown:
        cut = f"{line[:PLAN_WIDTH]}…" if len(line) > PLAN_WIDTH else line
        print(f"    {cut}")
    if len(shown) < len(lines):
        print(f"    ({len(lines) - len(shown)} more lines not shown)")


def count_submissions() -> int:
    """Submissions in the database."""
    return int(db.session.scalar(select(func.count()).select_from(Submission)) or 0)


def open_submissions() -> int:
    """Submissions in an open state: what the default queue walks."""
    query = select(func.count()).where(Submission.status.in_(sorted(OPEN_STATES)))
    return int(db.session.scalar(query) or 0)


def _expect(what: str, found: int, expected: int) -> None:
    """Stop the run when a count is not what a success gives."""
    if found != expected:
        raise BenchFailure(f"{what}: expected {expected}, found {found}")


def format_table(timings: Sequence[Timing]) -> str:
    """Operation, median ms and ratio against the first timing (the reference)."""
    reference = timings[0].median
    header = ("operation", "median ms", "ratio")
    rows = [
        header,
        *((t.operation, f"{t.median * 1000:.3f}", _ratio(t, reference)) for t in timings),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    )


def _ratio(timing: Timing, reference: float) -> str:
    """A timing's ratio to the reference, two decimals."""
    return f"{timing.median / reference:.2f}"


def run(app: Flask, args: argparse.Namespace, described: str) -> None:
    """Fill, measure and print; BenchFailure when a count is wrong."""
    fill_seconds = fill(app, args.stories, make_fixtures(app))
    with app.app_context():
        deep = walk(args.depth)
        timings = measure(args.depth, args.repeat, deep)
        plans = {
            "queue page 1": plan_of(first_page),
            f"queue page {args.depth + 1} (keyset)": plan_of(lambda: page_after(deep)),
        }
        open_count = open_submissions()
        _expect("submissions in the database", count_submissions(), args.stories)
        explain = SQLITE_EXPLAIN if db.engine.dialect.name == "sqlite" else POSTGRESQL_EXPLAIN
        db.session.remove()
    print(f"database: {described}")
    print(
        f"{args.stories} submissions ({open_count} open) inserted and analysed in "
        f"{fill_seconds:.1f} s; median of {args.repeat} runs, inside one open transaction"
    )
    print(format_table(timings))
    for name, lines in plans.items():
        print_plan(f"{explain} of {name}", lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Set up the database, run the steps, print the table; non-zero when a check failed."""
    args = parse_args(argv)
    with migrated_app(args.database_url) as (app, described):
        try:
            run(app, args, described)
        except BenchFailure as failure:
            print(f"bench_queue: {failure}", file=sys.stderr)
            return 1
        finally:
            with app.app_context():
                db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
