"""Stories to take down from the pages and files they reached, and marking each one done."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from intake import takedowns
from intake.audit_log import actor_names
from intake.auth.guard import team_member
from intake.extensions import db
from intake.labels import PURPOSE
from intake.models import utcnow
from intake.moderation.blueprint import bp
from intake.moderation.export_forms import FORMAT_LABELS
from intake.moderation.forms import TeamForm


@bp.get("/retraits")
def takedowns_page() -> ResponseReturnValue:
    """What must come down, oldest first, then the last ones done and by whom."""
    waiting, done = takedowns.open_takedowns(), takedowns.recently_done()
    actors = {export.actor for task in (*waiting, *done) for export in task.exports}
    return render_template(
        "moderation/takedowns.html",
        waiting=waiting,
        done=done,
        names=actor_names(actors),
        formats=FORMAT_LABELS,
        purposes=PURPOSE,
        form=TeamForm(formdata=None),
    )


@bp.post("/retraits/<int:takedown_id>/fait")
def takedown_done(takedown_id: int) -> ResponseReturnValue:
    """Record that a story is down from its article and files; traced."""
    if not TeamForm().validate_on_submit():
        abort(400)
    try:
        takedowns.mark_done(takedown_id, team_member(), utcnow())
    except takedowns.TakedownNotFound:
        abort(404)
    except takedowns.TakedownAlreadyDone:
        db.session.rollback()
        flash(_("Someone marked this takedown done before you: nothing more to do."), "info")
    else:
        db.session.commit()
        flash(_("Marked as done: thank you."), "success")
    return redirect(url_for(".takedowns_page"), 303)
