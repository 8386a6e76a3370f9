"""Friendly error pages; the 500 handler rolls the transaction back."""

from __future__ import annotations

from flask import Flask, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from intake.extensions import db


def _messages() -> dict[int, str]:
    return {
        400: _("Something in this request was not understood. Please go back and try again."),
        403: _("You do not have access to this page."),
        404: _("This page does not exist, or no longer exists."),
        405: _("This page cannot be used this way."),
        413: _(
            "What you sent is too large. A story can be up to 20,000 characters: if you "
            "pasted a very long text, please shorten it. If you have JavaScript enabled, your "
            "draft is still saved on this device."
        ),
        429: _("Too many requests in a short time. Please wait a minute and try again."),
        500: _(
            "Something went wrong on our side. Nothing you sent was half-saved; please try again."
        ),
    }


def register_errors(app: Flask) -> None:
    """Show every HTTP error as a page of the site, in the visitor's language."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(500, _server_error)


def _http_error(error: HTTPException) -> ResponseReturnValue:
    status = error.code or 500
    message = _messages().get(status, error.description or "")
    return render_template("errors/error.html", status=status, message=message), status


def _server_error(error: Exception) -> ResponseReturnValue:
    db.session.rollback()
    return render_template("errors/error.html", status=500, message=_messages()[500]), 500
