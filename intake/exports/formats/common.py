"""What every export format shares: its options, its registry entry and the text helpers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from intake.exports.selection import StoryRecord
from intake.models import Purpose

TITLE_MAX = 60
# Characters XML 1.0 forbids (C0 controls but tab and newlines, lone surrogates, U+FFFE/FFFF):
# lxml refuses them in a .docx and WordPress's importer chokes on them in a WXR file.
XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class ExportOptions:
    """How a file is shaped; never what it holds (that is ExportFilters)."""

    # CSV for French Excel: a UTF-8 BOM and ';' between cells.
    excel: bool = False
    site_url: str = "https://example.org"
    title: str = "Intake"


Writer = Callable[[Iterable[StoryRecord], BinaryIO, ExportOptions], int]
Chunker = Callable[[Iterable[StoryRecord], ExportOptions], Iterator[bytes]]


@dataclass(frozen=True)
class ExportFormat:
    """One file format: how it is served and the function that writes it."""

    name: str
    mimetype: str
    extension: str
    write: Writer
    # The one use a format serves whatever the filters say: a WordPress import makes posts on
    # the site, so it may only ever hold stories consented for the site.
    only_use: Purpose | None = None


class ConsentBreach(RuntimeError):
    """A story reached a file without a granted consent for the use the file serves.

    The selection never lets one through; this stops the file rather than let one leave if
    a caller ever passes records chosen another way.
    """


def consented_only(records: Iterable[StoryRecord], use: Purpose | None) -> Iterator[StoryRecord]:
    """The records, each checked for a granted consent to ``use`` (to some use when None)."""
    for record in records:
        if (use.value not in record.uses) if use is not None else not record.uses:
            raise ConsentBreach(f"a story without consent for {use or 'any use'} reached a file")
        yield record


class Counted(Iterator[StoryRecord]):
    """The records, counted as a writer consumes them."""

    def __init__(self, records: Iterable[StoryRecord]) -> None:
        self._records = iter(records)
        self.count = 0

    def __next__(self) -> StoryRecord:
        record = next(self._records)
        self.count += 1
        return record


def chunk_writer(chunks: Chunker) -> Writer:
    """A writer that sends a streaming format's chunks to a file, and counts the stories."""

    def write(records: Iterable[StoryRecord], out: BinaryIO, options: ExportOptions) -> int:
        counted = Counted(records)
        for chunk in chunks(counted, options):
            out.write(chunk)
        return counted.count

    return write


def xml_safe(text: str) -> str:
    """The text without the characters an XML document may not hold."""
    return XML_FORBIDDEN.sub("", text)


def suggested_title(record: StoryRecord) -> str:
    """A working title: the call's, or the first words of the story, within TITLE_MAX."""
    words = " ".join(xml_safe(record.call or record.text).split())
    if not words:
        return record.public_id
    if len(words) <= TITLE_MAX:
        return words
    cut = words[: TITLE_MAX - 1]
    if words[TITLE_MAX - 1] != " ":
        cut = cut.rpartition(" ")[0] or cut
    return cut.rstrip(" ,;:.") + "…"


def paragraphs(text: str) -> list[str]:
    """The story's non-empty lines, each one a paragraph."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def answer_text(value: str | list[str]) -> str:
    """An answer as one string; the choices of a multiple-choice question joined."""
    return ", ".join(value) if isinstance(value, list) else value


def iso(value: datetime | None) -> str | None:
    """A date as ISO 8601, or None."""
    return value.isoformat() if value is not None else None
