"""Public pages: thin views over the calls, testimonies and contact modules."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from intake import consent
from intake.auth.guard import guard_team
from intake.calls import (
    deadline_in_words,
    get_call_for_preview,
    get_public_call,
    list_open_calls,
)
from intake.config import LANGUAGES
from intake.consent import ConsentMissing
from intake.contact import ContactDraft, send_contact_message
from intake.extensions import db, limiter
from intake.models import Call, CallStatus, ContactTopic, Role, utcnow
from intake.public.forms import (
    STORY_MAX,
    STORY_MIN,
    ContactForm,
    TestimonyForm,
    testimony_form_class,
)
from intake.security import safe_next_url
from intake.testimonies import (
    CallClosed,
    TestimonyDraft,
    hold_receipt,
    submit_testimony,
    take_receipt,
)

bp = Blueprint("public", __name__)


def _submit_limit() -> str:
    return str(current_app.config["SUBMIT_RATE_LIMIT"])


@bp.get("/")
def home() -> ResponseReturnValue:
    """The open calls, the general testimony form and the contact form."""
    now = utcnow()
    return render_template(
        "public/home.html", calls=list_open_calls(now), deadline=deadline_in_words, now=now
    )


@bp.route("/temoigner", methods=["GET", "POST"])
@limiter.limit(_submit_limit, methods=["POST"])
def testimony() -> ResponseReturnValue:
    """The general testimony form, outside any call."""
    return _testimony_page(None)


@bp.route("/appels/<slug>", methods=["GET", "POST"])
@limiter.limit(_submit_limit, methods=["POST"])
def call_page(slug: str) -> ResponseReturnValue:
    """A call for testimony and its form."""
    call = get_public_call(slug)
    if call is None:
        abort(404)
    return _testimony_page(call)


@bp.get("/appels/<slug>/apercu")
def call_preview(slug: str) -> ResponseReturnValue:
    """The team's preview of a call, drafts included, with a form that cannot be sent."""
    # A public-blueprint route: visitors get the same 404 as for an unknown call, so that a
    # draft's existence is not revealed by a login redirect; the team goes through the guard.
    if not current_user.is_authenticated:  # type: ignore[attr-defined]
        abort(404)
    refused = guard_team(Role.EDITOR)
    if refused is not None:
        return refused
    call = get_call_for_preview(slug)
    if call is None:
        abort(404)
    return _render_testimony(call, testimony_form_class(call)(), 200, preview=True)


def _testimony_page(call: Call | None) -> ResponseReturnValue:
    form = testimony_form_class(call)()
    if call is None and form.move_from.data:
        return _moved_from_call(form)
    if form.is_submitted() and call is not None and not call.accepts_submissions(utcnow()):
        return _render_testimony(call, form, 409, _closed_notice())
    if not form.validate_on_submit():
        return _render_testimony(call, form, 422 if form.is_submitted() else 200)
    try:
        receipt = submit_testimony(_testimony_draft(form, call), call, utcnow())
    except CallClosed:
        return _render_testimony(call, form, 409, _closed_notice())
    except ConsentMissing:
        # The form checks these boxes already; this guards a request crafted around it.
        return _render_testimony(call, form, 422, _("Please tick the required boxes."))
    token = hold_receipt(receipt, call, utcnow())
    db.session.commit()
    # A random token only: the code and the rating stay on the server, shown once.
    session["receipt"] = token
    return redirect(url_for(".thanks"), 303)


def _moved_from_call(form: TestimonyForm) -> ResponseReturnValue:
    """The general form, pre-filled with what was written for a closed call; not sent yet."""
    call = get_public_call(form.move_from.data)
    if call is not None:
        form.call_answers.data = testimony_form_class(call)().answers_as_text()
    form.move_from.data = ""
    return _render_testimony(None, form, 200, moved_from=call)


def _closed_notice() -> str:
    return _(
        "This call has just closed. Your text is still here: you can send it through our "
        "general form instead, with the button at the bottom of the page."
    )


def _testimony_draft(form: TestimonyForm, call: Call | None) -> TestimonyDraft:
    wordings = consent.wordings_for(call)
    credit_mode, credit_name = form.credit()
    return TestimonyDraft(
        submission_key=form.submission_key.data,
        story=form.story_with_answers(),
        credit_mode=credit_mode,
        credit_name=credit_name,
        email=form.email.data or None,
        locale=str(get_locale()),
        consents={p: bool(form.consent_field(p).data) for p in wordings},
        wordings=wordings,
        answers=[(q, field.data) for q, field in form.answer_fields() if field.data],
    )


def _render_testimony(
    call: Call | None,
    form: TestimonyForm,
    status: int,
    notice: str | None = None,
    *,
    preview: bool = False,
    moved_from: Call | None = None,
) -> ResponseReturnValue:
    wordings = consent.wordings_for(call)
    for purpose, sentence in wordings.items():
        form.consent_field(purpose).label.text = sentence
    now = utcnow()
    closed = call is not None and not preview and not call.accepts_submissions(now)
    # A call scheduled to open later is not closed: it says when it opens.
    opens_on = (
        format_date(call.opens_at, "long")
        if closed and call is not None and call.opens_at is not None and now < call.opens_at
        else None
    )
    return render_template(
        "public/testimony.html",
        call=call,
        form=form,
        purposes=list(wordings),
        notice=notice,
        closed=closed,
        opens_on=opens_on,
        preview=preview,
        draft=preview and call is not None and call.status == CallStatus.DRAFT,
        moved_from=moved_from,
        deadline=deadline_in_words(call.closes_at, now) if call and call.closes_at else None,
        story_min=STORY_MIN,
        story_max=STORY_MAX,
    ), status


@bp.get("/merci")
def thanks() -> ResponseReturnValue:
    """The thank-you page, showing the follow-up code once."""
    shown = take_receipt(session.pop("receipt", None), utcnow())
    db.session.commit()
    if shown is None:
        return render_template("public/thanks.html", code=None, call=None, support=False)
    call = get_public_call(shown.call_slug) if shown.call_slug else None
    return render_template("public/thanks.html", code=shown.code, call=call, support=shown.support)


@bp.route("/contact", methods=["GET", "POST"])
@limiter.limit(_submit_limit, methods=["POST"])
def contact() -> ResponseReturnValue:
    """The general contact form."""
    form = ContactForm()
    if not form.validate_on_submit():
        return _render_contact(form, 422 if form.is_submitted() else 200)
    send_contact_message(
        ContactDraft(
            submission_key=form.submission_key.data,
            name=form.name.data,
            email=form.email.data,
            topic=ContactTopic(form.topic.data),
            message=form.message.data,
            locale=str(get_locale()),
        )
    )
    db.session.commit()
    return redirect(url_for(".contact_thanks"), 303)


def _render_contact(
    form: ContactForm, status: int, notice: str | None = None
) -> ResponseReturnValue:
    return render_template("public/contact.html", form=form, notice=notice), status


@bp.get("/contact/merci")
def contact_thanks() -> ResponseReturnValue:
    """Confirmation that a contact message was received."""
    return render_template("public/contact_thanks.html")


@bp.get("/confidentialite")
def privacy() -> ResponseReturnValue:
    """The full privacy notice."""
    return render_template("public/privacy.html")


@bp.get("/langue/<code>")
def language(code: str) -> ResponseReturnValue:
    """Switch the interface language, then go back where the person was."""
    if code not in LANGUAGES:
        abort(404)
    session["locale"] = code
    return redirect(safe_next_url(request.args.get("next")), 303)


@bp.get("/healthz")
@limiter.exempt
def healthz() -> ResponseReturnValue:
    """Health check for the load balancer: 200 when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("health check: database unreachable")
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.errorhandler(CSRFError)
def form_expired(error: CSRFError) -> ResponseReturnValue:
    """An expired or missing form token: show the form again with everything in it."""
    return _show_form_again(
        400,
        _(
            "Your session expired while you were writing. Your text is still here: "
            "check it and send the form again."
        ),
    )


@bp.errorhandler(RateLimitExceeded)
def rate_limited(error: RateLimitExceeded) -> ResponseReturnValue:
    """Too many forms from one place: keep what was written and ask to wait."""
    return _show_form_again(
        429,
        _(
            "Many messages have been sent from your connection in a short time. Your text is "
            "kept below: please wait a minute, then send it again."
        ),
    )


def _show_form_again(status: int, notice: str) -> ResponseReturnValue:
    """Re-render the form that was just sent, from what the browser sent."""
    if request.endpoint == "public.contact":
        return _render_contact(ContactForm(), status, notice)
    if (request.endpoint or "").startswith("public.followup"):
        from intake.public.followup import followup_form_again

        return followup_form_again(status, notice)
    if request.endpoint in ("public.testimony", "public.call_page"):
        slug = (request.view_args or {}).get("slug")
        call = get_public_call(slug) if slug else None
        if slug and call is None:
            abort(404)
        form = testimony_form_class(call)()
        if call is None and form.move_from.data:
            # The move writes nothing: show the pre-filled general form, notice aside.
            return _moved_from_call(form)
        return _render_testimony(call, form, status, notice)
    return render_template("errors/error.html", status=status, message=notice), status
