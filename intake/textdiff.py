"""Plain text made readable in HTML: paragraphs, and a word-level diff of two versions.

Both functions escape every piece of the text themselves and return Markup, so a story
holding ``<script>`` shows it as text, never as markup.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from markupsafe import Markup, escape

# Words, runs of whitespace, and single punctuation marks: a diff reads word by word.
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")
_NEWLINES = re.compile(r"\r\n?")


def tokens(text: str) -> list[str]:
    """Split a text into words, whitespace and punctuation; joined back they are the text."""
    return _TOKENS.findall(text)


def diff_html(original: str, edited: str) -> Markup:
    """The edited text against the original: removed words in <del>, added ones in <ins>."""
    parts: list[str] = []
    for kept, removed, added in _changes(tokens(original), tokens(edited)):
        parts.append(str(escape(kept)))
        if removed:
            parts.append(f"<del>{escape(removed)}</del>")
        if added:
            parts.append(f"<ins>{escape(added)}</ins>")
    return Markup("".join(parts))  # noqa: S704 - every piece is escaped above


def _changes(before: list[str], after: list[str]) -> list[tuple[str, str, str]]:
    """(kept, removed, added) runs; a bare space or comma between two changes joins them."""
    runs: list[tuple[str, str, str]] = []
    opcodes = SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    for index, (operation, i1, i2, j1, j2) in enumerate(opcodes):
        removed, added = "".join(before[i1:i2]), "".join(after[j1:j2])
        inner = 0 < index < len(opcodes) - 1
        if operation == "equal" and not (inner and not any(c.isalnum() for c in removed)):
            runs.append((removed, "", ""))
        elif runs and not runs[-1][0] and (runs[-1][1] or runs[-1][2]):
            _, before_removed, before_added = runs.pop()
            runs.append(("", before_removed + removed, before_added + added))
        else:
            runs.append(("", removed, added))
    return runs


def paragraphs_html(text: str | None) -> Markup:
    """A plain text as HTML paragraphs: blank lines separate them, single newlines become <br>."""
    normalised = _NEWLINES.sub("\n", text or "").strip()
    if not normalised:
        return Markup("")
    blocks = _BLANK_LINES.split(normalised)
    html = "\n".join(
        "<p>" + "<br>\n".join(str(escape(line)) for line in block.split("\n")) + "</p>"
        for block in blocks
    )
    return Markup(html)  # noqa: S704 - every line is escaped above
