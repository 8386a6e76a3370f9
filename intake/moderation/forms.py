"""The team's forms: shape only; states and rules live in the workflow."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    Field,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from intake.formtools import TextForm, as_choices
from intake.labels import DECLINE_REASON, STATUS, URGENCY
from intake.models import ScreeningLevel, SubmissionStatus
from intake.review import PAGE_SIZE, QueueFilters
from intake.sanitize import clean_line, clean_text
from intake.screening.identifying import Kind

TEXT_MAX, NOTE_MAX, URL_MAX, DETAIL_MAX = 40_000, 5_000, 500, 500
SELECTION = re.compile(r"^([A-Za-z0-9_-]{1,32}):(\d{1,9})$")
OPEN, EVERY = "open", "all"


def local_midnight(day: date) -> datetime:
    """The start of a day in the team's time zone, in UTC."""
    zone: Any = get_timezone()
    naive = datetime.combine(day, time.min)
    moment = zone.localize(naive) if hasattr(zone, "localize") else naive.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def today() -> date:
    """Today's date in the team's time zone."""
    return datetime.now(UTC).astimezone(get_timezone()).date()


class TeamForm(TextForm):
    """A form of the team's pages, with typed entry points (Flask-WTF's are unannotated)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def validate(self, extra_validators: Any = None) -> bool:
        return bool(super().validate(extra_validators))

    def validate_on_submit(self, extra_validators: Any = None) -> bool:
        return bool(super().validate_on_submit(extra_validators))


class QueueFilterForm(TeamForm):
    """The queue's filters, read from the query string."""

    class Meta:
        csrf = False

    status = SelectField(
        _l("Status"),
        choices=as_choices(
            [
                (OPEN, _l("To do (received, in review, waiting)")),
                *((s.value, label) for s, label in STATUS.items()),
                (EVERY, _l("All")),
            ]
        ),
        default=OPEN,
    )
    call = SelectField(_l("Call"), choices=[], default="")
    urgency = SelectField(
        _l("Screening"),
        choices=as_choices(
            [("", _l("All")), *((str(int(u)), URGENCY[u]) for u in reversed(ScreeningLevel))]
        ),
        default="",
    )
    assignee = SelectField(
        _l("Assigned to"),
        choices=as_choices(
            [("", _l("Anyone or nobody")), ("me", _l("Me")), ("nobody", _l("Nobody"))]
        ),
        default="",
    )
    received_from = DateField(_l("Received from"), validators=[Optional()])
    received_to = DateField(_l("Received until"), validators=[Optional()])

    def __init__(self, formdata: Any, calls: list[tuple[int, str]]) -> None:
        super().__init__(formdata=formdata)
        self.call.choices = as_choices(
            [
                ("", _l("All")),
                ("general", _l("General form")),
                *((str(call_id), title) for call_id, title in calls),
            ]
        )

    def filters(self, user_id: int) -> QueueFilters:
        """The filters chosen, as the queue query takes them."""
        status, call, assignee = self.status.data, self.call.data, self.assignee.data
        return QueueFilters(
            statuses=_statuses(status),
            call_id=int(call) if call.isdigit() else None,
            general_only=call == "general",
            urgency=ScreeningLevel(int(self.urgency.data)) if self.urgency.data else None,
            assignee_id=user_id if assignee == "me" else None,
            unassigned=assignee == "nobody",
            received_from=_day_start(self.received_from.data),
            received_before=_day_start(self.received_to.data, days=1),
        )


def _statuses(choice: str) -> frozenset[SubmissionStatus] | None:
    if choice == EVERY:
        return None
    return QueueFilters().statuses if choice == OPEN else frozenset({SubmissionStatus(choice)})


def _day_start(day: date | None, days: int = 0) -> datetime | None:
    return None if day is None else local_midnight(day + timedelta(days=days))


def _reasons() -> list[SelectChoice]:
    return as_choices((reason.value, label) for reason, label in DECLINE_REASON.items())


class BulkForm(TeamForm):
    """Several submissions ("public_id:version") and what to do with them."""

    selected = SelectMultipleField(
        choices=[],
        validate_choice=False,
        validators=[DataRequired(_l("Please select at least one submission."))],
    )
    action = SelectField(
        choices=as_choices([("spam", _l("Mark as spam")), ("decline", _l("Decline"))])
    )
    reason = SelectField(
        _l("Reason for declining"),
        choices=as_choices(
            [
                ("", _l("Choose a reason")),
                *((r.value, label) for r, label in DECLINE_REASON.items()),
            ]
        ),
        default="",
    )
    back = HiddenField()

    def validate_selected(self, field: Field) -> None:
        if len(field.data) > 2 * PAGE_SIZE or not all(SELECTION.match(v) for v in field.data):
            raise ValidationError(_l("This selection was not understood."))

    def validate_reason(self, field: Field) -> None:
        if self.action.data == "decline" and not field.data:
            raise ValidationError(_l("Please choose a reason to decline these submissions."))

    def selection(self) -> dict[str, int]:
        """The chosen submissions: public id → the version that was shown."""
        pairs = (SELECTION.match(v) for v in self.selected.data)
        return {m.group(1): int(m.group(2)) for m in pairs if m}


class VersionForm(TeamForm):
    """An action on a submission, with the version the moderator saw."""

    version = IntegerField(validators=[InputRequired(), NumberRange(min=1)])


class RerateForm(VersionForm):
    """A moderator's own judgement of the crisis rating."""

    level = SelectField(
        _l("Crisis rating"),
        choices=as_choices((str(int(level)), label) for level, label in URGENCY.items()),
        validators=[InputRequired()],
    )


class RedactForm(VersionForm):
    """One identifying detail to replace, here (``start``) or everywhere."""

    detail = HiddenField(validators=[InputRequired(), Length(max=DETAIL_MAX)])
    kind = HiddenField(validators=[InputRequired()])
    start = IntegerField(validators=[Optional(), NumberRange(min=0)])
    scope = HiddenField(validators=[InputRequired()])

    def validate_kind(self, field: Field) -> None:
        if field.data not in {kind.value for kind in Kind}:
            raise ValidationError(_l("This kind of detail is unknown."))

    def validate_scope(self, field: Field) -> None:
        if field.data not in ("one", "all"):
            raise ValidationError(_l("Choose this occurrence or every one."))
        if field.data == "one" and self.start.data is None:
            raise ValidationError(_l("Choose this occurrence or every one."))


class PublishableForm(VersionForm):
    """The moderators' redacted version of the story."""

    text = TextAreaField(
        _l("Publishable version"),
        filters=[clean_text],
        validators=[
            DataRequired(_l("The publishable version cannot be empty.")),
            Length(max=TEXT_MAX, message=_l("Please keep this text under %(max)d characters.")),
        ],
    )


class NoteForm(TeamForm):
    """An internal note."""

    note = TextAreaField(
        _l("New internal note"),
        filters=[clean_text],
        validators=[
            DataRequired(_l("Please write the note.")),
            Length(max=NOTE_MAX, message=_l("Please keep this text under %(max)d characters.")),
        ],
    )


class QuestionForm(VersionForm):
    """A question for the person, read with their follow-up code."""

    question = TextAreaField(
        _l("Your question"),
        filters=[clean_text],
        validators=[
            DataRequired(_l("Please write the question.")),
            Length(max=NOTE_MAX, message=_l("Please keep this text under %(max)d characters.")),
        ],
    )


class DeclineForm(VersionForm):
    """Declining, with a reason the person will read."""

    reason = SelectField(
        _l("Reason (the person will read it)"),
        choices=_reasons(),
    )
    explanation = TextAreaField(
        _l("A few words for the person (optional)"),
        filters=[clean_text],
        validators=[
            Length(max=NOTE_MAX, message=_l("Please keep this text under %(max)d characters."))
        ],
    )


def _web_address(form: TextForm, field: Field) -> None:
    parts = urlsplit(field.data or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError(_l("Please give the article's address, starting with https://."))


class PublishForm(VersionForm):
    """Where and when an approved story was published."""

    url = URLField(
        _l("Address of the article"),
        filters=[clean_line],
        validators=[
            DataRequired(_l("Please give the article's address, starting with https://.")),
            Length(max=URL_MAX, message=_l("Please keep this text under %(max)d characters.")),
            _web_address,
        ],
    )
    published_on = DateField(
        _l("Publication date"),
        validators=[InputRequired(_l("Please give the publication date."))],
    )
