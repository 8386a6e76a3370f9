"""Team accounts: list them, open one, change a role, close one."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime
from flask_babel import gettext as _

from intake import accounts, labels
from intake.admin.blueprint import bp
from intake.admin.forms import AccountForm, RoleForm, role_choices
from intake.auth.guard import team_member
from intake.auth.views import password_rule
from intake.emails import InvalidEmail
from intake.extensions import db
from intake.models import Role, User


@bp.get("/comptes")
def users() -> ResponseReturnValue:
    """The team accounts, and a form to open one."""
    return _render(AccountForm())


@bp.post("/comptes")
def create_user() -> ResponseReturnValue:
    """Open an account with an initial password."""
    form = AccountForm()
    if not form.validate_on_submit():
        return _render(form, 422)
    try:
        user = accounts.create_user(
            form.email.data,
            form.display_name.data or "",
            Role(form.role.data),
            form.password.data,
            actor=team_member().actor,
        )
    except accounts.WeakPassword as weak:
        form.password.errors = (password_rule(weak.reason),)
    except accounts.AccountExists:
        form.email.errors = (_("An account already uses this address."),)
    except InvalidEmail:
        form.email.errors = (_("This e-mail address is not valid."),)
    else:
        db.session.commit()
        flash(_("The account of %(name)s is open.", name=user.display_name), "info")
        return redirect(url_for(".users"), 303)
    return _render(form, 422)


@bp.post("/comptes/<int:user_id>/role")
def change_role(user_id: int) -> ResponseReturnValue:
    """Give an account another role; nobody takes their own administrator role away."""
    user, me = _account(user_id), team_member()
    form = RoleForm()
    if not form.validate_on_submit():
        return _refuse(_("Please choose one of the roles."))
    role = Role(form.role.data)
    try:
        accounts.change_role(user, role, actor=me.actor)
    except accounts.OwnAccount:
        return _refuse(
            _("You cannot remove your own administrator role: ask another administrator.")
        )
    db.session.commit()
    flash(_("%(name)s is now: %(role)s.", name=user.display_name, role=labels.ROLE[role]), "info")
    return redirect(url_for(".users"), 303)


@bp.post("/comptes/<int:user_id>/desactiver")
def deactivate_user(user_id: int) -> ResponseReturnValue:
    """Close an account and end its sessions; nobody closes their own."""
    user, me = _account(user_id), team_member()
    try:
        accounts.deactivate_user(user, actor=me.actor)
    except accounts.OwnAccount:
        return _refuse(_("You cannot deactivate your own account: ask another administrator."))
    db.session.commit()
    flash(_("The account of %(name)s is deactivated.", name=user.display_name), "info")
    return redirect(url_for(".users"), 303)


def _account(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _refuse(message: str) -> ResponseReturnValue:
    """Show the accounts again with the reason an action was refused."""
    return _render(AccountForm(formdata=None), 422, notice=message)


def _render(form: AccountForm, status: int = 200, notice: str | None = None) -> ResponseReturnValue:
    return render_template(
        "admin/users.html",
        form=form,
        accounts=accounts.list_users(),
        me=team_member(),
        roles=role_choices(),
        notice=notice,
        format_datetime=format_datetime,
    ), status
