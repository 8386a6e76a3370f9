"""The machinery that scans a story for identifying details, and the pattern fragments that
the rules of ``identifying_patterns`` and ``identifying_names`` share.

Python's ``re`` scans a text fast only for patterns that start with plain literals. So most
rules say where they may start (``Starts``): words found with ``str.find`` in the lower-cased
text, acronyms found as written, or one shared pass over the numbers; the rule's own pattern
is then tried at those places only. Candidates carry their kind as ``identifying.Kind`` values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from intake.screening import identifying_words as w

UP, LO = "A-ZÀ-ÖØ-ÞŒ", "a-zß-öø-ÿœ"
S = r"[ \u00a0\u202f]+"  # spaces, including the narrow ones French typography puts before « : »
NOT_STOP = rf"(?!(?:{'|'.join(sorted(w.STOP_WORDS))})(?![\w-]))"
# Lower case that keeps every offset, for the rare text where str.lower does not (« İ »).
_LOWER = str.maketrans(
    {c: c.lower() for c in map(chr, [*range(65, 91), *range(0xC0, 0xDF), 0x152]) if c != "×"}
)


@dataclass(frozen=True)
class Candidate:
    """A detail a rule proposes; ``find_details`` keeps it unless a longer one overlaps it."""

    kind: str
    start: int
    end: int


class Text:
    """A story being scanned: as written, in lower case with the same offsets, and the places
    several rules share."""

    def __init__(self, text: str) -> None:
        self.text = text
        lowered = text.lower()
        self.lowered = lowered if len(lowered) == len(text) else text.translate(_LOWER)
        self.shared: dict[str, list[int]] = {}


Check = Callable[[re.Match[str]], Iterator[Candidate]]
Starts = Callable[[Text], list[int]]


@dataclass(frozen=True)
class Rule:
    """A pattern, where it may start, and what to make of its matches."""

    pattern: re.Pattern[str]
    check: Check
    starts: Starts


def rule(pattern: str, check: Check, starts: Starts) -> Rule:
    return Rule(re.compile(pattern), check, starts)


_WORD_START = re.compile(r"(?<=[ \u00a0\u202f])\w")


def _starts_word(text: str, at: int) -> bool:
    return not at or not (text[at - 1].isalnum() or text[at - 1] == "_")


def words(*literals: str) -> Starts:
    """Where one of these lower-case words (or beginnings of words) starts a word."""

    def starts(text: Text) -> list[int]:
        found = []
        for literal in literals:
            at = text.lowered.find(literal)
            while at != -1:
                if _starts_word(text.lowered, at):
                    found.append(at)
                at = text.lowered.find(literal, at + 1)
        return found

    return starts


def written(pattern: str, *, lowered: bool = False) -> Starts:
    """Where this pattern matches at the start of a word, as written (or in lower case);
    rules with the same pattern share one pass."""
    compiled, key = re.compile(pattern), f"{lowered}:{pattern}"

    def starts(text: Text) -> list[int]:
        if key not in text.shared:
            scanned = text.lowered if lowered else text.text
            found = (m.start() for m in compiled.finditer(scanned))
            text.shared[key] = [at for at in found if _starts_word(scanned, at)]
        return text.shared[key]

    return starts


def walking_back(pattern: str, back: str, *, as_written: bool = False) -> Starts:
    """Where ``pattern`` matches (in the lower-cased text, or as written), moved back over what
    ``back`` (ending with ``$``) matches right before it: the start of « julie@ », of « fr76 »;
    and every word start on the way back, for rules that may begin after a few of its words."""
    compiled, before = re.compile(pattern), re.compile(back)

    def starts(text: Text) -> list[int]:
        scanned = text.text if as_written else text.lowered
        found = []
        for match in compiled.finditer(scanned):
            moved = before.search(scanned, max(0, match.start() - 200), match.start())
            if moved is None:
                found.append(match.start())
                continue
            words_back = _WORD_START.finditer(scanned, moved.start(), match.start())
            found += [moved.start(), *(m.start() for m in words_back)]
        return found

    return starts


def either(*finders: Starts) -> Starts:
    """Where any of these finders says a rule may start."""

    def starts(text: Text) -> list[int]:
        return [at for finder in finders for at in finder(text)]

    return starts


def scan(rules: tuple[Rule, ...], text: Text) -> Iterator[Candidate]:
    """Every candidate of these rules; a rule's matches never overlap one another."""
    for one in rules:
        for match in _matches_from(one.pattern, text.text, sorted(set(one.starts(text)))):
            yield from one.check(match)


def _matches_from(
    pattern: re.Pattern[str], text: str, starts: list[int]
) -> Iterator[re.Match[str]]:
    """The pattern's matches at these starts, skipping those inside the previous match."""
    end = 0
    for start in starts:
        if start >= end and (match := pattern.match(text, start)):
            end = match.end()
            yield match
