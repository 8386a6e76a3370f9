"""Login and password forms: shape only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField
from wtforms.validators import EqualTo, InputRequired

from intake.formtools import TextForm


class LoginForm(TextForm):
    """Address and password."""

    email = EmailField(_l("E-mail address"), validators=[InputRequired()])
    password = PasswordField(_l("Password"), validators=[InputRequired()])


class PasswordForm(TextForm):
    """Change one's own password."""

    current = PasswordField(_l("Current password"), validators=[InputRequired()])
    new = PasswordField(_l("New password (12 characters or more)"), validators=[InputRequired()])
    confirm = PasswordField(
        _l("New password, again"),
        validators=[InputRequired(), EqualTo("new", _l("The two new passwords differ."))],
    )
