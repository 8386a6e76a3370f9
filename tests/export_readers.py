"""Export files read back as the team's tools read them: public id -> credit, text, uses."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import zipfile
from typing import Any, NamedTuple

import yaml
from docx import Document
from lxml import etree

WP = "http://wordpress.org/export/1.2/"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
NS = {"wp": WP, "content": CONTENT_NS, "dc": DC}


class Read(NamedTuple):
    credit: str
    text: str


def flat(text: str) -> str:
    return " ".join(text.split())


def read_csv(data: bytes, excel: bool = False) -> dict[str, Read]:
    text = data.decode("utf-8-sig" if excel else "utf-8")
    rows = csv.DictReader(io.StringIO(text, newline=""), delimiter=";" if excel else ",")
    # A public id may start with "-" too (token_urlsafe): neutralised like any other cell.
    return {
        as_typed(r["public_id"]): Read(as_typed(r["credit_line"]), flat(as_typed(r["text"])))
        for r in rows
    }


def as_typed(cell: str) -> str:
    """A cell without the apostrophe that neutralised a formula."""
    return cell[1:] if re.match(r"'[=+\-@\t\r]", cell) else cell


def read_jsonl(data: bytes) -> dict[str, Read]:
    lines = [json.loads(line) for line in data.decode("utf-8").split("\n") if line]
    return {o["public_id"]: Read(o["credit_line"], flat(o["text"])) for o in lines}


def markdown_files(data: bytes) -> dict[str, tuple[dict[str, Any], str]]:
    """Each .md file of the bundle: its front matter and its body."""
    files = {}
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        assert bundle.testzip() is None
        for name in bundle.namelist():
            _, matter, body = bundle.read(name).decode("utf-8").split("---\n", 2)
            files[name.removesuffix(".md")] = (yaml.safe_load(matter), body)
    return files


def read_md(data: bytes) -> dict[str, Read]:
    return {
        pid: Read(matter["credit"], flat(html.unescape(body)))
        for pid, (matter, body) in markdown_files(data).items()
    }


def docx_stories(data: bytes) -> dict[str, list[str]]:
    """The paragraphs after each level-1 heading, by the public id its reference line names."""
    stories: list[list[str]] = []
    for paragraph in Document(io.BytesIO(data)).paragraphs:
        if paragraph.style is not None and paragraph.style.name == "Heading 1":
            stories.append([])
        elif stories:
            stories[-1].append(paragraph.text)
    return {re.match(r"Réf\. (\S+)", s[0]).group(1): s for s in stories}  # type: ignore[union-attr]


def read_docx(data: bytes) -> dict[str, Read]:
    found = {}
    for pid, lines in docx_stories(data).items():
        credit = re.search(r"Crédit : (.*) · Usages", lines[0]).group(1)  # type: ignore[union-attr]
        body = lines[1 : lines.index("Réponses")] if "Réponses" in lines else lines[1:]
        found[pid] = Read(credit, flat(" ".join(body)))
    return found


def wxr_items(data: bytes) -> tuple[Any, list[Any]]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(data, parser)
    return root, root.findall("channel/item")


def meta(item: Any, key: str) -> str:
    for entry in item.findall("wp:postmeta", NS):
        if entry.findtext("wp:meta_key", namespaces=NS) == key:
            return str(entry.findtext("wp:meta_value", namespaces=NS))
    raise KeyError(key)


def post_text(item: Any) -> str:
    content = item.findtext("content:encoded", namespaces=NS)
    paragraphs = re.findall(r"<p>(.*?)</p>", content, re.S)
    story = [p for p in paragraphs if not p.startswith("<strong>")]
    return flat(html.unescape(" ".join(story)))


def read_wxr(data: bytes) -> dict[str, Read]:
    _, items = wxr_items(data)
    return {
        meta(i, "intake_public_id"): Read(meta(i, "intake_credit"), post_text(i)) for i in items
    }


READERS = {"csv": read_csv, "jsonl": read_jsonl, "md": read_md, "docx": read_docx, "wxr": read_wxr}


def parse(fmt: str, data: bytes) -> dict[str, Read]:
    return READERS[fmt](data)


def listed_uses(fmt: str, data: bytes) -> dict[str, set[str]] | None:
    """The uses each story is listed with, for the formats that list them (None otherwise)."""
    if fmt == "jsonl":
        lines = [json.loads(line) for line in data.decode("utf-8").split("\n") if line]
        return {o["public_id"]: set(o["uses"]) for o in lines}
    if fmt == "csv":
        rows = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
        return {as_typed(r["public_id"]): {u for u in r["uses"].split(", ") if u} for r in rows}
    if fmt == "md":
        return {pid: set(matter["uses"]) for pid, (matter, _) in markdown_files(data).items()}
    return None
