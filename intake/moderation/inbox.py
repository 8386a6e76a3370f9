"""The contact inbox: messages sent through the general contact form."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from intake import inbox as contact_inbox
from intake.auth.guard import team_member
from intake.extensions import db
from intake.inbox import InboxCursor
from intake.models import ContactMessage, ContactStatus
from intake.moderation.blueprint import bp
from intake.pagination import InvalidCursor

MESSAGE = "/messages/<public_id>"
FILTERS = {"new": ContactStatus.NEW, "handled": ContactStatus.HANDLED, "all": None}


@bp.get("/messages")
def inbox() -> ResponseReturnValue:
    """Contact messages, newest first: the new ones by default."""
    shown = request.args.get("statut", "new")
    if shown not in FILTERS:
        abort(400)
    page = contact_inbox.inbox_page(FILTERS[shown], _cursor(request.args.get("after")))
    next_url = page.next_cursor and url_for(".inbox", statut=shown, after=page.next_cursor)
    return render_template(
        "moderation/inbox.html",
        page=page,
        shown=shown,
        counts=contact_inbox.inbox_counts(),
        next_url=next_url,
    )


def _cursor(token: str | None) -> InboxCursor | None:
    try:
        return InboxCursor.decode(token) if token else None
    except InvalidCursor:
        abort(400)


@bp.get(MESSAGE)
def contact_message(public_id: str) -> ResponseReturnValue:
    """Read a message; the reading is traced."""
    message = contact_inbox.read_message(public_id, team_member())
    if message is None:
        abort(404)
    db.session.commit()
    return render_template("moderation/contact_message.html", message=message)


@bp.post(f"{MESSAGE}/traite")
def contact_handled(public_id: str) -> ResponseReturnValue:
    """Mark a message as handled."""
    if contact_inbox.mark_handled(_load(public_id), team_member()):
        db.session.commit()
    flash(_("The message is marked as handled."), "success")
    return redirect(url_for(".inbox"), 303)


@bp.post(f"{MESSAGE}/supprimer")
def contact_delete(public_id: str) -> ResponseReturnValue:
    """Delete a message for good."""
    contact_inbox.delete_message(_load(public_id), team_member())
    db.session.commit()
    flash(_("The message is deleted."), "success")
    return redirect(url_for(".inbox"), 303)


def _load(public_id: str) -> ContactMessage:
    message = contact_inbox.find_message(public_id)
    if message is None:
        abort(404)
    return message
