"""The export file formats, written story by story: CSV, JSON Lines, Markdown, Word, WXR."""

from __future__ import annotations

import io
from collections.abc import Generator, Iterable
from typing import BinaryIO

from intake.exports.formats.common import (
    Chunker,
    Counted,
    ExportFormat,
    ExportOptions,
    chunk_writer,
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
        "wxr", "application/rss+xml; charset=utf-8", "xml", chunk_writer(wxr_chunks)
    ),
}
CHUNK_SIZE = 64 * 1024
DEFAULT_OPTIONS = ExportOptions()


def write_export(
    fmt: str | ExportFormat,
    records: Iterable[StoryRecord],
    out: BinaryIO,
    options: ExportOptions = DEFAULT_OPTIONS,
) -> int:
    """Write the stories to a binary file in one format; the number of stories written."""
    return _format(fmt).write(records, out, options)


def stream_export(
    fmt: str | ExportFormat,
    records: Iterable[StoryRecord],
    options: ExportOptions = DEFAULT_OPTIONS,
) -> Generator[bytes, None, int]:
    """The file as chunks for an HTTP response; the generator returns the story count."""
    # Looked up now, not at the first chunk, so that a view can still answer with a 4xx.
    return _chunks(_format(fmt), Counted(records), options)


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
    write_export(fmt, counted, buffer, options)
    view = buffer.getbuffer()
    for start in range(0, len(view), CHUNK_SIZE):
        yield bytes(view[start : start + CHUNK_SIZE])
    return counted.count


__all__ = [
    "DOCX_MAX_STORIES",
    "FORMATS",
    "ExportFormat",
    "ExportOptions",
    "TooManyForDocx",
    "check_docx_count",
    "neutralise",
    "stream_export",
    "suggested_title",
    "write_export",
]
