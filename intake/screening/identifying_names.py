"""People's names in a story: announced by a civility, a relative or carer, an introduction,
or a first name from the reviewed list (``data/first_names.txt``).

A first name is a ``name``; a family name, after a first name or a civility, a ``surname``;
after a civility, everything naming the person is one surname (« Docteur [Julie Roux] »).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from intake.screening import identifying_words as w
from intake.screening.identifying_scan import (
    LO,
    NOT_STOP,
    UP,
    Candidate,
    Rule,
    S,
    Text,
    either,
    rule,
    scan,
    words,
    written,
)

_CAPNAME = rf"(?:Mc|Mac|O['’]|N['’])?[{UP}][{LO}]+(?:-[{UP}][{LO}]+)*"
_PERSON = rf"{NOT_STOP}(?:{_CAPNAME}|[{UP}]{{2,}}(?:-[{UP}]{{2,}})*)"
_PARTICLE = r"(?:(?:de|du|van|von|Le|La|De|Du|Da|Van|Von|Ben|El)[ \u00a0]+|[DL]['’])"
_NAME_AFTER = (
    rf"(?:[ \u00a0]+(?i:{w.KIN_AGES}))?[ \u00a0]*[,:]?[ \u00a0]+"
    rf"(?P<s>{NOT_STOP}{_CAPNAME}|[{LO}]+(?:-[{LO}]+)*)(?![\w'’-])"
)
_KIN_PHRASE = (
    rf"(?:{w.POSSESSIVES}){S}(?:(?:{w.KIN_ADJECTIVES}){S})?(?:(?P<carer>{w.CARERS})|{w.KIN})"
)
_FOLLOWING_SURNAME = re.compile(rf"[ \u00a0]+(?P<s>{_PARTICLE}?{_PERSON})(?![\w'’-])")
_MORE_NAMES = re.compile(
    rf"(?:[ \u00a0]*,[ \u00a0]*(?:(?:et|and){S})?|{S}(?:et|and|&){S})(?P<s>{NOT_STOP}{_CAPNAME})"
)
_NAME_TOKEN = re.compile(rf"[{UP}](?<![\w-].)[{LO}]+(?:-[{UP}][{LO}]+)*(?![\w-])")
_WORD_BEFORE = re.compile(r"(\w+)['’]?[ \u00a0]*$")
_SENTENCE_END = ".!?…:;\n\r"
_OPENERS = " \u00a0\t«»\"“”'‘(—–-"


def _surname_after(text: str, end: int) -> Iterator[Candidate]:
    """A family name right after a first name: « Julie Martin », « Lucas LEROY »."""
    match = _FOLLOWING_SURNAME.match(text, end)
    if match and match["s"] not in w.ACRONYMS and (len(match["s"]) > 2 or match["s"].istitle()):
        yield Candidate("surname", *match.span("s"))


def _civility(match: re.Match[str]) -> Iterator[Candidate]:
    if match["s"] not in w.ACRONYMS:
        yield Candidate("surname", *match.span("s"))


def _relative(match: re.Match[str]) -> Iterator[Candidate]:
    """A relative's first name; a carer's name is a surname unless it is a listed first name.

    In lower case (« mon fils thomas »), only a listed name that is no ordinary word counts.
    """
    first = match["s"]
    listed = w.FIRST_NAMES.get(w.fold(first))
    if first.islower() and listed != 0:
        return
    carer = match.groupdict().get("carer")
    yield Candidate("surname" if carer and listed is None else "name", *match.span("s"))
    end = match.end("s")
    while match.groupdict().get("plural") and (more := _MORE_NAMES.match(match.string, end)):
        yield Candidate("name", *more.span("s"))
        end = more.end("s")
    yield from _surname_after(match.string, end)


RULES: tuple[Rule, ...] = (
    rule(
        rf"(?<![\w])(?:(?i:{w.CIVILITIES})|{w.CIVILITY_ABBREVIATIONS}){S}"
        rf"(?P<s>{_PARTICLE}?{_PERSON}(?:[ \u00a0]+{_PERSON})?)",
        _civility,
        either(words(*w.CIVILITY_STARTS), written(w.CIVILITY_ABBREVIATIONS)),
    ),
    rule(
        rf"(?<![\w])(?i:{_KIN_PHRASE}){_NAME_AFTER}",
        _relative,
        written(_KIN_PHRASE, lowered=True),
    ),
    rule(
        rf"(?<![\w])(?P<plural>(?i:{w.KIN_PLURAL})){_NAME_AFTER}",
        _relative,
        written(w.KIN_PLURAL, lowered=True),
    ),
    rule(  # « le petit Lucas », but not « Le Petit Prince »
        rf"(?<![\w])(?:(?i:{w.INTRODUCTIONS})|[Ll](?:e{S}(?:petit|jeune)|a{S}(?:petite|jeune)))"
        rf"{_NAME_AFTER}",
        _relative,
        words(*w.INTRODUCTION_STARTS),
    ),
)


def _starts_sentence(text: str, start: int) -> bool:
    at = start - 1
    while at >= 0 and text[at] in _OPENERS:
        at -= 1
    return at < 0 or text[at] in _SENTENCE_END


def _listed_name_fits(text: str, start: int, mark: int) -> bool:
    """Whether a listed first name, marked as also a word (1) or a place (2), is a name here."""
    before = _WORD_BEFORE.search(text, max(0, start - 20), start)
    word = w.fold(before[1]) if before else ""
    if word in w.NOT_NAMES_AFTER or (mark >= 1 and word in w.ARTICLES):
        return False
    return mark < 2 or not (word in w.PREPOSITIONS or _starts_sentence(text, start))


def _listed_names(text: str) -> Iterator[Candidate]:
    for match in _NAME_TOKEN.finditer(text):
        parts = [w.fold(part) for part in match[0].split("-")]
        if not all(part in w.FIRST_NAMES for part in parts):
            continue
        mark = w.FIRST_NAMES[parts[0]] if len(parts) == 1 else 0
        if _listed_name_fits(text, match.start(), mark):
            yield Candidate("name", *match.span())
            yield from _surname_after(text, match.end())


def name_candidates(text: Text) -> Iterator[Candidate]:
    """Every name a rule or the list of first names proposes."""
    yield from scan(RULES, text)
    yield from _listed_names(text.text)
