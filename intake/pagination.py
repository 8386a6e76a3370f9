"""Keyset pagination: the sort key of a page's last row, as an opaque token for a link."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

# A few values only: anything longer was not made here (and is not worth parsing).
MAX_TOKEN = 200


class InvalidCursor(ValueError):
    """A pagination cursor this application did not make."""


def pack_cursor(*values: int | str) -> str:
    """An opaque, URL-safe token for the sort key of a page's last row."""
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unpack_cursor(token: str, shape: tuple[type, ...]) -> list[Any]:
    """The values packed in a token, checked against the expected types."""
    if len(token) > MAX_TOKEN:
        raise InvalidCursor(token[:MAX_TOKEN])
    try:
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except ValueError as error:
        raise InvalidCursor(token) from error
    if not isinstance(values, list) or [type(v) for v in values] != list(shape):
        raise InvalidCursor(token)
    return values


def parse_moment(text: str) -> datetime:
    """An aware datetime written by ``datetime.isoformat``."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise InvalidCursor(text) from error
    if moment.tzinfo is None:
        raise InvalidCursor(text)
    return moment
