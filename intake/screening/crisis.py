"""Crisis signals in a story: suicidal intent, self-harm, immediate danger, strong distress.

The vocabulary is data, reviewed in ``crisis_rules.yaml`` beside this module, which also says
how a match becomes a signal. Here the story is folded (case, accents, elisions, SMS spellings)
with a map back to the original offsets; each rule runs only on the sentences that hold one of
the literals it cannot match without; then idioms, negations and past markers drop or lower
what is not a present signal. Nothing is logged: stories are health data.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml  # type: ignore[import-untyped]

from intake.models import ScreeningLevel
from intake.screening.folding import Replace, fold
from intake.screening.literals import any_of, required_literals


@dataclass(frozen=True)
class Signal:
    """One phrase that matched a rule, with offsets into the text given to ``assess``."""

    level: ScreeningLevel
    start: int
    end: int
    phrase: str  # text[start:end]
    rule: str  # the rule's id in crisis_rules.yaml
    reason: str  # why the rule exists, for moderators


@dataclass(frozen=True)
class CrisisAssessment:
    """A story's rating (its highest signal) and its signals in text order."""

    level: ScreeningLevel
    signals: tuple[Signal, ...]


@dataclass(frozen=True, eq=False)
class _Rule:
    id: str
    level: ScreeningLevel
    reason: str
    urgent_when_recent: bool
    needs_context: bool
    rank: tuple[int, int]  # (pass, order): earlier passes and rules win overlaps


@dataclass(frozen=True, eq=False)
class _Pattern:
    """One of a rule's patterns, compiled on its own so that it runs only where needed."""

    rule: _Rule
    regex: re.Pattern[str]


_LEVELS = {"concern": ScreeningLevel.CONCERN, "urgent": ScreeningLevel.URGENT}
_SENTENCE_END = re.compile(r"[.!?\n]+")
_CLAUSE_END = re.compile(r"[.!?;\n]+|\b(?:mais|but)\b")
_PRONOUN = re.compile(r"\b(?:je|tu|il|elle|on|nous|vous|ils|elles|i|you|he|she|we|they)\b")
_VERB_START = re.compile(rf"{_PRONOUN.pattern}|,")  # where the verb before a match begins
_NEGATION_WINDOW = 60  # characters before a match where the negation of its verb is looked for
_REACH = 200  # characters around a match within which its clause and sentences are read


def _words(patterns: Iterable[str]) -> str:
    """Alternatives that match whole words; the leading boundary is checked once for all."""
    return "(?<!\\w)(?:" + "|".join(f"(?:{p})(?!\\w)" for p in patterns) + ")"


def _expand(pattern: str, fragments: dict[str, str]) -> str:
    for name, body in fragments.items():
        pattern = pattern.replace(f"%{name}%", body)
    if "%" in pattern:
        raise ValueError(f"unknown fragment in a crisis pattern: {pattern}")
    return pattern


def _load() -> dict[str, Any]:
    source = resources.files("intake.screening").joinpath("crisis_rules.yaml")
    data: dict[str, Any] = yaml.safe_load(source.read_text(encoding="utf-8"))
    fragments: dict[str, str] = {}
    for name, body in data["fragments"].items():
        fragments[str(name)] = _expand(str(body), fragments)
    data["fragments"] = fragments
    return data


def _pass(entry: dict[str, Any]) -> int:
    """Unconditional urgent rules first, then concern ones, then those needing context, then
    the fallback; a match is skipped where an earlier pass already matched."""
    if entry.get("fallback"):
        return 3
    return 2 if entry.get("needs_context") else 2 - _LEVELS[entry["level"]]


def _compile_rules(data: dict[str, Any]) -> tuple[list[_Rule], dict[str, list[_Pattern]]]:
    """The rules, and for each literal the patterns that need it ("" for those without one)."""
    rules: list[_Rule] = []
    needing: dict[str, list[_Pattern]] = {}
    for order, entry in enumerate(data["rules"]):
        patterns = [_expand(p, data["fragments"]) for p in entry["patterns"]]
        if any(re.compile(p).groups for p in patterns) or not entry.get("reason"):
            raise ValueError(f"crisis rule {entry['id']}: a capturing group, or no reason")
        rule = _Rule(
            id=entry["id"],
            level=_LEVELS[entry["level"]],
            reason=" ".join(str(entry["reason"]).split()),
            urgent_when_recent=bool(entry.get("urgent_when_recent", False)),
            needs_context=bool(entry.get("needs_context", False)),
            rank=(_pass(entry), order),
        )
        rules.append(rule)
        for source in patterns:
            pattern = _Pattern(rule, re.compile(_words([source])))
            for literal in required_literals(source) or {""}:
                needing.setdefault(literal, []).append(pattern)
    if len({r.id for r in rules}) != len(rules):
        raise ValueError("crisis rule ids must be unique")
    return rules, needing


def _compile_list(entries: Iterable[dict[str, Any]], fragments: dict[str, str]) -> re.Pattern[str]:
    return re.compile(_words(_expand(p, fragments) for e in entries for p in e["patterns"]))


def _compile_rewrites(
    entries: list[dict[str, Any]], at_word: bool
) -> tuple[re.Pattern[str], Replace]:
    """One pass of rewrites: a named group each; a string, or a table keyed by the match."""
    groups = "|".join(f"(?P<w{i}>{e['pattern']})" for i, e in enumerate(entries))
    pattern = re.compile(f"(?<!\\w)(?:{groups})" if at_word else groups)
    replaces = [e["replace"] for e in entries]

    def replace(match: re.Match[str]) -> str:
        table = replaces[int(str(match.lastgroup)[1:])]
        if isinstance(table, str):
            return table
        return str(table.get(match.group().replace("'", "").replace(" ", ""), match.group()))

    return pattern, replace


_DATA = _load()
_FRAGMENTS: dict[str, str] = _DATA["fragments"]
_RULES, _NEEDING = _compile_rules(_DATA)
_ALWAYS = _NEEDING.pop("", [])  # patterns without a literal: they run on every sentence
_TRIGGER = re.compile(f"(?=({any_of(_NEEDING)}))")
# The literals found at a position are the prefixes of the longest one found there.
_TRIGGERED = {
    found: {p for n in range(1, len(found) + 1) for p in _NEEDING.get(found[:n], [])}
    for found in _NEEDING
}
_REWRITES = [
    _compile_rewrites([w for w in _DATA["rewrites"] if w["pass"] == n], at_word=n == 1)
    for n in (1, 2)
]
_IDIOMS = _compile_list(_DATA["idioms"], _FRAGMENTS)
_AFFIRMING = _compile_list([_DATA["affirming"]], _FRAGMENTS)
# Verb-scope cues, each with the words that make a « ne » before the match the match's own.
_NEGATION_VERB = [
    (_compile_list([n], _FRAGMENTS), re.compile(_words(n.get("unless_match_has", ["(?!)"]))))
    for n in _DATA["negations"]
    if n["scope"] == "verb"
]
_NEGATION_CLAUSE = _compile_list((n for n in _DATA["negations"] if n["scope"] == "clause"), {})
_PAST = _compile_list(_DATA["past_markers"], _FRAGMENTS)
_PRESENT = _compile_list(_DATA["present_markers"], _FRAGMENTS)
_RECENT = _compile_list(_DATA["recent_markers"], _FRAGMENTS)
_CONTEXT = re.compile("|".join(_DATA["context"]["patterns"]))  # stems: no word boundaries


class _Segments:
    """Where the sentences of the folded text start and end."""

    def __init__(self, text: str) -> None:
        found = [m.span() for m in _SENTENCE_END.finditer(text)]
        self.starts = [s for s, _ in found] + [len(text)]
        self.ends = [0] + [e for _, e in found]

    def index(self, pos: int) -> int:
        return bisect_right(self.ends, pos) - 1

    def around(self, pos: int, spread: int = 0) -> tuple[int, int]:
        """The sentence holding ``pos``, widened by ``spread`` sentences on each side."""
        i = self.index(pos)
        return self.ends[max(i - spread, 0)], self.starts[min(i + spread, len(self.starts) - 1)]


class _Spans:
    """Non-overlapping spans in order, to ask quickly whether a span meets one of them."""

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for start, end in spans:
            self.add(start, end)

    def meets(self, start: int, end: int) -> bool:
        i = bisect_right(self.ends, start)  # the first span ending after ``start``
        return i < len(self.starts) and self.starts[i] < end

    def add(self, start: int, end: int) -> None:
        i = bisect_right(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


class _Reading:
    """One folded story, and the landmarks its matches are judged by (found as needed).

    Clauses and sentences are read at most ``_REACH`` characters away from a match, so that a
    story without punctuation costs no more than one with it.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.sentences = _Segments(text)
        self._found: dict[tuple[re.Pattern[str], int], _Spans] = {}

    def _in_sentence(self, pattern: re.Pattern[str], pos: int) -> _Spans:
        """The matches of ``pattern`` in the sentence holding ``pos`` (found once)."""
        start, end = self.sentences.around(pos)
        if (pattern, start) not in self._found:
            spans = (m.span() for m in pattern.finditer(self.text, start, end))
            self._found[pattern, start] = _Spans(spans)
        return self._found[pattern, start]

    def clause(self, pos: int) -> tuple[int, int]:
        """The clause holding ``pos`` (sentences also end at « ; », « mais », "but"), clipped."""
        boundaries = self._in_sentence(_CLAUSE_END, pos)
        i = bisect_right(boundaries.ends, pos)
        start = boundaries.ends[i - 1] if i else self.sentences.around(pos)[0]
        end = boundaries.starts[i] if i < len(boundaries.starts) else self.sentences.around(pos)[1]
        return max(start, pos - _REACH), min(end, pos + _REACH)

    def in_idiom(self, start: int, end: int) -> bool:
        return self._in_sentence(_IDIOMS, start).meets(start, end)

    def negated(self, start: int, end: int) -> bool:
        """Whether a negation or a non-assertion governs ``text[start:end]``."""
        clause_start = self.clause(start)[0]
        if _NEGATION_CLAUSE.search(self.text, clause_start, start):
            return True
        if _PRONOUN.match(self.text, start):  # the match has its own subject
            return False
        scope = max(clause_start, start - _NEGATION_WINDOW)
        for boundary in _VERB_START.finditer(self.text, scope, start):
            scope = boundary.start()
        affirming = self._in_sentence(_AFFIRMING, start)
        for cue, owned in _NEGATION_VERB:
            for found in cue.finditer(self.text, scope, start):
                affirmed = affirming.meets(found.start(), found.start() + 1)
                if not affirmed and not owned.search(self.text, start, end):
                    return True
        return False

    def level(self, rule: _Rule, start: int) -> ScreeningLevel:
        """The rule's level, lowered when its clause speaks of the past."""
        clause = self.clause(start)
        if rule.level is not ScreeningLevel.URGENT:
            return rule.level
        if rule.urgent_when_recent:
            recent = _RECENT.search(self.text, *clause)
            return ScreeningLevel.URGENT if recent else ScreeningLevel.CONCERN
        if _PAST.search(self.text, *clause) and not _PRESENT.search(self.text, *clause):
            return ScreeningLevel.CONCERN
        return rule.level

    def in_context(self, start: int, anchors: list[int]) -> bool:
        """Whether suicide vocabulary or another signal is in this sentence or the next to it."""
        low, high = self.sentences.around(start, spread=1)
        low, high = max(low, start - _REACH), min(high, start + _REACH)
        i = bisect_left(anchors, low)
        return (i < len(anchors) and anchors[i] < high) or bool(
            _CONTEXT.search(self.text, low, high)
        )


_Match = tuple[_Rule, int, int]


def _matches(reading: _Reading) -> list[_Match]:
    """Every pattern's matches, each pattern run only on sentences holding a literal it needs."""
    text, sentences = reading.text, reading.sentences
    wanted: dict[int, set[_Pattern]] = {}
    for hit in _TRIGGER.finditer(text):
        wanted.setdefault(sentences.index(hit.start()), set()).update(_TRIGGERED[hit.group(1)])
    if _ALWAYS:
        for i in range(len(sentences.starts)):
            wanted.setdefault(i, set()).update(_ALWAYS)
    found = set()  # two patterns of a rule may find the same span
    for i, patterns in wanted.items():
        start, end = sentences.ends[i], sentences.starts[i]
        for pattern in patterns:
            if pattern.regex.search(text, start, end):  # most runs find nothing: stop early
                for match in pattern.regex.finditer(text, start, end):
                    found.add((pattern.rule, *match.span()))
    return sorted(found, key=lambda m: (m[0].rank[0], m[1], m[0].rank[1], -m[2]))


def _judged(reading: _Reading) -> list[tuple[_Rule, int, int, ScreeningLevel]]:
    """The matches that are signals, at their level; overlaps go to the earlier pass or rule."""
    taken = _Spans()
    judged = []
    for rule, start, end in _matches(reading):
        if taken.meets(start, end):
            continue
        taken.add(start, end)
        if not reading.in_idiom(start, end) and not reading.negated(start, end):
            judged.append((rule, start, end, reading.level(rule, start)))
    anchors = sorted(start for rule, start, _, _ in judged if not rule.needs_context)
    return [j for j in judged if not j[0].needs_context or reading.in_context(j[1], anchors)]


def _without_overlaps(signals: list[Signal]) -> tuple[Signal, ...]:
    kept: list[Signal] = []
    for signal in sorted(signals, key=lambda s: (s.start, -s.level)):
        if kept and signal.start < kept[-1].end:
            if signal.level > kept[-1].level:
                kept[-1] = signal
            continue
        kept.append(signal)
    return tuple(kept)


def assess(text: str) -> CrisisAssessment:
    """Rate a story none, concern or urgent, with the phrases that led there."""
    folded = fold(text, _REWRITES)
    signals = []
    for rule, start, end, level in _judged(_Reading(folded.text)):
        first, last = folded.original_span(start, end)
        signals.append(Signal(level, first, last, text[first:last], rule.id, rule.reason))
    kept = _without_overlaps(signals)
    return CrisisAssessment(max((s.level for s in kept), default=ScreeningLevel.NONE), kept)
