"""A real gunicorn server, started as ``make run`` does: many people at once, nothing personal
on disk in clear or in the logs."""

from __future__ import annotations

import http.cookiejar
import os
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from intake import codes
from tests.conftest import build_app
from tests.helpers import (
    STORY,
    filled_contact,
    filled_testimony,
    hidden_fields,
    iter_bytes,
    receipt_code,
)
from tests.server import Server, database_scalar, read_log, running_server

pytestmark = pytest.mark.server

REQUEST_TIMEOUT_SECONDS = 30.0
PEOPLE, STORIES_EACH = 8, 25
FRENCH_PADDING = (
    " et puis la maison, le jardin, les enfants, le travail, la fatigue, "
    "les amis, la famille, le printemps revenu."
)


# --- a person with a browser ----------------------------------------------------------------


@dataclass
class Page:
    """What a browser ends up showing after a request (redirects followed)."""

    status: int
    url: str
    body: str


@dataclass
class Person:
    """One visitor with their own cookie jar, hence their own session."""

    base_url: str
    statuses: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    # base_url is always http://127.0.0.1:<port>, so no file: or custom scheme can get in.
    def get(self, path: str) -> Page:
        return self._open(urllib.request.Request(self.base_url + path))  # noqa: S310

    def post(self, path: str, fields: dict[str, Any]) -> Page:
        body = urllib.parse.urlencode(fields, doseq=True).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self._open(urllib.request.Request(self.base_url + path, body, headers))  # noqa: S310

    def send_form(self, path: str, fields: dict[str, Any]) -> Page:
        """Open a form, then send it back with its hidden fields, as a browser does."""
        form = self.get(path)
        assert form.status == 200, form.status
        return self.post(path, {**hidden_fields(form.body), **fields})

    def send_testimony(self, **fields: Any) -> str:
        """Send a story and return the follow-up code the thank-you page shows."""
        page = self.send_form("/temoigner", filled_testimony(**fields))
        assert (page.status, page.url.endswith("/merci")) == (200, True), (page.status, page.url)
        code = receipt_code(page.body)
        assert code, "the thank-you page shows no follow-up code"
        return code

    def send_contact(self, **fields: Any) -> None:
        """Send a message through the contact form."""
        page = self.send_form("/contact", filled_contact(**fields))
        assert (page.status, page.url.endswith("/contact/merci")) == (200, True), page.url

    def _open(self, request: urllib.request.Request) -> Page:
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
                page = Page(response.status, response.url, response.read().decode())
        except urllib.error.HTTPError as error:
            page = Page(error.code, error.url, error.read().decode(errors="replace"))
        self.statuses.append(page.status)
        return page


# --- reading what the server left behind ----------------------------------------------------


def checkpoint(database: Path) -> None:
    """Copy the write-ahead log into the main database file."""
    connection = sqlite3.connect(database, timeout=15)
    try:
        busy, _, _ = connection.execute("PRAGMA wal_checkpoint(FULL)").fetchone()
        assert busy == 0, "the checkpoint could not complete"
    finally:
        connection.close()


def database_bytes(database: Path) -> bytes:
    """The raw bytes of the database, its WAL, journal and shared-memory index."""
    shm = Path(f"{database}-shm")
    return b"".join([*iter_bytes(database), shm.read_bytes() if shm.exists() else b""])


def found_in(needles: Iterable[str], haystack: bytes) -> list[str]:
    """The needles whose UTF-8 bytes occur in the haystack."""
    return [n for n in needles if n.encode() in haystack]


def canary(label: str, random_chars: int = 32) -> str:
    """A marker nobody else could have typed."""
    return label + uuid.uuid4().hex[:random_chars]


def canary_email() -> str:
    """An e-mail address nobody else could have typed, in mixed case as people type them."""
    return f"{canary('Canary-')}@Example.ORG"


def receipt_hash(code: str, tmp_path: Path) -> str:
    """The keyed hash the application stores for a follow-up code, with the test key."""
    app = build_app(tmp_path / "hashing-instance", "sqlite://")
    with app.app_context():
        digest = codes.hash_code(code)
    assert digest is not None
    return digest


def as_stored(email: str) -> list[str]:
    """An address as typed, lower-cased, and its local part (the domain is not personal)."""
    return [email, email.lower(), email.split("@")[0], email.split("@")[0].lower()]


def stderr_problems(server: Server) -> list[str]:
    """Signs of a failure in the server's error log."""
    log = read_log(server.stderr)
    return [sign for sign in ("Traceback", "database is locked") if sign in log]


# --- many people at once --------------------------------------------------------------------


def send_many_stories(base_url: str, person: int) -> tuple[list[str], list[int]]:
    """One person sends 25 different stories, each from a freshly opened form."""
    visitor = Person(base_url)
    shown = [
        visitor.send_testimony(story=f"Histoire {person:02d}-{index:02d}. {STORY}")
        for index in range(STORIES_EACH)
    ]
    return shown, visitor.statuses


def test_eight_people_sending_25_stories_each_store_exactly_200(server: Server) -> None:
    with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
        results = list(pool.map(send_many_stories, [server.url] * PEOPLE, range(PEOPLE)))
    shown = [code for person_codes, _ in results for code in person_codes]
    statuses = [status for _, person_statuses in results for status in person_statuses]

    assert set(statuses) == {200}, sorted(set(statuses))
    assert len(statuses) == 2 * PEOPLE * STORIES_EACH
    assert len(shown) == len(set(shown)) == 200
    assert database_scalar(server.database, "SELECT count(*) FROM submission") == 200
    distinct = "SELECT count(DISTINCT receipt_hash) FROM submission"
    assert database_scalar(server.database, distinct) == 200

    server.stop()
    assert stderr_problems(server) == [], server.logs()


# --- nothing personal on disk or in the logs ------------------------------------------------


def test_canary_story_name_and_email_never_reach_the_database_file_wal_or_logs(
    server: Server, tmp_path: Path
) -> None:
    story, name, email = canary("CANARY-STORY-"), canary("CanaryName", 8), canary_email()
    contact_name, contact_email = canary("CanaryContact", 8), canary_email()
    message = canary("CANARY-MESSAGE-")
    personal = [story, name, contact_name, message]
    personal += [text for address in (email, contact_email) for text in as_stored(address)]

    code = Person(server.url).send_testimony(
        story=story + FRENCH_PADDING,
        credit_mode="full_name",
        credit_name=name,
        email=email,
        contact="y",
    )
    Person(server.url).send_contact(
        name=contact_name, email=contact_email, message=message + FRENCH_PADDING
    )
    stored_hash = receipt_hash(code, tmp_path)

    # While the server runs: recent rows may live only in the write-ahead log.
    written = database_bytes(server.database)
    assert found_in(personal, written) == []
    assert found_in([code, code.replace("-", "")], written) == []
    # Positive control: the keyed hash of that code is there, so the scan does see the rows.
    assert found_in([stored_hash], written) == [stored_hash]

    checkpoint(server.database)
    main_file = server.database.read_bytes()
    assert found_in(["full_name", stored_hash], main_file) == ["full_name", stored_hash]
    assert found_in(personal, main_file) == []

    server.stop()  # flushes the last access-log lines
    assert found_in([*personal, code], server.logs().encode()) == []


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask of most servers (022): files are readable by every account unless made private."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.mark.usefixtures("usual_umask")
def test_database_file_and_its_write_ahead_log_are_readable_by_the_operator_only(
    tmp_path: Path,
) -> None:
    # `flask db upgrade` creates the file, as the README has the operator do, then gunicorn serves.
    with running_server(tmp_path) as server:
        Person(server.url).send_testimony(story=canary("STORY-") + FRENCH_PADDING)
        files = [server.database.with_name(server.database.name + s) for s in ("", "-wal", "-shm")]
        modes = {f.name: oct(f.stat().st_mode & 0o777) for f in files}
    assert modes == {"intake.db": "0o600", "intake.db-wal": "0o600", "intake.db-shm": "0o600"}


def test_access_log_holds_no_client_address_or_personal_data(server: Server) -> None:
    story, name, email = canary("CANARY-STORY-"), canary("CanaryName", 8), canary_email()
    visitor = Person(server.url)
    visitor.send_testimony(story=story + FRENCH_PADDING, credit_mode="pseudonym", credit_name=name)
    visitor.send_testimony(story=story + FRENCH_PADDING, email=email, contact="y")
    visitor.send_contact(name=name, email=email, message=story + FRENCH_PADDING)

    server.stop()  # gunicorn logs a request after answering it: stop to read every line
    access_log = read_log(server.stdout)
    assert "POST /temoigner" in access_log
    assert "POST /contact" in access_log
    assert "127.0.0.1" not in access_log
    assert found_in([story, name, *as_stored(email)], access_log.encode()) == []
