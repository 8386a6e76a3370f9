"""National help lines in France, shown on every thank-you page."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString


@dataclass(frozen=True)
class HelpLine:
    name: str | LazyString
    number: str
    dial: str
    hours: str | LazyString


HELP_LINES = (
    HelpLine(_l("Suicide prevention (3114)"), "3114", "3114", _l("24/7, free")),
    HelpLine(_l("Emergency medical services (SAMU)"), "15", "15", _l("24/7, free")),
    HelpLine(_l("European emergency number"), "112", "112", _l("24/7, free")),
    HelpLine("SOS Amitié", "09 72 39 40 50", "+33972394050", _l("24/7, listening")),
    HelpLine(
        "Fil Santé Jeunes",
        "0 800 235 236",
        "0800235236",
        _l("every day 9am–11pm, free, for 12–25 year-olds"),
    ),
    HelpLine(
        _l("Emergency by text message (deaf or hard of hearing)"), "114", "114", _l("24/7, SMS")
    ),
)
