"""The audit log: who did what, when, newest first, with filters."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from intake.admin.blueprint import bp
from intake.admin.forms import AuditFilterForm
from intake.audit_log import AuditFilter, AuditPage, known_actors, list_events

# How the trail names the actors that are not accounts.
ACTOR_LABELS = {
    "public": _l("Public form"),
    "anonymous": _l("Anonymous visitor"),
    "cli": _l("Command line"),
}


@bp.get("/journal")
def audit() -> ResponseReturnValue:
    """The audit trail, newest first, filtered by action, actor, target and dates."""
    form = AuditFilterForm(formdata=request.args)
    if not form.validate():
        return _render(form, None, 422)
    page = list_events(_filters(form), before=form.before.data, after=form.after.data)
    return _render(form, page)


def _filters(form: AuditFilterForm) -> AuditFilter:
    return AuditFilter(
        action=form.action.data,
        actor=form.actor.data,
        target_id=form.target.data,
        since=_start_of(form.since.data),
        until=_start_of(form.until.data + timedelta(days=1)) if form.until.data else None,
    )


def _start_of(day: date | None) -> datetime | None:
    """Midnight of a day in the team's time zone (dates are typed as the team lives them)."""
    if day is None:
        return None
    return datetime.combine(
        day, time(), tzinfo=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    )


def _query(form: AuditFilterForm) -> dict[str, Any]:
    """The current filters as query-string arguments, for the pagination links."""
    values = {
        "action": form.action.data,
        "actor": form.actor.data,
        "target": form.target.data,
        "since": form.since.data.isoformat() if form.since.data else None,
        "until": form.until.data.isoformat() if form.until.data else None,
    }
    return {name: value for name, value in values.items() if value}


def _render(
    form: AuditFilterForm, page: AuditPage | None, status: int = 200
) -> ResponseReturnValue:
    return render_template(
        "admin/audit.html",
        form=form,
        page=page,
        query=_query(form) if page else {},
        actors=known_actors(),
        actor_labels=ACTOR_LABELS,
        format_datetime=format_datetime,
    ), status
