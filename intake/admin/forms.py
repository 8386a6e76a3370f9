"""Account and audit-filter forms: shape only (uniqueness and password rules live in accounts)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from intake import labels
from intake.formtools import TextForm, as_choices
from intake.models import Role

# Ids are BIGINT on PostgreSQL: a larger cursor in a URL would be a database error.
MAX_ID = 2**63 - 1
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(9000, 1, 1)


def role_choices() -> list[SelectChoice]:
    """The roles, lowest first, under their translated names."""
    return as_choices((role.value, labels.ROLE[role]) for role in Role)


class AccountForm(TextForm):
    """Open an account for a team member."""

    email = EmailField(_l("E-mail address"), validators=[InputRequired(), Length(max=254)])
    display_name = StringField(
        _l("Name shown to the team"), validators=[Optional(), Length(max=100)]
    )
    role = SelectField(_l("Role"), choices=role_choices, default=Role.MODERATOR.value)
    password = PasswordField(
        _l("Initial password (12 characters or more)"), validators=[InputRequired()]
    )
    confirm = PasswordField(
        _l("Initial password, again"),
        validators=[InputRequired(), EqualTo("password", _l("The two passwords differ."))],
    )


class RoleForm(TextForm):
    """Give an account another role."""

    role = SelectField(_l("Role"), choices=role_choices)


def _stripped(value: str | None) -> str:
    return (value or "").strip()


def _plausible(form: TextForm, field: DateField) -> None:
    """Keep dates where time-zone arithmetic cannot overflow."""
    if field.data and not FIRST_DAY <= field.data <= LAST_DAY:
        raise ValidationError(_("Please give a date between 2000 and 9000."))


class AuditFilterForm(TextForm):
    """The filters of the audit log, sent in the query string."""

    class Meta:
        csrf = False  # a GET search changes nothing

    action = StringField(_l("Action"), validators=[Optional(), Length(max=64)], filters=[_stripped])
    actor = StringField(_l("Actor"), validators=[Optional(), Length(max=64)], filters=[_stripped])
    target = StringField(
        _l("Target id"), validators=[Optional(), Length(max=64)], filters=[_stripped]
    )
    since = DateField(_l("From"), validators=[Optional(), _plausible])
    until = DateField(_l("To (included)"), validators=[Optional(), _plausible])
    before = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_ID)])
    after = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_ID)])

    def validate_until(self, field: DateField) -> None:
        """The end of the range may not come before its start."""
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_("The end date comes before the start date."))
