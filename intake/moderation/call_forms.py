"""The editors' forms for calls and their questions: shape only; the rules live in call_admin."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    Field,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from intake.call_admin import CALL_FIELDS, QUESTION_FIELDS, SLUG_MAX, CallFields, QuestionFields
from intake.formtools import MultiCheckboxField, as_choices
from intake.labels import PURPOSE
from intake.models import Call, CallQuestion, Purpose, QuestionKind
from intake.moderation.forms import TeamForm
from intake.sanitize import clean_line, clean_text

TITLE_MAX, SUMMARY_MAX, BODY_MAX, MESSAGE_MAX = 200, 1_000, 20_000, 2_000
LABEL_MAX, HELP_MAX, ANSWER_MAX, CHOICE_MAX, CHOICES_MAX = 500, 1_000, 20_000, 200, 50
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CHOICE_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)
KIND_LABELS = {
    QuestionKind.SHORT_TEXT: _l("Short text"),
    QuestionKind.LONG_TEXT: _l("Long text"),
    QuestionKind.SINGLE_CHOICE: _l("One choice among several"),
    QuestionKind.MULTIPLE_CHOICE: _l("Several choices"),
}
TOO_LONG = _l("Please keep this text under %(max)d characters.")


def team_zone() -> ZoneInfo:
    """The team's time zone (Europe/Paris), as zoneinfo, which knows summer time."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_to_utc(moment: datetime | None) -> datetime | None:
    """A wall-clock time in the team's zone, in UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=team_zone()).astimezone(UTC)


def utc_to_local(moment: datetime | None) -> datetime | None:
    """A UTC instant as the team's wall-clock time (for datetime-local inputs)."""
    if moment is None:
        return None
    return moment.astimezone(team_zone()).replace(tzinfo=None)


def _exists_locally(form: Any, field: Field) -> None:
    """Refuse a time skipped by the change to summer time (02:30 on the last Sunday of March)."""
    local = field.data
    if local is not None and utc_to_local(local_to_utc(local)) != local:
        raise ValidationError(
            _l("This time does not exist in Paris (change of time): please pick another.")
        )


class CallForm(TeamForm):
    """A call's texts, dates and what it asks."""

    title = StringField(
        _l("Title"),
        filters=[clean_line],
        validators=[
            InputRequired(_l("Please give the call a title.")),
            Length(max=TITLE_MAX, message=TOO_LONG),
        ],
    )
    slug = StringField(
        _l("Address (slug)"),
        filters=[lambda value: clean_line(value).lower()],
        validators=[Optional(), Length(max=SLUG_MAX, message=TOO_LONG)],
    )
    summary = TextAreaField(
        _l("Summary"), filters=[clean_text], validators=[Length(max=SUMMARY_MAX, message=TOO_LONG)]
    )
    body_markdown = TextAreaField(
        _l("Description (Markdown)"),
        filters=[clean_text],
        validators=[Length(max=BODY_MAX, message=TOO_LONG)],
    )
    opens_at = DateTimeLocalField(
        _l("Opens on (Paris time)"),
        format=LOCAL_FORMAT,
        validators=[Optional(), _exists_locally],
    )
    closes_at = DateTimeLocalField(
        _l("Closes on (Paris time)"),
        format=LOCAL_FORMAT,
        validators=[Optional(), _exists_locally],
    )
    anonymous_only = BooleanField(_l("Anonymous stories only (no name, no credit)"))
    min_age = IntegerField(
        _l("Minimum age"),
        default=15,
        validators=[
            InputRequired(_l("Please give the minimum age, between 13 and 99.")),
            NumberRange(
                min=13, max=99, message=_l("Please give the minimum age, between 13 and 99.")
            ),
        ],
    )
    publication_uses = MultiCheckboxField(
        _l("Publication uses this call asks consent for"),
        choices=as_choices((p.value, PURPOSE[p]) for p in Purpose.publication()),
        validators=[InputRequired(_l("Please choose at least one publication use."))],
    )
    thank_you_message = TextAreaField(
        _l("Thank-you message"),
        filters=[clean_text],
        validators=[Length(max=MESSAGE_MAX, message=TOO_LONG)],
    )

    def validate_slug(self, field: Field) -> None:
        if field.data and not SLUG.match(field.data):
            raise ValidationError(
                _l("Use only lowercase letters without accents, digits and hyphens.")
            )

    def validate_closes_at(self, field: Field) -> None:
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The call must close after it opens."))

    def fields(self) -> CallFields:
        """What was typed, dates in UTC, for call_admin."""
        return CallFields(
            title=self.title.data,
            slug=self.slug.data or None,
            summary=self.summary.data,
            body_markdown=self.body_markdown.data,
            opens_at=local_to_utc(self.opens_at.data),
            closes_at=local_to_utc(self.closes_at.data),
            anonymous_only=bool(self.anonymous_only.data),
            min_age=int(self.min_age.data),
            publication_uses=[
                p.value for p in Purpose.publication() if p.value in self.publication_uses.data
            ],
            thank_you_message=self.thank_you_message.data,
        )

    @classmethod
    def of(cls, call: Call) -> CallForm:
        """The form filled with a call as it is (times shown in Paris time)."""
        data = {name: getattr(call, name) for name in ("slug", *CALL_FIELDS)}
        data.update(opens_at=utc_to_local(call.opens_at), closes_at=utc_to_local(call.closes_at))
        return cls(formdata=None, data=data)


class QuestionForm(TeamForm):
    """One question of a call."""

    label = StringField(
        _l("Question"),
        filters=[clean_line],
        validators=[
            InputRequired(_l("Please write the question.")),
            Length(max=LABEL_MAX, message=TOO_LONG),
        ],
    )
    kind = SelectField(
        _l("Kind of answer"),
        choices=as_choices((k.value, label) for k, label in KIND_LABELS.items()),
        default=QuestionKind.SHORT_TEXT.value,
    )
    required = BooleanField(_l("An answer is required"))
    help_text = TextAreaField(
        _l("Help text (optional)"),
        filters=[clean_text],
        validators=[Length(max=HELP_MAX, message=TOO_LONG)],
    )
    max_length = IntegerField(
        _l("Maximum length of the answer (characters)"),
        default=2000,
        validators=[
            InputRequired(_l("Please give a maximum length between 1 and 20,000 characters.")),
            NumberRange(
                min=1,
                max=ANSWER_MAX,
                message=_l("Please give a maximum length between 1 and 20,000 characters."),
            ),
        ],
    )
    choices = TextAreaField(
        _l("Choices, one per line (choice questions only)"),
        filters=[clean_text],
        validators=[Length(max=CHOICES_MAX * CHOICE_MAX, message=TOO_LONG)],
    )
    publishable = BooleanField(_l("The answer may be published (and exported)"))

    def choice_list(self) -> list[str]:
        """The choices typed, one per line, blank lines and repeats dropped."""
        lines = (clean_line(line) for line in (self.choices.data or "").split("\n"))
        return list(dict.fromkeys(line for line in lines if line))

    def validate_choices(self, field: Field) -> None:
        if self.kind.data not in CHOICE_KINDS:
            return
        choices = self.choice_list()
        if len(choices) < 2:
            raise ValidationError(_l("Please give at least two choices, one per line."))
        if len(choices) > CHOICES_MAX or any(len(c) > CHOICE_MAX for c in choices):
            raise ValidationError(
                _l(
                    "Please give at most %(count)d choices of at most %(max)d characters each.",
                    count=CHOICES_MAX,
                    max=CHOICE_MAX,
                )
            )

    def fields(self) -> QuestionFields:
        """What was typed, for call_admin."""
        return QuestionFields(
            label=self.label.data,
            kind=QuestionKind(self.kind.data),
            required=bool(self.required.data),
            help_text=self.help_text.data,
            max_length=int(self.max_length.data),
            choices=self.choice_list(),
            publishable=bool(self.publishable.data),
        )

    @classmethod
    def of(cls, question: CallQuestion) -> QuestionForm:
        """The form filled with a question as it is."""
        data = {name: getattr(question, name) for name in QUESTION_FIELDS}
        data.update(kind=question.kind.value, choices="\n".join(question.choices))
        return cls(formdata=None, data=data)


class MoveForm(TeamForm):
    """Move a question up or down."""

    direction = SelectField(choices=as_choices([("up", _l("Up")), ("down", _l("Down"))]))

    def offset(self) -> int:
        """-1 for up, +1 for down."""
        return -1 if self.direction.data == "up" else 1
