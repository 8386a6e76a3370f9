"""Editors' pages for calls for testimony: texts, dates, opening, closing and questions."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from intake import call_admin
from intake.auth.guard import requires, team_member
from intake.call_admin import CallAdminError, Phase
from intake.extensions import db
from intake.models import Call, CallQuestion, Role, utcnow
from intake.moderation.blueprint import bp
from intake.moderation.call_forms import KIND_LABELS, CallForm, MoveForm, QuestionForm
from intake.moderation.forms import TeamForm
from intake.sanitize import render_markdown

PUBLIC_PREVIEW = "public.call_preview"


@bp.get("/appels")
@requires(Role.EDITOR)
def calls() -> ResponseReturnValue:
    """Every call with where it stands and its dates."""
    rows = [(call, call_admin.phase_of(call, utcnow())) for call in call_admin.list_calls()]
    return render_template("moderation/calls.html", rows=rows, phases=PHASES)


@bp.route("/appels/nouveau", methods=["GET", "POST"])
@requires(Role.EDITOR)
def new_call() -> ResponseReturnValue:
    """Write a new call; it starts as a draft."""
    form = CallForm()
    if _previewing() or not form.validate_on_submit():
        return _edit_page(form, None)
    try:
        call = call_admin.create_call(form.fields(), team_member().actor)
        _commit_unique_slug()
    except CallAdminError as error:
        return _refused(form, None, error)
    flash(_("The call was created as a draft."), "success")
    return redirect(url_for(".edit_call", call_id=call.id), 303)


@bp.route("/appels/<int:call_id>", methods=["GET", "POST"])
@requires(Role.EDITOR)
def edit_call(call_id: int) -> ResponseReturnValue:
    """Change a call's texts, dates and what it asks; preview its description."""
    call = _call_or_404(call_id)
    form = CallForm() if request.method == "POST" else CallForm.of(call)
    if _previewing() or not form.validate_on_submit():
        return _edit_page(form, call)
    try:
        call_admin.update_call(call, form.fields(), team_member().actor)
        _commit_unique_slug()
    except CallAdminError as error:
        return _refused(form, call, error)
    flash(_("The call was saved."), "success")
    return redirect(url_for(".edit_call", call_id=call.id), 303)


@bp.post("/appels/<int:call_id>/ouvrir")
@requires(Role.EDITOR)
def open_call(call_id: int) -> ResponseReturnValue:
    """Publish the call: open now, or at its opening date if that is still to come."""
    return _act(call_id, call_admin.open_call, _("The call is published."))


@bp.post("/appels/<int:call_id>/clore")
@requires(Role.EDITOR)
def close_call(call_id: int) -> ResponseReturnValue:
    """« Clore maintenant »: no new story from now on."""
    return _act(call_id, call_admin.close_call, _("The call is closed: it accepts no new story."))


@bp.route("/appels/<int:call_id>/questions", methods=["GET", "POST"])
@requires(Role.EDITOR)
def call_questions(call_id: int) -> ResponseReturnValue:
    """The call's questions, in order, and a form to add one."""
    call = _call_or_404(call_id)
    form = QuestionForm()
    if not form.validate_on_submit():
        return _questions_page(call, form, None, 422 if form.is_submitted() else 200)
    call_admin.add_question(call, form.fields(), team_member().actor)
    db.session.commit()
    flash(_("The question was added."), "success")
    return redirect(url_for(".call_questions", call_id=call.id), 303)


@bp.route("/appels/<int:call_id>/questions/<int:question_id>", methods=["GET", "POST"])
@requires(Role.EDITOR)
def edit_question(call_id: int, question_id: int) -> ResponseReturnValue:
    """Change a question; answers already given keep the wording they were given under."""
    question = _question_or_404(call_id, question_id)
    form = QuestionForm() if request.method == "POST" else QuestionForm.of(question)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return _questions_page(question.call, form, question, status)
    call_admin.update_question(question, form.fields(), team_member().actor)
    db.session.commit()
    flash(_("The question was saved."), "success")
    return redirect(url_for(".call_questions", call_id=call_id), 303)


@bp.post("/appels/<int:call_id>/questions/<int:question_id>/supprimer")
@requires(Role.EDITOR)
def remove_question(call_id: int, question_id: int) -> ResponseReturnValue:
    """Remove a question; answers already given stay, under their own wording."""
    question = _question_or_404(call_id, question_id)
    if TeamForm().validate_on_submit():
        call_admin.remove_question(question, team_member().actor)
        db.session.commit()
        flash(_("The question was removed; answers already given are kept."), "success")
    return redirect(url_for(".call_questions", call_id=call_id), 303)


@bp.post("/appels/<int:call_id>/questions/<int:question_id>/deplacer")
@requires(Role.EDITOR)
def move_question(call_id: int, question_id: int) -> ResponseReturnValue:
    """Move a question up or down."""
    question = _question_or_404(call_id, question_id)
    form = MoveForm()
    if form.validate_on_submit():
        call_admin.move_question(question, form.offset(), team_member().actor)
        db.session.commit()
    return redirect(url_for(".call_questions", call_id=call_id), 303)


PHASES = {
    Phase.DRAFT: _l("Draft"),
    Phase.SCHEDULED: _l("Scheduled"),
    Phase.OPEN: _l("Open"),
    Phase.CLOSED: _l("Closed"),
}


def _previewing() -> bool:
    return request.method == "POST" and "preview" in request.form


def _call_or_404(call_id: int) -> Call:
    call = call_admin.get_call(call_id)
    if call is None:
        abort(404)
    return call


def _question_or_404(call_id: int, question_id: int) -> CallQuestion:
    question = db.session.get(CallQuestion, question_id)
    if question is None or question.call_id != call_id:
        abort(404)
    return question


def _act(call_id: int, action: call_admin.CallAction, done: str) -> ResponseReturnValue:
    call = _call_or_404(call_id)
    try:
        action(call, utcnow(), team_member().actor)
    except CallAdminError as error:
        db.session.rollback()
        flash(refusal(error), "error")
        return redirect(url_for(".edit_call", call_id=call_id), 303)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for(".edit_call", call_id=call_id), 303)


def _commit_unique_slug() -> None:
    """Commit; another editor taking the same address at the same instant is a refusal."""
    try:
        db.session.commit()
    except IntegrityError as error:
        raise call_admin.SlugTaken() from error


def _refused(form: CallForm, call: Call | None, error: CallAdminError) -> ResponseReturnValue:
    db.session.rollback()
    target = form.closes_at if isinstance(error, call_admin.ClosingBeforeOpening) else form.slug
    target.errors = (*target.errors, refusal(error))
    return _edit_page(form, call)


def refusal(error: CallAdminError) -> str:
    """What an editor reads when a change to a call is refused."""
    if isinstance(error, call_admin.SlugTaken):
        return _("Another call already uses this address: please choose another one.")
    if isinstance(error, call_admin.SlugFrozen):
        return _(
            "This call has been published or has received stories: its address can no longer "
            "change, so that links to it keep working."
        )
    if isinstance(error, call_admin.ClosingBeforeOpening):
        return _("The call must close after it opens.")
    if isinstance(error, call_admin.AlreadyClosed):
        return _("The closing date has passed: set a later closing date before opening the call.")
    return _("This change is not possible now.")


def _edit_page(form: CallForm, call: Call | None) -> ResponseReturnValue:
    previewing = _previewing()
    status = 422 if form.is_submitted() and not previewing else 200
    return render_template(
        "moderation/call_edit.html",
        form=form,
        call=call,
        phase=call_admin.phase_of(call, utcnow()) if call else None,
        phases=PHASES,
        now=utcnow(),
        slug_frozen=call is not None and call_admin.slug_frozen(call),
        preview=render_markdown(form.body_markdown.data or "") if previewing else None,
        public_preview=PUBLIC_PREVIEW in current_app.view_functions,
    ), status


def _questions_page(
    call: Call, form: QuestionForm, editing: CallQuestion | None, status: int
) -> ResponseReturnValue:
    return render_template(
        "moderation/call_questions.html",
        call=call,
        form=form,
        editing=editing,
        kinds=KIND_LABELS,
        description=render_markdown(call.body_markdown),
    ), status
