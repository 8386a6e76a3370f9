"""Deny by default: every team page requires a live session and, for some, a higher role."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from intake.models import Role, User

IDLE_SECONDS = 30 * 60
ABSOLUTE_SECONDS = 12 * 3600
F = TypeVar("F", bound=Callable[..., Any])


def team_member() -> User:
    """The logged-in team member (the guard has already checked there is one)."""
    return cast(User, current_user._get_current_object())


def team_required(view: F) -> F:
    """For the few team views outside a guarded blueprint (logout, own password)."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        refused = guard_team()
        return refused if refused is not None else view(*args, **kwargs)

    return cast(F, guarded)


def requires(role: Role) -> Callable[[F], F]:
    """Mark a view as needing at least this role (the blueprint's guard enforces it)."""

    def mark(view: F) -> F:
        view.required_role = role  # type: ignore[attr-defined]
        return view

    return mark


def start_session(user: User) -> None:
    """Open a fresh session for this account, keeping only the visitor's language."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    login_user(user)
    session["auth_at"] = session["seen_at"] = time.time()


def end_session() -> None:
    """Forget the login on this device."""
    logout_user()
    for key in ("auth_at", "seen_at"):
        session.pop(key, None)


def guard_team(minimum: Role = Role.MODERATOR) -> ResponseReturnValue | None:
    """before_request of team blueprints: login, timeouts, then the view's role."""
    if not current_user.is_authenticated:  # type: ignore[attr-defined]
        return redirect(url_for("auth.login", next=request.full_path))
    now = time.time()
    idle = now - float(session.get("seen_at", 0))
    age = now - float(session.get("auth_at", 0))
    if idle > IDLE_SECONDS or age > ABSOLUTE_SECONDS:
        end_session()
        flash(_("Your session has ended. Please log in again."), "info")
        return redirect(url_for("auth.login", next=request.full_path))
    session["seen_at"] = now
    view = current_app.view_functions.get(request.endpoint or "")
    needed: Role = getattr(view, "required_role", minimum)
    if not team_member().role.includes(max(needed, minimum, key=lambda r: r.rank)):
        abort(403)
    return None
