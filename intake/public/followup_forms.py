"""The follow-up forms: shape only; what each one may change lives in intake.workflow."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Field, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from intake.formtools import TextForm
from intake.models import Purpose
from intake.public.forms import MESSAGE_MAX
from intake.sanitize import clean_line, clean_text

_too_long = _l("Please keep your message under %(max)d characters.")


class CodeForm(TextForm):
    """The follow-up code, and what the person was writing when their session ended."""

    # No validators: an empty, malformed or unknown code gets one answer and one trace
    # (intake.followup.open_session); codes.normalize_code checks the shape.
    code = StringField(_l("Your follow-up code"), filters=[clean_line])
    # A message the person was writing, carried through this form so that nothing is lost.
    draft = HiddenField(filters=[clean_text])
    draft_for = HiddenField()


class AnswerForm(TextForm):
    """The person's message to the team."""

    message = TextAreaField(
        _l("Your message to the team"),
        filters=[clean_text],
        # DataRequired reads the text after clean_text: a message of spaces is empty.
        validators=[
            DataRequired(_l("Please write your message.")),
            Length(max=MESSAGE_MAX, message=_too_long),
        ],
    )


class RereadForm(TextForm):
    """The person's decision on the edited version they were shown."""

    fingerprint = HiddenField(validators=[InputRequired()])
    comment = TextAreaField(
        _l("What would you like us to change?"),
        filters=[clean_text],
        validators=[Length(max=MESSAGE_MAX, message=_too_long)],
    )
    accept = SubmitField(_l("I accept this version"))
    ask_changes = SubmitField(_l("I would like changes"))

    def validate_comment(self, field: Field) -> None:
        if self.ask_changes.data and not field.data:
            raise ValidationError(_l("Please tell us what you would like us to change."))


class ConsentForm(TextForm):
    """Give or take back one use."""

    purpose = HiddenField(validators=[InputRequired()])
    granted = HiddenField(validators=[InputRequired()])

    def validate_purpose(self, field: Field) -> None:
        if field.data not in {purpose.value for purpose in Purpose}:
            raise ValidationError(_l("This choice cannot be changed here."))

    def validate_granted(self, field: Field) -> None:
        if field.data not in ("0", "1"):
            raise ValidationError(_l("This choice cannot be changed here."))


class PlainForm(TextForm):
    """A button and its token: download, withdraw, leave."""
