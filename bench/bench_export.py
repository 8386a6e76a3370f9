"""Exporting approved stories in every format: speed and peak memory against a bare read.

Run from the project root:

    .venv/bin/python bench/bench_export.py [--stories N] [--database-url URL]

Without --database-url the run uses a temporary SQLite file, deleted at the end. With a
PostgreSQL URL it writes to that database, inside a schema of its own (bench_<random>) that it
creates first and drops at the end. Memory is read from /proc/self/status (Linux). Story text
is never printed.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import hashlib
import itertools
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from bench_queue import refresh_statistics
from bench_submit import (
    BenchFailure,
    bench_parser,
    check_bench_args,
    french_text,
    migrated_app,
)
from flask import Flask
from sqlalchemy import (
    Boolean,
    Engine,
    Integer,
    LargeBinary,
    String,
    Text,
    column,
    insert,
    select,
    table,
)

from intake import codes
from intake.crypto import Keyring
from intake.exports.formats import DOCX_MAX_STORIES, write_export
from intake.exports.selection import ExportFilters, StoryRecord, count_stories, iter_stories
from intake.extensions import db
from intake.models import CreditMode, Purpose, SubmissionStatus, utcnow
from intake.models.types import UTCDateTime

DEFAULT_STORIES = 100_000
BATCH_ROWS = 5_000
STORY_BYTES = 5_000
DISTINCT_TEXTS = 8
STREAMED = ("csv", "jsonl", "md", "wxr")
# The bound on the peak RSS growth of a streamed export.
LIMIT_MB = 50.0
SAMPLE_SECONDS = 0.02
READ_BATCH = 500
SPAN = timedelta(days=730)
# The contexts the columns bind into each ciphertext.
PUBLISHABLE_CONTEXT = b"submission.publishable"
STORY_CONTEXT = b"submission.story"
CREDIT_CONTEXT = b"submission.credit_name"
CREDIT_NAMES = {
    CreditMode.ANONYMOUS: None,
    CreditMode.FIRST_NAME: "Camille",
    CreditMode.PSEUDONYM: "Maman Courage",
    CreditMode.FULL_NAME: "Camille Durand",
}
WORDING_TEXT = "J'accepte que mon témoignage soit publié sur le site (banc d'essai)."
# The tables as the bulk fill writes them: encrypted columns go in as ciphertext bytes.
SUBMISSION_ROWS = table(
    "submission",
    column("id", Integer),
    column("public_id", String),
    column("call_id", Integer),
    column("story", LargeBinary),
    column("publishable_text", LargeBinary),
    column("credit_mode", String),
    column("credit_name", LargeBinary),
    column("locale", String),
    column("status", String),
    column("story_length", Integer),
    column("urgency", Integer),
    column("version", Integer),
    column("receipt_hash", String),
    column("submission_key_hash", String),
    column("created_at", UTCDateTime()),
    column("updated_at", UTCDateTime()),
)
CONSENT_ROWS = table(
    "consent",
    column("submission_id", Integer),
    column("purpose", String),
    column("granted", Boolean),
    column("decided_at", UTCDateTime()),
    column("wording_hash", String),
)
WORDING_ROWS = table(
    "consent_wording",
    column("hash", String),
    column("locale", String),
    column("text", Text),
    column("first_shown_at", UTCDateTime()),
)


@dataclass(frozen=True)
class Fixtures:
    """Ciphertexts made once and shared by every row, and the consent wording's hash."""

    publishable: list[bytes]
    stories: list[bytes]
    story_length: int
    credits: dict[CreditMode, bytes | None]
    wording_hash: str
    origin: datetime


@dataclass(frozen=True)
class Result:
    """One timed run: stories written, seconds, RSS before and its peak growth, in MB."""

    name: str
    stories: int
    seconds: float
    rss_before: float
    growth: float


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = bench_parser(__doc__.splitlines()[0], "stories to export", DEFAULT_STORIES)
    args = parser.parse_args(argv)
    check_bench_args(parser, args)
    return args


def make_fixtures(app: Flask) -> Fixtures:
    """A few texts and credit names encrypted once, and one consent wording in the database."""
    ring: Keyring = app.extensions["intake.keyring"]
    texts = [french_text(seed, STORY_BYTES) for seed in range(DISTINCT_TEXTS)]
    wording_hash = hashlib.sha256(WORDING_TEXT.encode()).hexdigest()
    with app.app_context(), db.engine.begin() as connection:
        row = {"hash": wording_hash, "locale": "fr", "text": WORDING_TEXT}
        connection.execute(insert(WORDING_ROWS), {**row, "first_shown_at": utcnow()})
    return Fixtures(
        publishable=[ring.encrypt(t, PUBLISHABLE_CONTEXT) for t in texts],
        stories=[ring.encrypt(t, STORY_CONTEXT) for t in texts],
        story_length=max(len(t) for t in texts),
        credits={
            mode: None if name is None else ring.encrypt(name, CREDIT_CONTEXT)
            for mode, name in CREDIT_NAMES.items()
        },
        wording_hash=wording_hash,
        origin=utcnow() - SPAN,
    )


def fill(app: Flask, count: int, fixtures: Fixtures) -> float:
    """Insert count approved stories and their consents in committed batches; the seconds."""
    start = time.perf_counter()
    with app.app_context():
        engine = db.engine
        for first in range(1, count + 1, BATCH_ROWS):
            numbers = range(first, min(first + BATCH_ROWS, count + 1))
            stories = [_submission(n, count, fixtures) for n in numbers]
            consents = [
                _consent(n, fixtures, stories[i]["created_at"]) for i, n in enumerate(numbers)
            ]
            with engine.begin() as connection:
                connection.execute(insert(SUBMISSION_ROWS), stories)
                connection.execute(insert(CONSENT_ROWS), consents)
        refresh_statistics(engine)
    return time.perf_counter() - start


def _submission(number: int, count: int, fixtures: Fixtures) -> dict[str, Any]:
    """Approved story number ``number`` (its id), filed in time order over SPAN."""
    modes = list(CreditMode)
    mode = modes[number % len(modes)]
    text = number % len(fixtures.publishable)
    created = fixtures.origin + SPAN * (number / (count + 1))
    return {
        "id": number,
        "public_id": codes.new_public_id(),
        "call_id": None,
        "story": fixtures.stories[text],
        "publishable_text": fixtures.publishable[text],
        "credit_mode": mode.value,
        "credit_name": fixtures.credits[mode],
        "locale": "fr",
        "status": SubmissionStatus.APPROVED.value,
        "story_length": fixtures.story_length,
        "urgency": 0,
        "version": 1,
        "receipt_hash": hashlib.sha256(f"receipt:{number}".encode()).hexdigest(),
        "submission_key_hash": hashlib.sha256(f"key:{number}".encode()).hexdigest(),
        "created_at": created,
        "updated_at": created,
    }


def _consent(number: int, fixtures: Fixtures, when: datetime) -> dict[str, Any]:
    """The granted site-publication consent of story ``number``."""
    return {
        "submission_id": number,
        "purpose": Purpose.PUBLISH_SITE.value,
        "granted": True,
        "decided_at": when,
        "wording_hash": fixtures.wording_hash,
    }


def rss_mb() -> float:
    """The process's current resident set size (VmRSS), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise BenchFailure("no VmRSS line in /proc/self/status")


@contextlib.contextmanager
def peak_rss() -> Iterator[list[float]]:
    """Sample VmRSS every SAMPLE_SECONDS while the block runs; the samples, in MB."""
    samples = [rss_mb()]
    done = threading.Event()

    def sample() -> None:
        """Read VmRSS until the block ends."""
        while not done.wait(SAMPLE_SECONDS):
            samples.append(rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield samples
    finally:
        done.set()
        sampler.join()
        samples.append(rss_mb())


def release_free_memory() -> None:
    """Collect garbage and hand freed heap back to the system, so runs start alike."""
    gc.collect()
    # Not glibc: what an earlier run freed may still count in "RSS before".
    with contextlib.suppress(AttributeError, OSError):
        ctypes.CDLL(None).malloc_trim(0)


def measured(name: str, action: Callable[[], int]) -> Result:
    """Run an action that returns its story count; its time, RSS before and peak growth."""
    release_free_memory()
    before = rss_mb()
    with peak_rss() as samples:
        start = time.perf_counter()
        stories = action()
        seconds = time.perf_counter() - start
    return Result(name, stories, seconds, before, max(samples) - before)


def bare_read(engine: Engine) -> int:
    """Read every approved row's id and publishable ciphertext, batch by batch; the rows."""
    query = select(SUBMISSION_ROWS.c.id, SUBMISSION_ROWS.c.publishable_text).where(
        SUBMISSION_ROWS.c.status == SubmissionStatus.APPROVED.value
    )
    rows = 0
    with engine.connect() as connection:
        result = connection.execution_options(yield_per=READ_BATCH).execute(query)
        for _ in result:
            rows += 1
    return rows


def export_to_file(fmt: str, records: Iterable[StoryRecord], path: Path) -> int:
    """Write the records to a file in one format; the stories written."""
    with path.open("wb") as out:
        return write_export(fmt, records, out)


def export_all(fmt: str, path: Path) -> int:
    """Every matching story to a file in one format; the stories written."""
    return export_to_file(fmt, iter_stories(ExportFilters()), path)


def export_docx(path: Path) -> int:
    """A Word document of the first DOCX_MAX_STORIES stories; the stories written."""
    stories = itertools.islice(iter_stories(ExportFilters()), DOCX_MAX_STORIES)
    return export_to_file("docx", stories, path)


def run_exports(app: Flask, folder: Path) -> list[Result]:
    """The reference read, each streamed format over every story, then Word at the cap."""
    results: list[Result] = []
    with app.app_context():
        results.append(measured("reference: bare read", lambda: bare_read(db.engine)))
        for fmt in STREAMED:
            path = folder / f"export.{fmt}"
            results.append(measured(fmt, partial(export_all, fmt, path)))
            db.session.remove()
            path.unlink()
        results.append(measured("docx (at the cap)", lambda: export_docx(folder / "export.docx")))
        db.session.remove()
    return results


def check_counts(results: Sequence[Result], expected: int) -> list[str]:
    """A message per run that wrote fewer (or more) stories than it should have."""
    problems = []
    for result in results:
        wanted = min(expected, DOCX_MAX_STORIES) if result.name.startswith("docx") else expected
        if result.stories != wanted:
            problems.append(f"{result.name}: {result.stories} stories written, {wanted} expected")
    return problems


def format_table(results: Sequence[Result]) -> str:
    """The results as aligned columns; ratio = time per story over the reference's."""
    reference = results[0].seconds / results[0].stories
    header = ("format", "stories", "seconds", "stories/s", "ratio", "RSS before MB", "peak +MB")
    rows = [header, *(_row(r, reference) for r in results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    )


def _row(result: Result, reference: float) -> tuple[str, ...]:
    """One line of the table."""
    per_story = result.seconds / max(result.stories, 1)
    return (
        result.name,
        str(result.stories),
        f"{result.seconds:.2f}",
        f"{result.stories / result.seconds:.0f}",
        f"{per_story / reference:.2f}",
        f"{result.rss_before:.1f}",
        f"{result.growth:.1f}",
    )


def verdicts(results: Sequence[Result]) -> tuple[list[str], bool]:
    """A line per streamed format on the 50 MB bound; whether every one stayed under it."""
    lines, ok = [], True
    for result in results:
        if result.name not in STREAMED:
            continue
        under = result.growth < LIMIT_MB
        ok = ok and under
        verdict = "under" if under else "NOT under"
        lines.append(
            f"{result.name}: peak growth {result.growth:.1f} MB, {verdict} {LIMIT_MB:.0f} MB"
        )
    return lines, ok


def run(app: Flask, args: argparse.Namespace, described: str) -> int:
    """Fill, export, print; the exit status."""
    fill_seconds = fill(app, args.stories, make_fixtures(app))
    with app.app_context():
        matching = count_stories(ExportFilters())
    if matching != args.stories:
        raise BenchFailure(
            f"stories matching the export: expected {args.stories}, found {matching}"
        )
    with tempfile.TemporaryDirectory(prefix="intake-bench-export-") as folder:
        results = run_exports(app, Path(folder))
    print(f"database: {described}")
    print(
        f"{args.stories} approved stories of about {STORY_BYTES} bytes inserted and analysed "
        f"in {fill_seconds:.1f} s; Word capped at {DOCX_MAX_STORIES} stories"
    )
    print(format_table(results))
    lines, ok = verdicts(results)
    print("\n".join(lines))
    problems = check_counts(results, args.stories)
    for problem in problems:
        print(f"bench_export: {problem}", file=sys.stderr)
    return 0 if ok and not problems else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Set up the database, run the exports, print the table; non-zero when a check failed."""
    args = parse_args(argv)
    with migrated_app(args.database_url) as (app, described):
        try:
            return run(app, args, described)
        except BenchFailure as failure:
            print(f"bench_export: {failure}", file=sys.stderr)
            return 1
        finally:
            with app.app_context():
                db.engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
