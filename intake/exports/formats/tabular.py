"""CSV and JSON Lines: one row or line per story, written as the stories are read."""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from intake.exports.formats.common import ExportOptions, answer_text, iso
from intake.exports.selection import StoryRecord

COLUMNS = (
    "public_id",
    "call",
    "credit_line",
    "text",
    "uses",
    "answers",
    "status",
    "received_at",
    "published_at",
    "published_url",
    "word_count",
)
# A spreadsheet runs a cell starting with one of these as a formula (OWASP, CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """The cell as text a spreadsheet will not evaluate: a leading apostrophe if needed."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def csv_cells(record: StoryRecord) -> list[str]:
    """One story as CSV cells, every one neutralised (the story text included)."""
    answers = "\n".join(f"{question}: {answer_text(value)}" for question, value in record.answers)
    values = [
        record.public_id,
        record.call or "",
        record.credit_line,
        record.text,
        ", ".join(record.uses),
        answers,
        record.status,
        record.received_at.isoformat(),
        iso(record.published_at) or "",
        record.published_url or "",
        str(record.word_count),
    ]
    return [neutralise(value) for value in values]


def csv_chunks(records: Iterable[StoryRecord], options: ExportOptions) -> Iterator[bytes]:
    """The CSV file, the header first, then one chunk per story."""
    buffer = io.StringIO(newline="")
    delimiter = ";" if options.excel else ","
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL)
    writer.writerow(COLUMNS)
    yield (codecs.BOM_UTF8 if options.excel else b"") + _drain(buffer)
    for record in records:
        writer.writerow(csv_cells(record))
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


def json_object(record: StoryRecord) -> dict[str, Any]:
    """One story as a JSON object."""
    return {
        "public_id": record.public_id,
        "call": record.call,
        "credit_line": record.credit_line,
        "text": record.text,
        "uses": record.uses,
        "answers": [{"question": q, "answer": a} for q, a in record.answers],
        "status": record.status,
        "received_at": iso(record.received_at),
        "published_at": iso(record.published_at),
        "published_url": record.published_url,
        "word_count": record.word_count,
    }


def jsonl_chunks(records: Iterable[StoryRecord], options: ExportOptions) -> Iterator[bytes]:
    """One JSON object per line."""
    for record in records:
        line = json.dumps(json_object(record), ensure_ascii=False)
        # Valid JSON, but tools that split lines on every Unicode line break would cut here.
        line = line.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        yield (line + "\n").encode("utf-8")
