"""The Markdown bundle: a ZIP with one `<public_id>.md` per story and YAML front matter."""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator
from typing import Any

import yaml  # type: ignore[import-untyped]

from intake.exports.formats.common import ExportOptions, answer_text, iso, suggested_title
from intake.exports.formats.ziptools import StreamingZip
from intake.exports.selection import TEAM_ZONE, StoryRecord

# yaml.safe_dump with libyaml's emitter when PyYAML was built with it: five times faster.
SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def front_matter(record: StoryRecord) -> dict[str, Any]:
    """What a static-site generator or an editor reads before the text."""
    matter: dict[str, Any] = {
        "title": suggested_title(record),
        "call": record.call,
        "credit": record.credit_line,
        "uses": record.uses,
        "received": iso(record.received_at),
        "published": iso(record.published_at),
        "url": record.published_url,
        "words": record.word_count,
    }
    if record.answers:
        matter["answers"] = [{"question": q, "answer": answer_text(a)} for q, a in record.answers]
    return matter


def markdown_document(record: StoryRecord) -> str:
    """One story as a Markdown file."""
    matter = yaml.dump(front_matter(record), Dumper=SafeDumper, allow_unicode=True, sort_keys=False)
    # Markdown passes raw HTML through to the page, so a "<script>" typed in a story would run
    # wherever the file is rendered: the body is plain text, its <, > and & become entities.
    body = html.escape(record.text, quote=False)
    return f"---\n{matter}---\n\n{body}\n"


def markdown_chunks(records: Iterable[StoryRecord], options: ExportOptions) -> Iterator[bytes]:
    """The ZIP archive, one entry per story as it is read, then its directory."""
    archive = StreamingZip()
    for record in records:
        data = markdown_document(record).encode("utf-8")
        when = record.received_at.astimezone(TEAM_ZONE)
        yield archive.add(f"{record.public_id}.md", data, when)
    yield from archive.close()
