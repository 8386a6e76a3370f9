"""A submission's page and every action on it: thin views over the workflow."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from intake import review, review_followup, safeguarding, takedowns, workflow
from intake.auth.guard import requires, team_member
from intake.consent import ConsentMissing
from intake.database import erase_traces
from intake.extensions import db
from intake.history import history_of
from intake.models import DeclineReason, Role, ScreeningLevel, Submission
from intake.moderation.blueprint import bp, commit_or_stale, refusal_message, stale_message
from intake.moderation.forms import (
    DeclineForm,
    NoteForm,
    PublishableForm,
    PublishForm,
    QuestionForm,
    RedactForm,
    RerateForm,
    TeamForm,
    VersionForm,
    local_midnight,
    today,
)
from intake.screening.identifying import PLACEHOLDERS, Kind
from intake.textdiff import diff_html
from intake.workflow import EditNotAgreed, StaleSubmission, WorkflowError

PAGE = "/temoignages/<public_id>"
Action = Callable[[Submission], object]


@bp.get(PAGE)
def submission(public_id: str) -> ResponseReturnValue:
    """A story with its consents, notes and history, and what can be done to it now."""
    return _page(_load(public_id))


@bp.post(f"{PAGE}/adresse")
def reveal_contact(public_id: str) -> ResponseReturnValue:
    """Show the person's e-mail address in this response only; the showing is traced."""
    found = _load(public_id)
    email = workflow.reveal_contact(found, team_member())
    db.session.commit()
    return _page(found, email=email or "")


@bp.post(f"{PAGE}/prendre")
def claim(public_id: str) -> ResponseReturnValue:
    """Take a submission for review."""
    form = VersionForm()
    done = _("You are now reviewing this submission.")
    return _act(
        public_id, form, lambda s: workflow.claim(s, team_member(), form.version.data), done
    )


@bp.post(f"{PAGE}/liberer")
def release(public_id: str) -> ResponseReturnValue:
    """Give a submission back to the queue."""
    form = VersionForm()
    done = _("The submission is back in the queue.")
    return _act(
        public_id, form, lambda s: workflow.release(s, team_member(), form.version.data), done
    )


@bp.post(f"{PAGE}/version-publiable")
def save_publishable(public_id: str) -> ResponseReturnValue:
    """Save the redacted, publishable version; the original never changes."""
    form = PublishableForm()
    user = team_member()
    return _act(
        public_id,
        form,
        lambda s: workflow.save_publishable(s, user, form.version.data, form.text.data),
        _("The publishable version is saved."),
        keep="editor",
    )


@bp.post(f"{PAGE}/niveau")
def rerate(public_id: str) -> ResponseReturnValue:
    """A moderator's own judgement of the crisis rating, traced."""
    form = RerateForm()
    user = team_member()

    def act(found: Submission) -> None:
        workflow.rerate(found, user, form.version.data, ScreeningLevel(int(form.level.data)))

    return _act(public_id, form, act, _("The crisis rating is recorded."))


@bp.post(f"{PAGE}/masquer")
def redact(public_id: str) -> ResponseReturnValue:
    """Replace an identifying detail with its placeholder in the publishable version."""
    form = RedactForm()
    user = team_member()

    def act(found: Submission) -> None:
        start = form.start.data if form.scope.data == "one" else None
        kind = Kind(form.kind.data)
        workflow.redact(found, user, form.version.data, form.detail.data, kind, start)

    done = _("The detail is replaced in the publishable version.")
    return _act(public_id, form, act, done, then=_anchor(public_id, "details"))


@bp.post(f"{PAGE}/approuver")
def approve(public_id: str) -> ResponseReturnValue:
    """Approve for publication."""
    form = VersionForm()
    done = _("The submission is approved.")
    return _act(
        public_id, form, lambda s: workflow.approve(s, team_member(), form.version.data), done
    )


@bp.post(f"{PAGE}/relecture")
def send_for_rereading(public_id: str) -> ResponseReturnValue:
    """Give the person the publishable version to reread, as they asked, before approval."""
    form = VersionForm()
    done = _("The person can now reread this version with their follow-up code.")
    return _act(
        public_id,
        form,
        lambda s: workflow.send_for_rereading(s, team_member(), form.version.data),
        done,
    )


@bp.post(f"{PAGE}/question")
def ask(public_id: str) -> ResponseReturnValue:
    """Ask the person a question, which they read with their follow-up code."""
    form = QuestionForm()
    user = team_member()
    return _act(
        public_id,
        form,
        lambda s: workflow.ask(s, user, form.version.data, form.question.data),
        _("Your question is ready for the person."),
        keep="question",
    )


@bp.post(f"{PAGE}/refuser")
def decline(public_id: str) -> ResponseReturnValue:
    """Decline, with a reason the person will read."""
    form = DeclineForm()
    user = team_member()

    def act(found: Submission) -> None:
        reason = DeclineReason(form.reason.data)
        workflow.decline(found, user, form.version.data, reason, form.explanation.data)

    return _act(public_id, form, act, _("The submission is declined."), keep="decline")


@bp.post(f"{PAGE}/spam")
def mark_spam(public_id: str) -> ResponseReturnValue:
    """Set a submission aside as spam."""
    form = VersionForm()
    done = _("The submission is marked as spam.")
    return _act(
        public_id, form, lambda s: workflow.mark_spam(s, team_member(), form.version.data), done
    )


@bp.post(f"{PAGE}/publier")
def mark_published(public_id: str) -> ResponseReturnValue:
    """Record where and when an approved story was published."""
    form = PublishForm()
    user = team_member()

    def act(found: Submission) -> None:
        when = local_midnight(form.published_on.data)
        workflow.mark_published(found, user, form.version.data, form.url.data, when)

    return _act(public_id, form, act, _("The submission is marked as published."), keep="publish")


@bp.post(f"{PAGE}/notes")
def add_note(public_id: str) -> ResponseReturnValue:
    """Add an internal note."""
    form = NoteForm()
    user = team_member()
    done = _("Your note is added.")
    return _act(public_id, form, lambda s: workflow.add_note(s, user, form.note.data), done, "note")


@bp.post(f"{PAGE}/supprimer")
@requires(Role.ADMIN)
def delete(public_id: str) -> ResponseReturnValue:
    """Erase a submission entirely; a content-free trace remains."""
    form = VersionForm()
    done = _("The submission is deleted.")
    response = _act(
        public_id,
        form,
        lambda s: workflow.delete(s, team_member(), form.version.data),
        done,
        then=url_for(".queue"),
    )
    # Whether or not it went through, leave no erased content in SQLite's write-ahead log.
    erase_traces()
    return response


def _load(public_id: str) -> Submission:
    found = review.find_submission(public_id)
    if found is None:
        erased = takedowns.erasure_of(public_id)
        if erased is None:
            abort(404)
        # Gone, not unknown: say when and why, and where its takedown stands.
        abort(make_response(render_template("moderation/erased.html", erased=erased), 410))
    return found


def _act(
    public_id: str,
    form: TeamForm,
    action: Action,
    done: str,
    keep: str | None = None,
    then: str | None = None,
) -> ResponseReturnValue:
    """Validate, call the workflow, commit once, redirect; a refusal becomes a message."""
    found = _load(public_id)
    if not form.validate_on_submit():
        if keep is None:
            abort(400)
        return _page(found, 422, forms={keep: form})
    try:
        action(found)
    except (WorkflowError, ConsentMissing) as error:
        db.session.rollback()
        if keep is not None and isinstance(error, StaleSubmission):
            # What the moderator wrote stays in the form, over the page as it is now.
            return _page(found, 409, notice=stale_message(), forms={keep: form})
        if keep is not None and isinstance(error, EditNotAgreed):
            return _page(found, 422, notice=refusal_message(error), forms={keep: form})
        flash(refusal_message(error), "error")
    else:
        if commit_or_stale():
            flash(done, "success")
            if then is not None:
                return redirect(then, 303)
    return redirect(url_for(".submission", public_id=public_id), 303)


def _page(
    found: Submission,
    status: int = 200,
    email: str | None = None,
    notice: str | None = None,
    forms: dict[str, TeamForm] | None = None,
) -> ResponseReturnValue:
    """Render a submission's page; ``forms`` replace the blank ones (kept input, errors)."""
    text = found.publishable_text
    blocker = review_followup.approval_blocker(found)
    reading = safeguarding.read(found)
    return render_template(
        "moderation/submission.html",
        submission=found,
        reading=reading,
        placeholders=PLACEHOLDERS,
        story_html=safeguarding.highlighted(found.story, reading.story_signals, reading.details),
        actions=review.available_actions(found, team_member()),
        may_contact=review.may_contact(found),
        answers=review.answers_of(found),
        consents=review.consents_of(found),
        notes=review.notes_of(found),
        thread=review.thread_of(found),
        history=history_of("submission", found.public_id),
        rereading=review_followup.rereading_of(found),
        approval_blocked=None if blocker is None else refusal_message(blocker),
        taken_back=review_followup.uses_taken_back(found),
        may_edit=workflow.may_edit(found),
        diff=None if text is None else diff_html(found.story, text),
        forms={**_blank_forms(found), **(forms or {})},
        email=email,
        notice=notice,
    ), status


def _blank_forms(found: Submission) -> dict[str, TeamForm]:
    # The editor starts as a copy of the original; formdata=None keeps a POST's fields out.
    text = found.story if found.publishable_text is None else found.publishable_text
    return {
        "editor": PublishableForm(formdata=None, text=text),
        "note": NoteForm(formdata=None),
        "question": QuestionForm(formdata=None),
        "decline": DeclineForm(formdata=None),
        "publish": PublishForm(formdata=None, published_on=today()),
        "rerate": RerateForm(formdata=None, level=str(int(found.urgency))),
    }


def _anchor(public_id: str, section: str) -> str:
    return url_for(".submission", public_id=public_id, _anchor=section)
