"""A normalised copy of a text that remembers where each piece came from in the original.

Screening matches its patterns on a folded copy (lower case, no accents, plain apostrophes,
rewritten spellings) but must report offsets into the text the person wrote. Each rewriting
step records the spans it replaced; ``Folded.original_span`` walks them back.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache

Replace = Callable[[re.Match[str]], str]

# Typographic apostrophes and dashes, and letters NFKD leaves whole.
_SPECIAL = {
    **dict.fromkeys("\u2019\u2018`\u00b4\u02bc\u2032\uff07", "'"),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    **{"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d"},
}
_SPACES = re.compile(r" {2,}")
# « mouriiiir », "noooo": no word screening looks for has the same letter three times in a row.
_REPEATS = re.compile(r"([a-z])\1{2,}")


@dataclass
class _Edits:
    """The spans one step replaced, as (output start, output end, input start, input end)."""

    out_starts: list[int] = field(default_factory=list)
    out_ends: list[int] = field(default_factory=list)
    in_starts: list[int] = field(default_factory=list)
    in_ends: list[int] = field(default_factory=list)

    def back(self, pos: int, *, end: bool) -> int:
        """The input offset of an output offset (a start, or an exclusive end)."""
        i = (bisect_left if end else bisect_right)(self.out_starts, pos) - 1
        if i < 0:
            return pos
        if pos < self.out_ends[i] or (end and pos == self.out_ends[i]):
            return self.in_ends[i] if end else self.in_starts[i]
        return pos - self.out_ends[i] + self.in_ends[i]


@dataclass(frozen=True)
class Folded:
    """The folded text, and the edits that lead back to the original."""

    text: str
    layers: tuple[_Edits, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Where ``text[start:end]`` came from in the original."""
        for edits in reversed(self.layers):
            start, end = edits.back(start, end=False), edits.back(end, end=True)
        return start, end


@cache
def _fold_char(char: str) -> str:
    """A character as patterns see it: lower case, no accent, plain apostrophe, or a space."""
    if char in _SPECIAL or char == "\n":
        return _SPECIAL.get(char, char)
    if unicodedata.category(char)[0] in "CZ":  # controls, format characters, odd spaces
        return " "
    decomposed = unicodedata.normalize("NFKD", char).lower()
    return "".join(_SPECIAL.get(c, c) for c in decomposed if not unicodedata.combining(c))


def _substitute(text: str, pattern: re.Pattern[str], replace: Replace) -> tuple[str, _Edits]:
    edits, shift = _Edits(), 0

    def record(match: re.Match[str]) -> str:
        nonlocal shift
        new = replace(match)
        if new != match.group():
            start, end = match.span()
            edits.out_starts.append(start + shift)
            edits.out_ends.append(start + shift + len(new))
            edits.in_starts.append(start)
            edits.in_ends.append(end)
            shift += len(new) - (end - start)
        return new

    return pattern.sub(record, text), edits


def fold(text: str, rewrites: Sequence[tuple[re.Pattern[str], Replace]] = ()) -> Folded:
    """Fold case, accents and spaces, then apply ``rewrites`` in order."""
    table = {c: _fold_char(c) for c in set(text)}
    layers = []
    uneven = "".join(re.escape(c) for c, folded in table.items() if len(folded) != 1)
    if uneven:  # only these change the length: record where they were
        layers.append(_substitute(text, re.compile(f"[{uneven}]"), lambda m: table[m.group()])[1])
    folded = text.translate({ord(c): f for c, f in table.items()})
    steps = [(_SPACES, lambda m: " "), (_REPEATS, lambda m: m.group(1)), *rewrites]
    for pattern, replace in steps:
        folded, edits = _substitute(folded, pattern, replace)
        layers.append(edits)
    return Folded(folded, tuple(layers))
