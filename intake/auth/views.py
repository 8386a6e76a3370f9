"""Login, logout and password change for the team."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from intake import accounts
from intake.auth.forms import LoginForm, PasswordForm
from intake.auth.guard import end_session, start_session, team_member, team_required
from intake.extensions import db, limiter
from intake.models import utcnow
from intake.security import safe_next_url

bp = Blueprint("auth", __name__, url_prefix="/moderation")


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=lambda r: r.status_code != 303)
def login() -> ResponseReturnValue:
    """Log in with an address and a password."""
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 422 if form.is_submitted() else 200
    try:
        user = accounts.authenticate(form.email.data, form.password.data, utcnow())
    except accounts.AccountLocked:
        db.session.commit()
        return _refused(form, _("Too many failed attempts: this account is locked for 15 minutes."))
    except accounts.LoginFailed:
        db.session.commit()
        return _refused(form, _("Wrong e-mail address or password."))
    db.session.commit()
    start_session(user)
    return redirect(safe_next_url(request.args.get("next"), url_for("moderation.queue")), 303)


def _refused(form: LoginForm, message: str) -> ResponseReturnValue:
    form.password.data = ""
    return render_template("auth/login.html", form=form, error=message), 401


@bp.post("/deconnexion")
@team_required
def logout() -> ResponseReturnValue:
    """Log out on every device."""
    accounts.log_out(team_member())
    db.session.commit()
    end_session()
    flash(_("You are logged out."), "info")
    return redirect(url_for(".login"), 303)


@bp.route("/mot-de-passe", methods=["GET", "POST"])
@team_required
def password() -> ResponseReturnValue:
    """Change one's own password; other sessions end."""
    form = PasswordForm()
    user = team_member()
    if form.validate_on_submit():
        try:
            accounts.change_password(user, form.current.data, form.new.data)
        except accounts.LoginFailed:
            form.current.errors = (_("This is not your current password."),)
        except accounts.WeakPassword as weak:
            form.new.errors = (password_rule(weak.reason),)
        else:
            db.session.commit()
            start_session(user)
            flash(_("Your password has been changed; your other sessions are closed."), "info")
            return redirect(url_for("moderation.queue"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("auth/password.html", form=form), status


def password_rule(reason: str) -> str:
    """The sentence for a refused password."""
    return {
        "too_short": _("Please choose at least 12 characters."),
        "too_long": _("Please choose at most 1024 characters."),
        "too_common": _("This password is too common or too close to the address."),
    }[reason]
