"""Reading calls for the public pages, and saying when they close."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from flask_babel import format_date, format_time, get_locale, to_user_timezone
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from intake.extensions import db
from intake.models import Call, CallStatus

# How a day and an hour read, by language (French writes « 1er mars », « 18 h 30 »);
# babel's own "d MMMM" and short time ("6:00 PM") otherwise.
_FIRST_DAY = {"fr": "d'er' MMMM"}
_HOURS = {"fr": ("H 'h'", "H 'h' mm")}


def list_open_calls(now: datetime) -> Sequence[Call]:
    """Calls accepting stories now, the soonest closing first."""
    query = (
        select(Call)
        .where(Call.status == CallStatus.OPEN)
        .where(or_(Call.opens_at.is_(None), Call.opens_at <= now))
        .where(or_(Call.closes_at.is_(None), Call.closes_at > now))
        .order_by(Call.closes_at.is_(None), Call.closes_at, Call.title)
    )
    return db.session.scalars(query).all()


def get_public_call(slug: str) -> Call | None:
    """A call the public may see (open or closed, never a draft), with its questions."""
    query = (
        select(Call)
        .where(Call.slug == slug, Call.status != CallStatus.DRAFT)
        .options(selectinload(Call.questions))
    )
    return db.session.scalar(query)


def get_call_for_preview(slug: str) -> Call | None:
    """Any call, drafts included, for the team's preview."""
    query = select(Call).where(Call.slug == slug).options(selectinload(Call.questions))
    return db.session.scalar(query)


def deadline_in_words(closes_at: datetime, now: datetime) -> str:
    """« Ouvert jusqu'au 15 mars », with the year if not this one and the hour if not midnight."""
    local, today = to_user_timezone(closes_at), to_user_timezone(now)
    if local.time() == time(0):
        # Closing at midnight leaves the whole previous day open: « jusqu'au 15 mars » for a
        # call that closes as 16 March begins, so that nobody counts on a day already shut.
        return _("Open until %(date)s", date=_day(local.date() - timedelta(days=1), today.date()))
    return _(
        "Open until %(date)s at %(hour)s", date=_day(local.date(), today.date()), hour=_hour(local)
    )


def _language() -> str:
    return str(get_locale() or "fr").split("_")[0]


def _day(day: date, today: date) -> str:
    pattern = _FIRST_DAY.get(_language(), "d MMMM") if day.day == 1 else "d MMMM"
    return str(format_date(day, pattern if day.year == today.year else f"{pattern} y"))


def _hour(local: datetime) -> str:
    patterns = _HOURS.get(_language())
    if patterns is None:
        return str(format_time(local, "short"))
    return str(format_time(local, patterns[0] if local.minute == 0 else patterns[1]))
