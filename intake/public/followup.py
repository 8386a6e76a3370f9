"""Follow-up pages: what the person can see and do with their code. Thin views over
intake.followup (sessions, reading) and intake.workflow (every change).
"""

from __future__ import annotations

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from intake import followup, review, workflow
from intake.audit import record_event
from intake.consent import ConsentMissing
from intake.database import erase_traces
from intake.extensions import db, limiter
from intake.formtools import TextForm
from intake.models import Purpose, Submission, utcnow
from intake.public.drafts import drop_drafts
from intake.public.followup_forms import AnswerForm, CodeForm, ConsentForm, PlainForm, RereadForm
from intake.public.views import bp
from intake.textdiff import diff_html
from intake.workflow import OPEN_STATES, StaleSubmission, WorkflowError

SESSION_KEY = "followup"


def _client_limit() -> str:
    return str(current_app.config["FOLLOWUP_RATE_LIMIT"])


def _global_limit() -> str:
    return str(current_app.config["FOLLOWUP_GLOBAL_RATE_LIMIT"])


@bp.route("/suivi", methods=["GET", "POST"])
@limiter.limit(_client_limit, methods=["POST"])
@limiter.shared_limit(
    _global_limit, scope="followup-everyone", key_func=lambda: "everyone", methods=["POST"]
)
def followup_entry() -> ResponseReturnValue:
    """Type the follow-up code; a right one opens the story for a short while."""
    form = CodeForm()
    if not form.is_submitted() and _opened() is not None:
        return redirect(url_for(".followup_story"), 303)
    if not form.validate_on_submit():
        return _render_entry(form, 422 if form.is_submitted() else 200)
    token = followup.open_session(form.code.data, utcnow())
    db.session.commit()
    if token is None:
        return _render_entry(form, 401, _wrong_code())
    # A second code typed in the same browser closes the session the first one opened.
    followup.close_session(session.get(SESSION_KEY))
    db.session.commit()
    session[SESSION_KEY] = token
    found = _opened()
    if found is not None and form.draft.data:
        # The person's session ended while they wrote: give them back their text.
        return _render_story(
            found,
            notice=_("Your text is back below: you can send it now."),
            draft=(form.draft_for.data, form.draft.data),
        )
    return redirect(url_for(".followup_story"), 303)


@bp.get("/suivi/temoignage")
def followup_story() -> ResponseReturnValue:
    """Where the story stands, the messages, the rereading, the consents."""
    found = _opened()
    if found is None:
        return _session_ended()
    return _render_story(found)


@bp.post("/suivi/repondre")
def followup_answer() -> ResponseReturnValue:
    """The person writes to the team."""
    form = AnswerForm()
    found = _opened()
    if found is None:
        return _session_ended(form.message.data, "answer")
    if not form.validate_on_submit():
        return _render_story(found, 422, forms={"answer": form})
    try:
        workflow.answer(found, form.message.data)
    except WorkflowError:
        db.session.rollback()
        return _render_story(found, 409, forms={"answer": form}, notice=_closed_thread())
    if not _commit():
        return _render_story(_reload(found), 409, forms={"answer": form}, notice=_conflict())
    flash(_("Your message has been sent to the team."), "success")
    drop_drafts(url_for(".followup_answer"))
    return redirect(url_for(".followup_story"), 303)


@bp.post("/suivi/relecture")
def followup_reread() -> ResponseReturnValue:
    """The person accepts the edited version, or asks for changes."""
    form = RereadForm()
    found = _opened()
    if found is None:
        return _session_ended(form.comment.data, "changes")
    if not form.validate_on_submit():
        return _render_story(found, 422, forms={"reread": form})
    try:
        if form.ask_changes.data:
            workflow.ask_for_changes(found, form.fingerprint.data, form.comment.data)
            done = _("Thank you: the team will read your remarks and come back to you.")
        else:
            workflow.accept_rereading(found, form.fingerprint.data)
            done = _("Thank you: you accepted the edited version.")
    except StaleSubmission:
        db.session.rollback()
        notice = _("The team changed the text since you opened the page: here is the new version.")
        return _render_story(_reload(found), 409, forms={"reread": form}, notice=notice)
    except WorkflowError:
        db.session.rollback()
        notice = _("This version no longer waits for your reading.")
        return _render_story(_reload(found), 409, notice=notice)
    if not _commit():
        return _render_story(_reload(found), 409, forms={"reread": form}, notice=_conflict())
    flash(done, "success")
    drop_drafts(url_for(".followup_reread"))
    return redirect(url_for(".followup_story"), 303)


@bp.post("/suivi/consentements")
def followup_consent() -> ResponseReturnValue:
    """Give or take back one use; it applies at once, exports included."""
    form = ConsentForm()
    found = _opened()
    if found is None:
        return _session_ended()
    if not form.validate_on_submit():
        return _render_story(found, 422, notice=_("This choice cannot be changed here."))
    granted = form.granted.data == "1"
    try:
        changed = workflow.change_consent(found, Purpose(form.purpose.data), granted)
    except (WorkflowError, ConsentMissing):
        db.session.rollback()
        return _render_story(found, 422, notice=_("This choice cannot be changed here."))
    if not _commit():
        return _render_story(_reload(found), 409, notice=_conflict())
    if changed:
        flash(
            _("Your choice is recorded and applies now.")
            if granted
            else _("Done: we will no longer use your story this way."),
            "success",
        )
    return redirect(url_for(".followup_story") + "#consents", 303)


@bp.post("/suivi/donnees")
def followup_download() -> ResponseReturnValue:
    """Everything the person gave, as a JSON file to keep."""
    form = PlainForm()
    found = _opened()
    if found is None:
        return _session_ended()
    if not form.validate_on_submit():
        return _render_story(found, 400)
    document = followup.my_data(found, utcnow())
    record_event("followup.downloaded", "submission", found.public_id)
    db.session.commit()
    return Response(
        document,
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="mon-temoignage.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/suivi/retrait", methods=["GET", "POST"])
def followup_withdraw() -> ResponseReturnValue:
    """Take everything back: a confirmation, then the erasure."""
    form = PlainForm()
    found = _opened()
    if found is None:
        return _session_ended()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("public/followup/withdraw.html", form=form), status
    workflow.withdraw(found)
    db.session.commit()
    erase_traces()
    session.pop(SESSION_KEY, None)
    return render_template("public/followup/withdrawn.html")


@bp.post("/suivi/quitter")
def followup_leave() -> ResponseReturnValue:
    """End the follow-up session now."""
    form = PlainForm()
    if form.validate_on_submit():
        followup.close_session(session.pop(SESSION_KEY, None))
        db.session.commit()
        flash(
            _("You have left the follow-up. Your code opens it again whenever you like."), "success"
        )
        # On a shared phone, nothing the person was writing stays behind them.
        drop_drafts(url_for(".followup_entry"))
    return redirect(url_for(".followup_entry"), 303)


def followup_form_again(status: int, notice: str) -> ResponseReturnValue:
    """A follow-up form refused before its view ran (expired token, too many tries): show it
    again with what was typed."""
    if request.endpoint == "public.followup_entry":
        if status == 429:
            notice = _(
                "Many codes have been typed from your connection in a short time. Please wait "
                "a few minutes, then try again."
            )
        return _render_entry(CodeForm(), status, notice)
    found = _opened()
    drafts = {
        "public.followup_answer": ("answer", "message"),
        "public.followup_reread": ("changes", "comment"),
    }
    kind, field = drafts.get(request.endpoint or "", ("", ""))
    text = request.form.get(field, "") if field else ""
    if found is None:
        return _session_ended(text, kind)
    return _render_story(found, status, notice=notice, draft=(kind, text) if text else None)


def _opened() -> Submission | None:
    return followup.current_submission(session.get(SESSION_KEY), utcnow())


def _reload(found: Submission) -> Submission:
    db.session.refresh(found)
    return found


def _commit() -> bool:
    """Commit the person's change; False if a moderator's change won the same instant."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return False
    return True


def _wrong_code() -> str:
    return _(
        "This code does not open any story. Please check it: it has 16 letters and digits, "
        "as shown after you sent your story. If you withdrew your story, it was erased and "
        "its code no longer opens anything."
    )


def _closed_thread() -> str:
    return _(
        "The team has finished reading your story, so messages can no longer be sent here. "
        "Your text is kept below; you can still write to us through the contact form."
    )


def _conflict() -> str:
    return _("The team was working on your story at the same moment. Please send it again.")


def _session_ended(draft: str | None = None, draft_for: str = "") -> ResponseReturnValue:
    """The session ended (30 minutes, or « quitter »): the code again, the text kept."""
    session.pop(SESSION_KEY, None)
    form = CodeForm(formdata=None, draft=draft or "", draft_for=draft_for)
    notice = _(
        "For your safety, the follow-up closes after 30 minutes. Please type your code again."
    )
    if draft:
        notice += " " + _(
            "What you were writing is kept and will come back once the code is typed."
        )
    return _render_entry(form, 401 if request.method == "POST" else 200, notice)


def _render_entry(form: CodeForm, status: int, notice: str | None = None) -> ResponseReturnValue:
    return render_template("public/followup/entry.html", form=form, notice=notice), status


def _render_story(
    found: Submission,
    status: int = 200,
    forms: dict[str, TextForm] | None = None,
    notice: str | None = None,
    draft: tuple[str, str] | None = None,
) -> ResponseReturnValue:
    """The follow-up page; ``forms`` replace the blank ones (kept input, errors)."""
    text = found.publishable_text
    rereading = workflow.awaiting_rereading(found) and text is not None
    blank: dict[str, TextForm] = {
        "answer": AnswerForm(formdata=None),
        "reread": RereadForm(formdata=None),
        "plain": PlainForm(formdata=None),
    }
    if draft is not None:
        kind, value = draft
        if kind == "answer":
            blank["answer"] = AnswerForm(formdata=None, message=value)
        elif kind == "changes":
            blank["reread"] = RereadForm(formdata=None, comment=value)
    chosen = {**blank, **(forms or {})}
    reread = chosen["reread"]
    if rereading and text is not None and isinstance(reread, RereadForm):
        # Always the fingerprint of the version shown now, even over a kept comment.
        reread.fingerprint.data = workflow.text_fingerprint(text)
    return render_template(
        "public/followup/story.html",
        submission=found,
        status=followup.status_of(found),
        thread=review.thread_of(found),
        rereading=rereading,
        diff=diff_html(found.story, text) if rereading and text is not None else None,
        consents=sorted(found.consents, key=lambda c: c.id),
        changeable=followup.changeable_consents(found),
        may_write=found.status in OPEN_STATES,
        forms=chosen,
        notice=notice,
        draft_scope=followup.draft_scope(found),
    ), status
