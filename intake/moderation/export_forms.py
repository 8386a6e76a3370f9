"""The export page's forms: filters, format, and marking several stories published."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    URLField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from intake.exports import ExportFilters
from intake.exports.formats import FORMATS
from intake.exports.selection import EXPORTABLE
from intake.formtools import as_choices
from intake.labels import PURPOSE, STATUS
from intake.models import Purpose, SubmissionStatus
from intake.moderation.forms import SELECTION, URL_MAX, TeamForm
from intake.sanitize import clean_line

PUBLISH_ROWS_MAX = 100
FORMAT_LABELS = {
    "csv": _l("CSV (spreadsheet)"),
    "jsonl": _l("JSON Lines"),
    "md": _l("Markdown (ZIP, one file per story)"),
    "docx": _l("Word (.docx)"),
    "wxr": _l("WordPress (WXR, draft posts; only stories agreed for the website)"),
}
FILTER_FIELDS = ("use", "call", "status", "since", "until")


class ExportFilterForm(TeamForm):
    """Which stories: read from the query string to count them, or posted to download them."""

    use = SelectField(
        _l("Use"),
        choices=as_choices(
            [
                ("", _l("Any use consented to")),
                *((p.value, PURPOSE[p]) for p in Purpose.publication()),
            ]
        ),
        default="",
    )
    call = SelectField(_l("Call"), choices=[], default="")
    status = SelectField(
        _l("Status"),
        choices=as_choices(
            [("", _l("Approved or published")), *((s.value, STATUS[s]) for s in EXPORTABLE)]
        ),
        default="",
    )
    since = DateField(_l("Received from"), validators=[Optional()])
    until = DateField(_l("Received until"), validators=[Optional()])

    def __init__(self, *args: Any, calls: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.call.choices = as_choices(
            [("", _l("All")), *((str(call_id), title) for call_id, title in calls)]
        )

    def validate_until(self, field: Field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date comes before the start date."))

    def filters_valid(self) -> bool:
        """Whether the filters were read without error (a form not yet validated has none)."""
        return not any(self[name].errors for name in FILTER_FIELDS)

    def filters(self) -> ExportFilters:
        """The filters chosen, as the export selection takes them."""
        return ExportFilters(
            use=Purpose(self.use.data) if self.use.data else None,
            call_id=int(self.call.data) if self.call.data else None,
            status=SubmissionStatus(self.status.data) if self.status.data else None,
            since=self.since.data,
            until=self.until.data,
        )

    def query(self) -> dict[str, str]:
        """The chosen filters as text, to carry them into the download form."""
        values = {
            "use": self.use.data,
            "call": self.call.data,
            "status": self.status.data,
            "since": _iso(self.since.data),
            "until": _iso(self.until.data),
        }
        return {name: value for name, value in values.items() if value}


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


class DownloadForm(ExportFilterForm):
    """The filters again (hidden), the format and the Excel option."""

    format = SelectField(_l("Format"), choices=as_choices(FORMAT_LABELS.items()), default="csv")
    excel = BooleanField(_l("CSV for Excel (semicolons, so that French Excel opens it as is)"))

    def validate_format(self, field: Field) -> None:
        if field.data not in FORMATS:
            raise ValidationError(_l("Please choose a format."))


class PublishRowForm(Form):
    """One approved story: ticked or not, and the address of its article."""

    key = HiddenField(validators=[InputRequired()])
    selected = BooleanField(_l("Select"))
    url = URLField(
        _l("Address of the article"),
        filters=[clean_line],
        validators=[
            Length(max=URL_MAX, message=_l("Please keep this text under %(max)d characters."))
        ],
    )

    def validate_key(self, field: Field) -> None:
        if not SELECTION.match(field.data or ""):
            raise ValidationError(_l("This selection was not understood."))

    def validate_url(self, field: Field) -> None:
        parts = urlsplit(field.data or "")
        if self.selected.data and (parts.scheme not in ("http", "https") or not parts.netloc):
            raise ValidationError(_l("Please give the article's address, starting with https://."))

    @property
    def public_id(self) -> str:
        """The story this row stands for."""
        return str(self.key.data).split(":", 1)[0]


class PublishManyForm(TeamForm):
    """Several approved stories, each with its article's address, and one publication date."""

    rows = FieldList(FormField(PublishRowForm), max_entries=PUBLISH_ROWS_MAX)
    published_on = DateField(
        _l("Publication date"),
        validators=[InputRequired(_l("Please give the publication date."))],
    )

    def validate_rows(self, field: Field) -> None:
        if not any(row.selected.data for row in self.rows):
            raise ValidationError(_l("Please select at least one story."))

    def selection(self) -> dict[str, tuple[int, str]]:
        """The ticked stories: public id → (the version shown, the article's address)."""
        chosen = {}
        for row in self.rows:
            match = SELECTION.match(row.key.data or "")
            if row.selected.data and match:
                chosen[match.group(1)] = (int(match.group(2)), str(row.url.data))
        return chosen
