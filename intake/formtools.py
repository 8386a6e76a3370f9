"""Small pieces shared by the forms of every blueprint."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from werkzeug.datastructures import ImmutableMultiDict
from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget


def as_choices(pairs: Iterable[tuple[str, Any]]) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs; labels may be lazy, translated on render."""
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    """Several choices shown as check boxes."""

    widget = ListWidget(prefix_label=False)  # type: ignore[assignment]
    option_widget = CheckboxInput()  # type: ignore[assignment]


class TextForm(FlaskForm):
    """The base of every form: its fields read the text of the request's form, and only that.

    Flask-WTF's default also hands file parts and JSON values to the fields named like them,
    and a text field given a file or an object fails with a 500. No form here has a file
    input or takes JSON, so neither is read: the field is missing, and says so like any
    other. NUL bytes go too: nobody types one, and PostgreSQL refuses them in text.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form: FlaskForm, formdata: Any) -> Any:
            """The form's text without NUL bytes; from the request's form unless given."""
            if formdata is not None and not hasattr(formdata, "getlist"):
                # Flask-WTF's marker for « read the request », not data itself.
                formdata = (request.form or None) if form.is_submitted() else None
            return None if formdata is None else text_only(formdata)


def text_only(formdata: Any) -> ImmutableMultiDict[str, str]:
    """The text values of form data, without NUL bytes; anything else (files) left out."""
    return ImmutableMultiDict(
        (name, value.replace("\x00", ""))
        for name, value in formdata.items(multi=True)
        if isinstance(value, str)
    )
