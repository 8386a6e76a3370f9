"""Small pieces shared by the forms of every blueprint."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wtforms.fields.choices import SelectChoice


def as_choices(pairs: Iterable[tuple[str, Any]]) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs; labels may be lazy, translated on render."""
    return [SelectChoice(value, label) for value, label in pairs]
