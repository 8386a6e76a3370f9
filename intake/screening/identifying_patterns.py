"""The patterns of contacts, numbers, dates, addresses and places in a story (people's names
are in ``identifying_names``; the machinery that runs them in ``identifying_scan``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from intake.screening import identifying_words as w
from intake.screening.identifying_scan import (
    NOT_STOP,
    UP,
    Candidate,
    Check,
    Rule,
    S,
    either,
    rule,
    walking_back,
    words,
    written,
)

# One capitalised word of a place's name: Nantes, Sainte-Anne, Henri-IV, St Thomas'.
_PROPER = rf"{NOT_STOP}[{UP}]\w+(?:[-'’]\w+)*['’]?"
_CONNECT = (
    r"(?:de[ \u00a0]+la[ \u00a0]+|de[ \u00a0]+l['’]|du[ \u00a0]+|des[ \u00a0]+|de[ \u00a0]+"
    r"|d['’]|of[ \u00a0]+the[ \u00a0]+|of[ \u00a0]+)"
)
_PLACE_NAME = (
    rf"(?:(?:Le|La|Les){S}|L['’])?{_PROPER}(?:{S}(?:{_CONNECT}|(?:et|sur|en){S})?{_PROPER}){{0,3}}"
)
_DAY = r"(?:1er|1re|[12]\d|3[01]|0?[1-9])"
_DAY_EN = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_SEP = r"[ \u00a0\u202f.-]?"


def _span(kind: str) -> Check:
    """Group ``s`` as it is."""

    def check(match: re.Match[str]) -> Iterator[Candidate]:
        yield Candidate(kind, *match.span("s"))

    return check


def _url(match: re.Match[str]) -> Iterator[Candidate]:
    """A web address, without the punctuation that ends its sentence."""
    start, end = match.span("s")
    while end > start and match.string[end - 1] in ".,;:!?)]}'’\"»":
        end -= 1
    if end - start > 4:
        yield Candidate("url", start, end)


def _handle(match: re.Match[str]) -> Iterator[Candidate]:
    """A user name with an « @ », after a colon, or that no word looks like (« julie_69 »)."""
    handle = match["s"]
    said = match["mark"] or handle.startswith("@") or re.search(r"[_.\d]", handle)
    if said and re.search(r"[A-Za-z]", handle):
        yield Candidate("handle", *match.span("s"))


def _phone(match: re.Match[str]) -> Iterator[Candidate]:
    """A number long enough to be a telephone's, and not a help line's."""
    digits = re.sub(r"\D", "", match["s"].replace("(0)", ""))
    if digits.startswith("0033"):
        digits = "0" + digits[4:]
    elif digits.startswith("33") and match["s"].startswith("+"):
        digits = "0" + digits[2:]
    if 8 <= len(digits) <= 15 and digits not in w.HELP_LINE_NUMBERS:
        yield Candidate("phone", *match.span("s"))


def _iban(match: re.Match[str]) -> Iterator[Candidate]:
    """An IBAN as long as its country's, even when a word in capitals follows it."""
    start, end = match.span("s")
    text = match.string
    expected = w.IBAN_LENGTHS.get(text[start : start + 2].upper())
    seen = 0
    for at in range(start, end):
        seen += text[at].isalnum()
        if seen == expected and not text[at + 1 : at + 2].isalnum():
            yield Candidate("iban", start, at + 1)
            return


def _numeric_date(match: re.Match[str]) -> Iterator[Candidate]:
    """A real day and month; a two-digit year only with slashes (« 5/6/89 », not « 1.2.34 »)."""
    day, month, year = int(match["d"]), int(match["m"]), match["y"]
    year_ok = year[:2] in ("19", "20") if len(year) == 4 else match["sep"] == "/"
    if year_ok and 1 <= day <= 31 and 1 <= month <= 12:
        yield Candidate("date", *match.span("s"))


def _address(match: re.Match[str]) -> Iterator[Candidate]:
    """Up to the street's last capitalised word, or its last word when it has none; a capital
    is needed after « place », « chemin »… (« 1 place de parking »)."""
    tail = match.start("tail")
    tokens = list(re.finditer(r"\w[\w-]*['’]?", match.string[tail : match.end("s")]))
    named = [t for t in tokens if t[0][0].isupper() or t[0][0].isdigit()]
    if named:
        tokens = tokens[: tokens.index(named[-1]) + 1]
    while tokens and tokens[-1][0].lower() in w.ADDRESS_CONNECTORS:
        tokens.pop()
    if tokens and (named or match["type"].lower() in w.STREETS_ALWAYS):
        yield Candidate("address", match.start("s"), tail + tokens[-1].end())


def _place(kind: str) -> Check:
    """A care place or school, unless its « name » is only a first name (« au lycée Lucas »)."""

    def check(match: re.Match[str]) -> Iterator[Candidate]:
        name = match["name"]
        if match["conn"] or " " in name or "-" in name or w.fold(name) not in w.FIRST_NAMES:
            yield Candidate(kind, *match.span("s"))

    return check


NUMBERS = written(r"[+(0-9][0-9]*")
# The capitalised words before « Hospital », « School »: where such a place's name may begin.
_WORDS_BEFORE = rf"(?:[{UP}][\w'’.-]*{S}){{1,6}}$"
_ADDRESS_TAIL = (
    rf"(?:(?:[ \u00a0]+|(?<=['’]))(?!(?i:{w.ADDRESS_STOPS})(?![\w-]))(?!\d{{5}}(?!\w))"
    r"\w[\w-]*['’]?){1,6}"
)
RULES: tuple[Rule, ...] = (
    rule(
        r"(?<![\w.+-])(?P<s>[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,})(?![\w-])",
        _span("email"),
        walking_back("@", r"[\w.+-]{1,64}$"),
    ),
    rule(  # « julie [at] example [dot] org », « julie arobase example point fr »
        r"(?<![\w.+-])(?P<s>[\w.+-]+[ ]?(?:[\[(][ ]?(?i:at|arobase|@)[ ]?[\])]|(?i:[ ]arobase[ ]))"
        r"(?:[ ]?[\w-]+[ ]?(?:[\[(][ ]?(?i:dot|point)[ ]?[\])]|(?i:[ ]point[ ]|[ ]dot[ ])|\.))+"
        rf"[ ]?(?:{w.TLDS}))(?![\w-])",
        _span("email"),
        either(
            walking_back(r"[\[(] ?(?:at|@) ?[\])]", r"[\w.+-]{1,64} ?$"),
            walking_back("arobase", r"[\w.+-]{1,64} $"),
        ),
    ),
    rule(r"(?<![\w@])(?P<s>(?:https?://|www\.)[^\s<>\"«»]+)", _url, words("http", "www.")),
    rule(
        r"(?<![\w@./-])(?P<s>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
        rf"(?:{w.TLDS})(?:/[^\s<>\"«»]*)?)(?![\w@-])",
        _url,
        walking_back(rf"\.(?:{w.TLDS})", r"[a-z0-9.-]{1,200}$"),
    ),
    rule(
        r"(?<![\w.@/])(?P<mark>)(?P<s>@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)(?![\w@])",
        _handle,
        written("@"),
    ),
    rule(
        rf"(?<!\w)(?i:{w.SOCIAL_NETWORKS})[ \u00a0\u202f]*(?P<mark>:)?[ \u00a0]*"
        r"(?:[«\"“][ \u00a0]*)?(?P<s>@?[A-Za-z0-9_][A-Za-z0-9_.]{1,28}[A-Za-z0-9_])(?![\w@])",
        _handle,
        words(*w.SOCIAL_STARTS),
    ),
    rule(
        r"(?<![\w])(?P<s>[A-Za-z]{2}\d{2}(?:[ \u00a0]?[A-Za-z0-9]{4}){2,7}"
        r"(?:[ \u00a0]?[A-Za-z0-9]{1,3})?)(?![\w])",
        _iban,
        walking_back(r"[0-9][0-9](?<=[a-z][a-z][0-9][0-9])", r"[a-z]{2}$"),
    ),
    rule(  # sex, year, month, département (2A/2B in Corsica), commune, order, optional key
        rf"(?<![\w+])(?P<s>[12]{_SEP}\d{{2}}{_SEP}(?:0[1-9]|1[0-2]|[2-9]\d){_SEP}(?:\d{{2}}|2[AaBb])"
        rf"{_SEP}\d{{3}}{_SEP}\d{{3}}(?:{_SEP}\d{{2}})?)(?![\w])(?![ .-]?\d)",
        _span("social_security"),
        NUMBERS,
    ),
    rule(
        rf"(?<![\w+])(?P<s>(?:\+|00)[ ]?33[ ]?(?:\(0\)[ ]?)?[1-9](?:{_SEP}\d{{2}}){{4}})(?!\d)",
        _phone,
        NUMBERS,
    ),
    rule(rf"(?<![\w+])(?P<s>0[1-9](?:{_SEP}\d{{2}}){{4}})(?![\w])(?![ .-]?\d)", _phone, NUMBERS),
    rule(  # other countries: +44 7700 900123, +1 (555) 010-0199, +32 470 12 34 56
        r"(?<![\w+])(?P<s>\+[1-9]\d{0,2}(?:[ \u00a0.-]?(?:\(\d{1,4}\)|\d{1,4})){2,6})(?!\d)",
        _phone,
        NUMBERS,
    ),
    rule(  # British (07700 900123) and American (555-010-0199) national formats
        r"(?<![\w+])(?P<s>0\d{4}[ \u00a0]?\d{6}|\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4})"
        r"(?![\w])(?![ .-]?\d)",
        _phone,
        NUMBERS,
    ),
    rule(
        r"(?<![\w/.-])(?P<s>(?P<d>\d{1,2})(?P<sep>[/.-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2}))"
        r"(?![\w/-])(?!\.\d)",
        _numeric_date,
        NUMBERS,
    ),
    rule(
        r"(?<![\w/.-])(?P<s>(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]))(?![\w/-])",
        _span("date"),
        NUMBERS,
    ),
    rule(
        rf"(?<!\w)(?P<s>{_DAY}{S}(?i:{w.MONTHS_FR}){S}{_YEAR}"
        rf"|{_DAY_EN}(?:{S}of)?{S}(?i:{w.MONTHS_EN}),?{S}{_YEAR})(?!\d)",
        _span("date"),
        NUMBERS,
    ),
    rule(
        rf"(?<!\w)(?P<s>(?i:{w.MONTHS_EN}){S}{_DAY_EN},?{S}{_YEAR})(?!\d)",
        _span("date"),
        written(w.MONTHS_EN_CAPITALISED),
    ),
    rule(  # a birthday without its year, or a year of birth: « né le 4 mai », « née en 1990 »
        rf"(?<!\w)(?i:{w.BIRTH})[ \u00a0]*:?(?:{S}(?i:c['’]est|est|is|was|falls[ \u00a0]+on))?"
        rf"(?:{S}(?i:le|on|the|en|in))?{S}"
        rf"(?P<s>{_DAY}{S}(?i:{w.MONTHS_FR})|(?i:{w.MONTHS_EN}){S}{_DAY_EN}"
        rf"|{_DAY_EN}(?:{S}of)?{S}(?i:{w.MONTHS_EN})|(?i:{w.MONTHS_FR}|{w.MONTHS_EN}){S}{_YEAR}"
        rf"|{_YEAR})(?![\w])",
        _span("date"),
        words(*w.BIRTH_STARTS),
    ),
    rule(
        r"(?<![\w.,/-])(?P<s>\d{1,4}(?:[ \u00a0]?(?:bis|ter|quater)|[A-Da-d])?(?![\w])"
        rf"[ \u00a0]*,?[ \u00a0]+(?P<type>(?i:{w.STREETS}))(?![\w-])(?P<tail>{_ADDRESS_TAIL}))",
        _address,
        NUMBERS,
    ),
    rule(  # a street named without its number: « rue des Lilas », « avenue Victor-Hugo »
        rf"(?<![\w-])(?P<s>(?i:{w.STREETS_NAMED}){S}(?:{_CONNECT}|(?:Le|La|Les){S})?{_PROPER}"
        rf"(?:{S}(?:{_CONNECT})?{_PROPER}){{0,2}})",
        _span("address"),
        words(*w.STREET_STARTS),
    ),
    rule(
        rf"(?<![\w.,/-])(?P<s>\d{{1,4}}[A-Za-z]?{S}(?:{_PROPER}{S}){{1,3}}(?:{w.STREETS_EN}))"
        r"(?![\w-])",
        _span("address"),
        NUMBERS,
    ),
    rule(
        r"(?<![\w.,/-])(?P<s>(?:(?:0[1-9]|[1-8]\d|9[0-5])[ \u00a0]?\d|9[78]\d[ \u00a0]?)\d\d"
        rf"{S}(?:(?:Saint|Sainte|St|Ste|Le|La|Les){S}|L['’])?{NOT_STOP}[{UP}]\w+(?:[-'’]\w+)*"
        rf"(?:{S}(?i:cedex)(?:{S}\d{{1,2}})?)?)(?![\w-])",
        _span("postcode"),
        NUMBERS,
    ),
    rule(
        rf"(?<![\w-])(?P<s>(?:(?i:{w.CARE_WORDS})|{w.CARE_ACRONYMS})"
        rf"(?:[ \u00a0]+(?i:{w.CARE_QUALIFIERS}))*"
        rf"(?:{S}(?P<conn>{_CONNECT})|{S}|[ \u00a0]?-[ \u00a0]?)(?P<name>{_PLACE_NAME}))",
        _place("care_place"),
        either(words(*w.CARE_STARTS), written(w.CARE_ACRONYMS)),
    ),
    rule(
        rf"(?<![\w'’-])(?=[{UP}])(?P<s>(?P<conn>)(?P<name>{_PLACE_NAME}){S}"
        rf"(?i:psychiatric{S})?(?i:{w.CARE_WORDS_EN}))(?![\w-])",
        _place("care_place"),
        walking_back(rf"(?:{w.CARE_WORDS_EN_CAPITALISED})", _WORDS_BEFORE, as_written=True),
    ),
    rule(
        rf"(?<![\w-])(?P<s>{w.NAMED_HOSPITALS})(?![\w-])",
        _span("care_place"),
        words(*w.NAMED_HOSPITAL_STARTS),
    ),
    rule(
        rf"(?<![\w-])(?P<s>(?:(?i:{w.SCHOOL_WORDS})|{w.SCHOOL_ACRONYMS})"
        rf"(?:[ \u00a0]+(?i:{w.SCHOOL_QUALIFIERS}))*"
        rf"(?:{S}(?P<conn>{_CONNECT})|{S})(?P<name>{_PLACE_NAME}))",
        _place("school"),
        either(words(*w.SCHOOL_STARTS), written(w.SCHOOL_ACRONYMS)),
    ),
    rule(
        rf"(?<![\w'’-])(?=[{UP}])(?P<s>(?P<conn>)(?P<name>{_PLACE_NAME}){S}{w.SCHOOL_WORDS_EN})"
        r"(?![\w-])",
        _place("school"),
        walking_back(r"School|Academy|College|University", _WORDS_BEFORE, as_written=True),
    ),
)
