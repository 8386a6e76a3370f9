"""Reading the audit trail: filters, keyset pagination and the names of the actors."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from intake.extensions import db
from intake.history import describe
from intake.models import AuditEvent, User

PAGE_SIZE = 100
USER_ACTOR = "user:"
# An action filter ending with one of these matches every action that starts with it.
PREFIX_MARKS = (".", "*")


@dataclass(frozen=True)
class AuditFilter:
    """What an admin is looking for; empty values do not filter."""

    action: str = ""
    actor: str = ""
    target_id: str = ""
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


@dataclass(frozen=True)
class AuditRow:
    """One event, with the name of its actor when it is an account."""

    event: AuditEvent
    actor_name: str | None

    @property
    def words(self) -> str:
        """What happened, in the reader's language."""
        return describe(self.event.action, self.event.details)

    @property
    def details(self) -> list[tuple[str, str]]:
        """The details as sorted key/value pairs of text."""
        return [(key, _text(value)) for key, value in sorted(self.event.details.items())]


@dataclass(frozen=True)
class AuditPage:
    """A page of events, newest first, and the cursors of its neighbours."""

    rows: list[AuditRow]
    older: int | None  # pass as ``before`` for the next page
    newer: int | None  # pass as ``after`` for the previous page


def list_events(
    filters: AuditFilter,
    before: int | None = None,
    after: int | None = None,
    limit: int = PAGE_SIZE,
) -> AuditPage:
    """A page of events matching the filters, newest first, walked by id (never OFFSET)."""
    query = filtered_query(filters)
    if after is not None:
        events = _fetch(query.where(AuditEvent.id > after).order_by(AuditEvent.id), limit)
        more_newer = len(events) > limit
        events = events[:limit][::-1]
        more_older = True
    else:
        if before is not None:
            query = query.where(AuditEvent.id < before)
        events = _fetch(query.order_by(AuditEvent.id.desc()), limit)
        more_older = len(events) > limit
        events = events[:limit]
        more_newer = before is not None
    return AuditPage(
        rows=_with_actor_names(events),
        older=events[-1].id if events and more_older else None,
        newer=events[0].id if events and more_newer else None,
    )


def filtered_query(filters: AuditFilter) -> Select[tuple[AuditEvent]]:
    """The events that match the filters, unordered."""
    query = select(AuditEvent)
    action = filters.action.strip()
    if action.endswith(PREFIX_MARKS):
        query = query.where(AuditEvent.action.startswith(action.rstrip("*"), autoescape=True))
    elif action:
        query = query.where(AuditEvent.action == action)
    if filters.actor.strip():
        query = query.where(AuditEvent.actor == filters.actor.strip())
    if filters.target_id.strip():
        query = query.where(AuditEvent.target_id == filters.target_id.strip())
    if filters.since is not None:
        query = query.where(AuditEvent.at >= filters.since)
    if filters.until is not None:
        query = query.where(AuditEvent.at < filters.until)
    return query


def _fetch(query: Select[tuple[AuditEvent]], limit: int) -> list[AuditEvent]:
    # One more than a page tells whether another page follows.
    return list(db.session.scalars(query.limit(limit + 1)))


def _with_actor_names(events: list[AuditEvent]) -> list[AuditRow]:
    names = actor_names(event.actor for event in events)
    return [AuditRow(event, names.get(event.actor)) for event in events]


def actor_names(actors: Iterable[str]) -> dict[str, str]:
    """The display names of the accounts among these actors, in one query."""
    ids = {int(a[len(USER_ACTOR) :]) for a in actors if _is_user_actor(a)}
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
    return {f"{USER_ACTOR}{user_id}": name for user_id, name in rows}


def _is_user_actor(actor: str) -> bool:
    number = actor.removeprefix(USER_ACTOR)
    return (
        actor.startswith(USER_ACTOR) and number.isascii() and number.isdigit() and len(number) < 16
    )


def known_actors() -> list[tuple[str, str]]:
    """Every account as an (actor, display name) pair, for the actor filter."""
    rows = db.session.execute(select(User.id, User.display_name).order_by(User.display_name))
    return [(f"{USER_ACTOR}{user_id}", name) for user_id, name in rows]


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
