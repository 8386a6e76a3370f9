"""Identifying details in a story (contacts, places, dates, names) and their redaction.

Everything runs on this server, with regular expressions compiled at import and a reviewed
list of first names (``data/first_names.txt``); nothing is logged. ``find_details`` gives the
moderation page non-overlapping spans to highlight; ``redact`` writes a placeholder into the
publishable version. A person's name is two kinds: ``NAME`` for a first name (« mon fils
Lucas » → « mon fils [prénom] ») and ``SURNAME`` for a family name after a civility or a
first name (« le docteur Benali » → « le docteur [nom] »), so the civility stays readable.
The rules live in ``identifying_patterns`` and ``identifying_names``, run by
``identifying_scan``; their vocabulary is in ``identifying_words``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum

from intake.screening.identifying_names import name_candidates
from intake.screening.identifying_patterns import RULES
from intake.screening.identifying_scan import Candidate, Text, scan


class Kind(StrEnum):
    """What an identifying detail is; the values are stable identifiers."""

    EMAIL = "email"
    PHONE = "phone"
    URL = "url"
    HANDLE = "handle"
    ADDRESS = "address"
    POSTCODE = "postcode"  # a postal code with its town
    DATE = "date"
    SOCIAL_SECURITY = "social_security"
    IBAN = "iban"
    NAME = "name"  # a first name
    SURNAME = "surname"  # a family name, after a civility or a first name
    CARE_PLACE = "care_place"
    SCHOOL = "school"


@dataclass(frozen=True)
class Span:
    """One detail: its kind and where it sits in the original text."""

    kind: Kind
    start: int
    end: int
    text: str  # text[start:end]


PLACEHOLDERS: dict[Kind, str] = {
    Kind.EMAIL: "[e-mail]",
    Kind.PHONE: "[téléphone]",
    Kind.URL: "[lien]",
    Kind.HANDLE: "[pseudo]",
    Kind.ADDRESS: "[adresse]",
    Kind.POSTCODE: "[ville]",
    Kind.DATE: "[date]",
    Kind.SOCIAL_SECURITY: "[numéro de sécurité sociale]",
    Kind.IBAN: "[IBAN]",
    Kind.NAME: "[prénom]",
    Kind.SURNAME: "[nom]",
    Kind.CARE_PLACE: "[hôpital]",
    Kind.SCHOOL: "[école]",
}

# On equal length the earlier kind wins (« Docteur Martin »: a surname, not a first name).
_RANK = {kind.value: rank for rank, kind in enumerate(sorted(Kind, key=lambda k: k is Kind.NAME))}


def find_details(text: str) -> list[Span]:
    """Identifying details in ``text``, sorted by start and never overlapping.

    Where candidates overlap, the longest wins (« 12 rue Victor-Hugo » over « Victor »), then
    the kind listed first in ``Kind``, with surnames before first names.
    """
    scanned = Text(text)
    candidates = {*scan(RULES, scanned), *name_candidates(scanned)}
    taken = bytearray(len(text))
    kept: list[Candidate] = []
    for candidate in sorted(candidates, key=lambda c: (c.start - c.end, _RANK[c.kind], c.start)):
        if candidate.end > candidate.start and 1 not in taken[candidate.start : candidate.end]:
            taken[candidate.start : candidate.end] = b"\x01" * (candidate.end - candidate.start)
            kept.append(candidate)
    kept.sort(key=lambda c: c.start)
    return [Span(Kind(c.kind), c.start, c.end, text[c.start : c.end]) for c in kept]


def redact(text: str, span_text: str, kind: Kind, start: int | None) -> str:
    """Replace one occurrence (the one at ``start``) or, with ``start=None``, every occurrence
    of ``span_text`` (whole-word where it is a word) with ``PLACEHOLDERS[kind]``.

    Raises ValueError if the span is not at ``start``, or if it occurs nowhere.
    """
    placeholder = PLACEHOLDERS[Kind(kind)]
    if not span_text:
        raise ValueError("nothing to redact")
    if start is not None:
        if start < 0 or text[start : start + len(span_text)] != span_text:
            raise ValueError("the span is not at this position")
        return text[:start] + placeholder + text[start + len(span_text) :]
    before = r"(?<!\w)" if span_text[0].isalnum() or span_text[0] == "_" else ""
    after = r"(?!\w)" if span_text[-1].isalnum() or span_text[-1] == "_" else ""
    redacted, count = re.subn(before + re.escape(span_text) + after, lambda _: placeholder, text)
    if not count:
        raise ValueError("the span occurs nowhere in the text")
    return redacted


# A mask the team typed or chose: a short label in square brackets, such as « [prénom] ».
_MASK = r"\[[\w' -]{1,40}\]"
_MASK_TOKENS = re.compile(rf"{_MASK}|\s+|\w+|[^\w\s]", re.UNICODE)
_ONLY_MASKS = re.compile(rf"(?:{_MASK}|\s)*", re.UNICODE)


def only_masks(original: str, edited: str) -> bool:
    """Whether ``edited`` is ``original`` with some passages replaced by masks (« [prénom] »)
    and nothing else changed but spacing: redaction, which needs no consent to edit."""
    before, after = _MASK_TOKENS.findall(original), _MASK_TOKENS.findall(edited)
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = "".join(before[i1:i2]), "".join(after[j1:j2])
        if operation == "equal":
            continue
        if not _ONLY_MASKS.fullmatch(added):
            return False
        # A passage may only go if a mask stands in its place; spacing may change freely.
        if removed.strip() and not added.strip():
            return False
    return True
