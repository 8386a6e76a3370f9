"""The review queue, and acting on several submissions at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import ngettext

from intake import review, takedowns, workflow
from intake.auth.guard import team_member
from intake.models import DeclineReason, Submission
from intake.moderation.blueprint import bp, commit_or_stale
from intake.moderation.forms import BulkForm, QueueFilterForm
from intake.pagination import InvalidCursor
from intake.review import QueueCursor
from intake.security import safe_next_url


@bp.get("/")
def queue() -> ResponseReturnValue:
    """The submissions waiting for the team, urgent first, then the oldest."""
    form = QueueFilterForm(request.args, calls=review.call_titles())
    valid = form.validate()
    filters = form.filters(team_member().id) if valid else review.QueueFilters()
    page = review.queue_page(filters, _cursor(request.args.get("after")))
    bulk = BulkForm(formdata=None, back=request.full_path)
    return render_template(
        "moderation/queue.html",
        form=form,
        page=page,
        counts=review.status_counts(),
        takedowns_waiting=takedowns.count_open(),
        bulk=bulk,
        next_url=_page_url(page.next_cursor) if page.next_cursor else None,
        first_url=_page_url(None) if "after" in request.args else None,
    ), 200 if valid else 400


def _cursor(token: str | None) -> QueueCursor | None:
    try:
        return QueueCursor.decode(token) if token else None
    except InvalidCursor:
        abort(400)


def _page_url(cursor: str | None) -> str:
    """This queue, with the same filters, from the page after ``cursor`` (None: the first)."""
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "after"}
    if cursor is not None:
        args["after"] = cursor
    return url_for(".queue", **args)


@bp.post("/lot")
def bulk() -> ResponseReturnValue:
    """Mark several submissions as spam, or decline them, in one go."""
    form = BulkForm()
    back = safe_next_url(form.back.data, url_for(".queue"))
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(str(errors[0]), "error")
        return redirect(back, 303)
    outcome = review.act_in_bulk(form.selection(), _bulk_action(form))
    if commit_or_stale():
        flash(_bulk_message(outcome), "success" if not outcome.skipped else "info")
    return redirect(back, 303)


def _bulk_action(form: BulkForm) -> Callable[[Submission, int], None]:
    """The workflow call the pressed button stands for, for one submission and its version."""
    user = team_member()
    if form.action.data == "spam":
        return lambda found, version: workflow.mark_spam(found, user, version)
    reason = DeclineReason(form.reason.data)
    return lambda found, version: workflow.decline(found, user, version, reason, "")


def _bulk_message(outcome: review.BulkOutcome) -> str:
    done = ngettext("%(num)d submission done.", "%(num)d submissions done.", outcome.done)
    if not outcome.skipped:
        return done
    skipped = ngettext(
        "%(num)d skipped: someone acted on it first, or its status does not allow it.",
        "%(num)d skipped: someone acted on them first, or their status does not allow it.",
        outcome.skipped,
    )
    return f"{done} {skipped}"
