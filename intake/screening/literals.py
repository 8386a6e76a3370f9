"""The literal strings a regular expression cannot match without, to skip text quickly.

Python's ``re`` tries every alternative of a pattern at every position, which is slow for the
hundreds of screening patterns on a 20,000-character story. But most of a story holds none of
the words they need: ``required_literals`` reads a pattern's syntax tree and returns strings of
which every match contains at least one, so that a pattern only runs where one occurs. When it
cannot tell (a pattern with no literal, or a change in Python's private parser), it returns
None and the pattern runs everywhere: slower, never wrong.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from typing import Any

try:  # private, but stable since Python 3.11; without it every pattern simply runs everywhere
    _parser: Any = importlib.import_module("re._parser")
    _c: Any = importlib.import_module("re._constants")
except ImportError:  # pragma: no cover
    _parser = _c = None

# Words too common to pick a pattern out of a text (« je », « pas », "to"): a literal made
# only of them is a poor filter, so another literal of the same pattern is preferred.
_COMMON_WORDS = """
    a ai au ce de des du en est et il je la le les me ma mes mon ne on pas plus pour que qui
    se sa ses son te tout un une y suis sont fai fait faire fais avec dans sur comme mais
    bien tres encore toujours depuis jours jour nuit soir main rien vie mal pense envie
    i to my the of and is am it be do not in at end about would will want just long
    thought self plan going need ready feel keep stay here around alive better take took
    can sleep
"""
_COMMON = frozenset(_COMMON_WORDS.split())

Literals = frozenset[str]


def _score(literals: Literals) -> tuple[int, int]:
    """How selective a set is: its weakest string's longest uncommon word, then its length."""

    def strength(text: str) -> int:
        return max((len(w) for w in text.split() if len(w) > 2 and w not in _COMMON), default=0)

    return min(strength(s) for s in literals), min(len(s) for s in literals)


def _of_sequence(items: Any) -> Literals | None:
    best: Literals | None = None
    run: list[str] = []

    def consider(candidate: Literals | None) -> None:
        nonlocal best
        if candidate and (best is None or _score(candidate) > _score(best)):
            best = candidate

    for op, av in items:
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        if op is _c.AT:  # \b and friends take no text: the run goes on
            continue
        consider(frozenset(["".join(run)]) if run else None)
        run = []
        consider(_of_item(op, av))
    consider(frozenset(["".join(run)]) if run else None)
    return best


def _of_item(op: Any, av: Any) -> Literals | None:
    if op is _c.SUBPATTERN:
        return _of_sequence(av[3])
    if op is _c.BRANCH:
        found = [_of_sequence(alternative) for alternative in av[1]]
        if any(f is None for f in found):
            return None
        return frozenset().union(*(f for f in found if f is not None))
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        low, _, body = av
        return _of_sequence(body) if low >= 1 else None
    return None


def required_literals(pattern: str) -> Literals | None:
    """Strings of which every match of ``pattern`` contains one, or None when unknown."""
    if _parser is None:  # pragma: no cover
        return None
    try:
        found = _of_sequence(_parser.parse(pattern))
    except Exception:  # an unexpected tree only costs speed
        return None
    return found if found and all(found) else None


def any_of(literals: Iterable[str]) -> str:
    """A regex matching the longest of ``literals`` at a position, one letter at a time.

    A plain alternation of hundreds of literals is tried one by one at every position; this
    trie rejects a position after a letter or two.
    """
    root: dict[str, Any] = {}
    for literal in literals:
        node = root
        for char in literal:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(c) + build(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        single = len(branches) == 1 and "" not in node
        body = branches[0] if single else f"(?:{'|'.join(branches)})"
        return body + ("?" if "" in node else "")

    return build(root)
