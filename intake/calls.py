"""Reading calls for the public pages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from intake.extensions import db
from intake.models import Call, CallStatus


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
