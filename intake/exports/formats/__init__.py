"""The export file formats, written story by story: CSV, JSON Lines, Markdown, Word, WXR."""

from __future__ import annotations

import io
from collections.abc import Generator, Iterable
from typing import BinaryIO

from intake.exports.formats.common import (
    Chunker,
    ConsentBreach,
    Counted,
    ExportFormat,
    ExportOptions,
    chunk_writer,
    consented_only,
    suggested_title,
)
from intake.exports.formats.markdown import markdown_chunks
from intake.exports.formats.tabular import csv_chunks, jsonl_chunks, neutralise
from intake.exports.formats.word import (
    DOCX_MAX_STORIES,
    TooManyForDocx,
    check_docx_count,
    write_docx,
)
from intake.exports.formats.wxr import wxr_chunks
from intake.exports.selection import StoryRecord
from intake.models import Purpose

# The formats written chunk by chunk, so that memory stays flat however many stories match.
STREAMED: dict[str, Chunker] = {
    "csv": csv_chunks,
    "jsonl": jsonl_chunks,
    "md": markdown_chunks,
    "wxr": wxr_chunks,
}
FORMATS: dict[str, ExportFormat] = {
    "csv": ExportFormat("csv", "text/csv; charset=utf-8", "csv", chunk_writer(csv_chunks)),
    "jsonl": ExportFormat(
        "jsonl", "application/jsonl; charset=utf-8", "jsonl", chunk_writer(jsonl_chunks)
    ),
    "md": ExportFormat("md", "application/zip", "zip", chunk_writer(markdown_chunks)),
    "docx": ExportFormat(
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
        write_docx,
    ),
    "wxr": ExportFormat(
        "wxr",
        "application/rss+xml; charset=utf-8",
        "xml",
        chunk_writer(wxr_chunks),
        only_use=Purpose.PUBLISH_SITE,
    ),
}
CHUNK_SIZE = 64 * 1024
DEFAULT_OPTIONS = ExportOptions()


def write_export(
    fmt: str | ExportFormat,
    records: Iterable[StoryRecord],
    out: BinaryIO,
    options: ExportOptions = DEFAULT_OPTIONS,
    use: Purpose | None = None,
) -> int:
    """Write the stories, made for ``use`` (None: each for its own uses), to a binary file in
    one format; the number of stories written."""
    chosen = _format(fmt)
    return chosen.write(consented_only(records, file_use(chosen, use)), out, options)


def stream_export(
    fmt: str | ExportFormat,
    records: Iterable[StoryRecord],
    options: ExportOptions = DEFAULT_OPTIONS,
    use: Purpose | None = None,
) -> Generator[bytes, None, int]:
    """The file as chunks for an HTTP response; the generator returns the story count."""
    # Looked up now, not at the first chunk, so that a view can still answer with a 4xx.
    chosen = _format(fmt)
    checked = consented_only(records, file_use(chosen, use))
    return _chunks(chosen, Counted(checked), options)


class UseNotForFormat(ValueError):
    """The team asked a format for a use it cannot serve (a WordPress import for print)."""

    def __init__(self, fmt: ExportFormat, use: Purpose) -> None:
        super().__init__(f"{fmt.name} files serve {fmt.only_use}, not {use}")
        self.format, self.use = fmt, use


def file_use(fmt: str | ExportFormat, use: Purpose | None) -> Purpose | None:
    """The use a file is made for: the format's own, else the one asked (None: any)."""
    chosen = _format(fmt)
    if chosen.only_use is None:
        return use
    if use not in (None, chosen.only_use):
        raise UseNotForFormat(chosen, use)
    return chosen.only_use


def _format(fmt: str | ExportFormat) -> ExportFormat:
    return fmt if isinstance(fmt, ExportFormat) else FORMATS[fmt]


def _chunks(
    fmt: ExportFormat, counted: Counted, options: ExportOptions
) -> Generator[bytes, None, int]:
    if fmt.name in STREAMED:
        yield from STREAMED[fmt.name](counted, options)
        return counted.count
    # A Word document is built in memory by its library (hence the cap), then sent in parts.
    buffer = io.BytesIO()
    fmt.write(counted, buffer, options)
    view = buffer.getbuffer()
    for start in range(0, len(view), CHUNK_SIZE):
        yield bytes(view[start : start + CHUNK_SIZE])
    return counted.count


__all__ = [
    "DOCX_MAX_STORIES",
    "FORMATS",
    "ConsentBreach",
    "ExportFormat",
    "ExportOptions",
    "TooManyForDocx",
    "UseNotForFormat",
    "check_docx_count",
    "file_use",
    "neutralise",
    "stream_export",
    "suggested_title",
    "write_export",
]
