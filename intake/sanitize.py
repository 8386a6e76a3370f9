"""Cleaning what people type, and the one place where markup is allowed.

Plain text is stored exactly as written (no HTML escaping into the database); Jinja escapes it
on output. Only call descriptions, written in Markdown by the team, become HTML, and that HTML
goes through nh3's allowlist. This module is the only importer of nh3.
"""

from __future__ import annotations

import re
import unicodedata

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# C0 and C1 controls except tab and newline; NUL included.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidirectional embeddings, overrides and isolates can disguise text (Trojan Source).
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_NEWLINES = re.compile(r"\r\n?")
_SPACES = re.compile(r"\s+")

_ALLOWED_TAGS = {
    "p",
    "br",
    "em",
    "strong",
    "ul",
    "ol",
    "li",
    "a",
    "h2",
    "h3",
    "h4",
    "blockquote",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False})


def clean_text(value: str | None) -> str:
    """Normalise multi-line text: NFC, newlines as \\n, no control or bidi-override characters."""
    if not value:
        return ""
    value = unicodedata.normalize("NFC", _NEWLINES.sub("\n", value))
    return _BIDI.sub("", _CONTROLS.sub("", value)).strip()


def clean_line(value: str | None) -> str:
    """Normalise single-line text: like ``clean_text``, with runs of whitespace collapsed."""
    return _SPACES.sub(" ", clean_text(value))


def render_markdown(source: str) -> Markup:
    """Render the team's Markdown to HTML that keeps only an allowlist of tags."""
    return Markup(_clean_html(_markdown.render(source)))  # noqa: S704 - allowlist-cleaned


def _clean_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
