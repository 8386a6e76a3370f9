"""Small pieces shared by the forms of every blueprint."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

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
