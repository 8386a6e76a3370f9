"""The moderation blueprint: every route behind a login, by construction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, flash
from flask.typing import ResponseReturnValue
from flask_babel import format_date, format_datetime, format_timedelta
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm.exc import StaleDataError

from intake.auth.guard import guard_team
from intake.consent import ConsentMissing
from intake.extensions import db
from intake.labels import STATUS
from intake.models import Purpose, utcnow
from intake.textdiff import paragraphs_html
from intake.workflow import (
    ConsentNotAsked,
    DetailNotFound,
    EditNotAgreed,
    IllegalTransition,
    ProofreadingPending,
    PublishableVersionMissing,
    StaleSubmission,
    WorkflowError,
)

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


@bp.before_request
def _require_team() -> ResponseReturnValue | None:
    return guard_team()


@bp.app_template_filter("paragraphs")
def paragraphs(text: str | None) -> Markup:
    """A plain text as escaped HTML paragraphs (blank lines) and line breaks."""
    return paragraphs_html(text)


@bp.context_processor
def _dates() -> dict[str, Any]:
    return {"format_datetime": format_datetime, "format_date": format_date, "ago": ago}


def ago(moment: datetime) -> str:
    """How long ago, in words (« il y a 3 jours »)."""
    return str(format_timedelta(moment - utcnow(), add_direction=True))


def commit_or_stale() -> bool:
    """Commit a moderator's change; False (and a message) if someone else's won meanwhile."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash(stale_message(), "error")
        return False
    return True


def stale_message() -> str:
    """What a moderator reads when someone else acted first."""
    return _("Someone acted before you: here is the submission as it is now.")


def refusal_message(error: WorkflowError | ConsentMissing) -> str:
    """What a moderator reads when the workflow refuses an action."""
    if isinstance(error, StaleSubmission):
        return stale_message()
    if isinstance(error, IllegalTransition):
        return _(
            "This action is not possible while the submission is « %(status)s ».",
            status=STATUS[error.status],
        )
    if isinstance(error, PublishableVersionMissing):
        return _("Please save a publishable version before approving.")
    if isinstance(error, ProofreadingPending):
        return _(
            "The person asked to reread the edited version: send it to them and wait for "
            "their agreement before approving."
        )
    if isinstance(error, DetailNotFound):
        return _(
            "This detail is no longer where the page showed it: here is the submission as it "
            "is now."
        )
    if isinstance(error, EditNotAgreed):
        return _(
            "This person did not agree to changes to their words: you may only mask what "
            "identifies them, with a word in square brackets such as [prénom]. Nothing was "
            "saved; your text is still below."
        )
    if isinstance(error, ConsentNotAsked) and error.args == (Purpose.REVIEW_EDITS.value,):
        return _("The person did not ask to reread the edited version: there is nothing to send.")
    if isinstance(error, ConsentMissing) and error.purpose == Purpose.CONTACT:
        return _("This person did not agree to be contacted: nothing was sent.")
    if isinstance(error, ConsentMissing):
        return _("This person granted no publication use: the story cannot be approved.")
    return _("This action is not possible now.")
