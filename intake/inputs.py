"""Where a request's address enters: its path parameters and its query string.

Two rules hold here so that no view has to think of them. A path parameter is one segment of
text without control characters: no slug, language code or public id has one, and PostgreSQL
refuses NUL in text, so such an address names nothing (404) before any query runs. A query
string is UTF-8: raw bytes that are not stay percent-encoded, as werkzeug already keeps
percent-encoded ones, instead of failing every page that reads it (the error page too). What
forms read is the other entry, ruled once in ``intake.formtools.TextForm``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from flask import Flask, Request
from werkzeug.routing import BaseConverter

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

_PRINTABLE_ASCII = bytes(range(0x21, 0x7F)).decode()


class PathSegment(BaseConverter):
    """A path parameter: text up to the next slash, without C0 or C1 control characters."""

    regex = r"[^/\x00-\x1f\x7f-\x9f]+"
    # The slash in the regex is excluded, not matched: the segment stands alone.
    part_isolating = True


class TextRequest(Request):
    """A request whose query string is always valid UTF-8."""

    def __init__(
        self, environ: WSGIEnvironment, populate_request: bool = True, shallow: bool = False
    ) -> None:
        super().__init__(environ, populate_request, shallow)
        self.query_string = utf8_query(self.query_string)


def utf8_query(raw: bytes) -> bytes:
    """The query string as sent if it is UTF-8, else with every byte past ASCII encoded."""
    try:
        raw.decode()
    except UnicodeDecodeError:
        return quote(raw, safe=_PRINTABLE_ASCII).encode()
    return raw


def register_inputs(app: Flask) -> None:
    """Use these rules for every request and every route (call before adding routes)."""
    app.request_class = TextRequest
    app.url_map.converters["default"] = app.url_map.converters["string"] = PathSegment
