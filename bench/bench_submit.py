"""Filing a testimony, timed against a plain INSERT of the same text in the same run.

Run from the project root:

    .venv/bin/python bench/bench_submit.py [--stories N] [--database-url URL]

Without --database-url the run uses a temporary SQLite file, deleted at the end. With a
PostgreSQL URL it writes to that database, inside a schema of its own (bench_<random>) that it
creates first and drops at the end.
"""

from __future__ import annotations

import argparse
import base64
import random
import resource
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# `tests` is not installed with the package: import its form helpers from this checkout.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import (
    Column,
    Engine,
    MetaData,
    Table,
    Text,
    create_engine,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.engine import make_url

from intake import create_app
from intake.codes import new_submission_key
from intake.config import database_url
from intake.consent import DEFAULT_MIN_AGE, asked_purposes, wording
from intake.crypto import Keyring
from intake.extensions import db
from intake.models import CreditMode, Purpose, Submission, utcnow
from intake.testimonies import TestimonyDraft, submit_testimony
from tests.helpers import filled_testimony, hidden_fields

DEFAULT_STORIES = 300
STORY_BYTES = 5_000
# Signs this run's sessions and form tokens only; the data key is random per run.
BENCH_SECRET_KEY = "bench-secret-key-not-for-production"  # noqa: S105
# The context the submission.story column binds into each ciphertext.
STORY_CONTEXT = b"submission.story"
# The reference: a throwaway table with one TEXT column, created and dropped by the run.
REFERENCE = Table("bench_reference", MetaData(), Column("story", Text))
FORM_URL = "/temoigner"
SENTENCES = (
    "Quand ma fille est née, je vivais déjà avec un trouble bipolaire depuis dix ans.",
    "J'avais peur de ne pas être à la hauteur, et j'ai appris à demander de l'aide.",
    "Les premiers mois ont été les plus difficiles : je dormais peu, et mon humeur changeait vite.",
    "Mon compagnon a pris le relais la nuit, pour que je garde un rythme de sommeil régulier.",
    "À la crèche, personne ne savait rien, et c'était très bien ainsi.",
    "Ma psychiatre m'a aidée à adapter mon traitement pendant la grossesse, puis après.",
    "Il y a eu des jours sans, où je restais au lit en culpabilisant de ne pas jouer avec elle.",
    "Aujourd'hui elle a sept ans, elle pose des questions, et je lui réponds simplement.",
    "Je lui explique que maman a une maladie qui se soigne, comme d'autres ont de l'asthme.",
    "Le regard des autres parents à l'école m'a longtemps pesé, moins qu'avant désormais.",
    "Un groupe de parole m'a permis de rencontrer d'autres mères dans la même situation.",
    "Nous avons écrit ensemble un plan de crise, que ma sœur garde dans son téléphone.",
    "Être parent avec un trouble psychique, c'est aussi apprendre à se pardonner.",
    "Je voudrais que d'autres lisent ceci et se sentent un peu moins seuls.",
    "Les soignants ne parlent pas assez de la parentalité avec leurs patients, à mon avis.",
    "Le soir, nous lisons une histoire, et ce moment-là, rien ne peut nous l'enlever.",
)


class BenchFailure(RuntimeError):
    """The benchmark measured something other than successful submissions."""


@dataclass(frozen=True)
class Timing:
    """How long one operation took over every story."""

    operation: str
    stories: int
    seconds: float


def bench_parser(description: str, stories_help: str, default: int) -> argparse.ArgumentParser:
    """The options every benchmark takes: how many stories, and which database."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--stories", type=int, default=default, help=stories_help)
    parser.add_argument(
        "--database-url",
        help="PostgreSQL URL, used in a bench_<random> schema (default: a temporary SQLite file)",
    )
    return parser


def check_bench_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse what no benchmark can run with."""
    if args.stories < 1:
        parser.error("--stories must be at least 1")
    if args.database_url and not args.database_url.startswith(("postgres://", "postgresql")):
        parser.error("--database-url must be a PostgreSQL URL (SQLite uses a temporary file)")


@contextmanager
def migrated_app(database_url: str | None) -> Iterator[tuple[Flask, str]]:
    """A migrated application on the benchmark's database, and how to describe that database."""
    with (
        bench_database(database_url) as (url, described),
        tempfile.TemporaryDirectory(prefix="intake-bench-instance-") as instance,
    ):
        app = build_app(Path(instance), url)
        migrate_to_head(app)
        try:
            yield app, described
        finally:
            with app.app_context():
                db.engine.dispose()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = bench_parser(__doc__.splitlines()[0], "stories per step", DEFAULT_STORIES)
    args = parser.parse_args(argv)
    check_bench_args(parser, args)
    return args


def french_text(seed: int, size: int = STORY_BYTES) -> str:
    """About ``size`` bytes of French text: paragraphs of sentences drawn at random."""
    rng = random.Random(seed)
    paragraphs: list[str] = []
    while len("\n\n".join(paragraphs).encode()) < size:
        paragraphs.append(" ".join(rng.sample(SENTENCES, k=4)))
    return "\n\n".join(paragraphs)


def make_stories(count: int, seed: int = 2026) -> list[str]:
    """About STORY_BYTES of French text per story, no two alike."""
    rng = random.Random(seed)
    return [_story(rng, number) for number in range(count)]


def _story(rng: random.Random, number: int) -> str:
    """One story: numbered, then paragraphs of sentences drawn at random."""
    paragraphs = [f"Histoire n° {number}."]
    size = len(paragraphs[0].encode())
    while size < STORY_BYTES:
        paragraph = " ".join(rng.sample(SENTENCES, k=4))
        paragraphs.append(paragraph)
        size += len(paragraph.encode()) + 2
    return "\n\n".join(paragraphs)


@contextmanager
def bench_database(url: str | None) -> Iterator[tuple[str, str]]:
    """A database URL to run on and its description; whatever is created is removed after."""
    if url is None:
        with tempfile.TemporaryDirectory(prefix="intake-bench-db-") as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}", "SQLite, temporary file"
        return
    schema = f"bench_{secrets.token_hex(4)}"
    admin = create_engine(database_url(url, ""))
    try:
        _execute(admin, f'CREATE SCHEMA "{schema}"')
        shown = make_url(database_url(url, "")).render_as_string(hide_password=True)
        yield with_search_path(url, schema), f"PostgreSQL {shown}, schema {schema} (dropped)"
    finally:
        _execute(admin, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


def with_search_path(url: str, schema: str) -> str:
    """The PostgreSQL URL with every connection's search_path set to one schema."""
    parsed = make_url(database_url(url, ""))
    extra = parsed.query.get("options")
    options = f"{extra} -csearch_path={schema}" if extra else f"-csearch_path={schema}"
    return parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)


def _execute(engine: Engine, statement: str) -> None:
    """Run one statement in its own committed transaction."""
    with engine.begin() as connection:
        connection.execute(text(statement))


def build_app(instance: Path, url: str) -> Flask:
    """The application on the benchmark database, with forms accepted at once."""
    environ = {
        "INTAKE_ENV": "development",
        "INTAKE_INSTANCE_PATH": str(instance),
        "SECRET_KEY": BENCH_SECRET_KEY,
        "DATA_ENCRYPTION_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "DATABASE_URL": url,
    }
    return create_app({"MIN_FILL_SECONDS": 0, "RATELIMIT_ENABLED": False}, environ=environ)


def migrate_to_head(app: Flask) -> None:
    """Apply every migration to the empty database, as tests/conftest.py does."""
    with app.app_context():
        upgrade()
        db.engine.dispose()


def time_per_story(
    operation: str, stories: Sequence[str], action: Callable[[str], object]
) -> Timing:
    """Run an action once per story and time the whole loop."""
    start = time.perf_counter()
    for story in stories:
        action(story)
    return Timing(operation, len(stories), time.perf_counter() - start)


def bench_reference(app: Flask, stories: Sequence[str]) -> Timing:
    """Plain INSERTs of the text into a one-column table, one committed transaction each."""
    with app.app_context():
        engine = db.engine
        REFERENCE.create(engine)
        try:
            timing = time_per_story(
                "reference: INSERT + commit", stories, lambda story: _insert_text(engine, story)
            )
            _expect("reference rows", _count_rows(engine), len(stories))
        finally:
            REFERENCE.drop(engine)
    return timing


def _insert_text(engine: Engine, story: str) -> None:
    """One INSERT, committed (BEGIN IMMEDIATE, WAL and fsync apply on SQLite)."""
    with engine.begin() as connection:
        connection.execute(insert(REFERENCE), {"story": story})


def _count_rows(engine: Engine) -> int:
    """Rows in the reference table."""
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(REFERENCE)) or 0)


def bench_encryption(app: Flask, stories: Sequence[str]) -> Timing:
    """AES-GCM encryption of each story as the story column does it, without a database."""
    ring: Keyring = app.extensions["intake.keyring"]
    return time_per_story(
        "Keyring.encrypt only", stories, lambda story: ring.encrypt(story, STORY_CONTEXT)
    )


def bench_submit_testimony(app: Flask, stories: Sequence[str]) -> Timing:
    """submit_testimony then commit, per story: what the view does once the form is valid."""
    with app.test_request_context():
        return time_per_story("submit_testimony + commit", stories, _submit_and_commit)


def _submit_and_commit(story: str) -> None:
    """File one story as a new general testimony and commit it."""
    receipt = submit_testimony(general_draft(story), None, utcnow())
    db.session.commit()
    if not receipt.created:
        raise BenchFailure("submit_testimony returned an existing submission")


def general_draft(story: str) -> TestimonyDraft:
    """An anonymous story for the general form, with every purpose asked and granted."""
    wordings = {p: wording(p, DEFAULT_MIN_AGE) for p in general_purposes()}
    return TestimonyDraft(
        submission_key=new_submission_key(),
        story=story,
        credit_mode=CreditMode.ANONYMOUS,
        credit_name=None,
        email=None,
        locale="fr",
        consents=dict.fromkeys(wordings, True),
        wordings=wordings,
    )


def general_purposes() -> list[Purpose]:
    """The purposes the general form asks about (every publication use is offered)."""
    return asked_purposes(Purpose.publication())


def bench_http(app: Flask, stories: Sequence[str]) -> Timing:
    """The whole request path: open the form, then send it back filled in."""
    client = app.test_client()
    boxes = {purpose.value: "y" for purpose in general_purposes()}

    def send(story: str) -> None:
        """Open the form and send it back with this story and every box ticked."""
        page = client.get(FORM_URL)
        _expect(f"GET {FORM_URL} status", page.status_code, 200)
        form = hidden_fields(page.get_data(as_text=True))
        response = client.post(FORM_URL, data={**form, **filled_testimony(story=story, **boxes)})
        _expect(f"POST {FORM_URL} status", response.status_code, 303)

    return time_per_story(f"HTTP: GET + POST {FORM_URL}", stories, send)


def peak_rss_mb() -> float:
    """The process's peak resident set size so far, in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def count_submissions(app: Flask) -> int:
    """Submissions in the database."""
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Submission)) or 0)


def _expect(what: str, found: int, expected: int) -> None:
    """Stop the run when a count or status is not what a success gives."""
    if found != expected:
        raise BenchFailure(f"{what}: expected {expected}, found {found}")


def format_table(timings: Sequence[Timing]) -> str:
    """The timings as aligned plain-text columns, ratios against the first (the reference)."""
    reference = timings[0].seconds
    header = ("operation", "stories", "seconds", "stories/s", "ratio")
    rows = [header, *(_row(t, reference) for t in timings)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    )


def _row(timing: Timing, reference: float) -> tuple[str, str, str, str, str]:
    """One line of the table."""
    ratio = timing.seconds / reference
    return (
        timing.operation,
        str(timing.stories),
        f"{timing.seconds:.3f}",
        f"{timing.stories / timing.seconds:.1f}",
        f"{ratio:.2f}" if ratio >= 0.1 else f"{ratio:.4f}",
    )


def run(app: Flask, stories: Sequence[str]) -> tuple[list[Timing], float]:
    """Every step in order; the peak RSS growth of the HTTP step, in MB."""
    timings = [
        bench_reference(app, stories),
        bench_encryption(app, stories),
        bench_submit_testimony(app, stories),
    ]
    before = peak_rss_mb()
    timings.append(bench_http(app, stories))
    growth = peak_rss_mb() - before
    _expect("submissions in the database", count_submissions(app), 2 * len(stories))
    return timings, growth


def main(argv: Sequence[str] | None = None) -> int:
    """Set up the database, run the steps, print the table; non-zero when a step failed."""
    args = parse_args(argv)
    stories = make_stories(args.stories)
    with migrated_app(args.database_url) as (app, described):
        try:
            timings, growth = run(app, stories)
        except BenchFailure as failure:
            print(f"bench_submit: {failure}", file=sys.stderr)
            return 1
    average = sum(len(s.encode()) for s in stories) / len(stories)
    print(f"database: {described}; {len(stories)} stories of {average:.0f} bytes on average")
    print(format_table(timings))
    print(f"peak RSS growth during the HTTP step: {growth:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
