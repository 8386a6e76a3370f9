"""Hostile input on every route never gets a server error.

Every rule of the URL map is walked with every method it accepts, as a visitor (holding a
follow-up session) and as each team role, and every answer must be below 500. Path
parameters, query names and form fields get NUL and other control characters, CR/LF, invalid
UTF-8 (raw bytes), file parts, JSON and 1 MB values. The fields are the ones each form really
has: the inputs of the pages' forms that post to the route, the fields the view's own forms
read (recorded while a plausible request runs), and the query names views read themselves.

Every identity sends every route the probes that change the whole request (its path, its
query, its body at once). The probes that change one field at a time, the others plausible,
are sent once per route, by the identity whose side it is on: the visitor on public pages,
each team role on the pages no lower role may open; the fields are read by the same code for
everyone who gets that far. The walk is a fixed enumeration, so a failure names its request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import KW_ONLY, dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule
from wtforms import Field

from intake import accounts
from intake.extensions import db
from intake.models import ContactMessage, QuestionKind, Submission
from tests.helpers import (
    AuthActions,
    FormPage,
    filled_contact,
    filled_testimony,
    make_call,
    make_user,
    question,
    receipt_code,
)
from tests.test_access import LOGIN, TEAM_PAGES_AMONG_PUBLIC, is_public, needed_role

# Each identity, and a route it must probe one field at a time (the walk reached its side).
IDENTITIES = {
    "visitor": "public.testimony",
    "moderator": "moderation.add_note",
    "editor": "moderation.new_call",
    "admin": "admin.create_user",
}
# Query names views read from request.args themselves, outside any form.
QUERY_NAMES = ["next", "after", "before", "statut"]
# Requests that end the session or erase what the others point at run last, in this order.
LAST = (
    "admin.deactivate_user",
    "moderation.contact_delete",
    "moderation.delete",
    "public.followup_withdraw",
    "public.followup_leave",
    "auth.logout",
)
FORM = "application/x-www-form-urlencoded"
# A body over MAX_CONTENT_LENGTH (512 KiB) is refused whole; one just under reaches the fields.
MEGABYTE, LARGE = 1_000_000, 400_000
# gunicorn refuses a request line over 4094 bytes (limit_request_line): no URL is longer.
URL_MAX = 4_000

# Text values. Each starts with a slash, so that a field holding a path on this site (next,
# back) takes it in, and is sent after the field's plausible value (a story long enough),
# so that it gets past the checks of shape to the code behind them.
HOSTILE_TEXT = {
    "NUL and controls": "/avant\x00\x01\x08\x0b\x1b\x7f\x85\u202e\u2028après",
    "CR/LF": "/ligne\r\nSet-Cookie: piege=1\nfin\r",
}
# Bytes that are not UTF-8, sent raw (a server hands them over as they came).
INVALID_UTF8 = b"\xff\xfe\xc3("
FILE_PART = (b"Une histoire dans un fichier.\x00\xff", "histoire.txt")
# Path values: the raw bytes a server passes on once it has percent-decoded the URL.
HOSTILE_PATHS = {
    "NUL": b"\x00",
    "NUL inside": b"a\x00b",
    "CR/LF": b"a\r\nb",
    "controls": b"\x01\x1b\x7f",
    "invalid UTF-8": INVALID_UTF8,
    "4 KB": b"a" * URL_MAX,
}
QUERY_VALUES = {**HOSTILE_TEXT, "4 KB": "a" * URL_MAX}
# Plausible values for the fields a page leaves empty.
GOOD_VALUES: dict[str, dict[str, Any]] = {
    "public.testimony": filled_testimony(),
    "public.call_page": filled_testimony(),
    "public.contact": filled_contact(),
    "public.followup_answer": {"message": "Merci pour votre message, voici ma réponse."},
}

Pairs = list[tuple[str, str]]


@dataclass(frozen=True)
class Probe:
    """One request of the walk: a label for the report, and the request as raw bytes."""

    label: str
    method: str
    path: bytes
    _: KW_ONLY
    query: bytes = b""
    body: bytes | None = None
    content_type: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


# --- Reading the forms of a page ---------------------------------------------------------


@dataclass
class PageForm:
    """A form as a browser sees it: where it goes, its field names and what it would send."""

    action: str
    method: str
    names: list[str] = field(default_factory=list)
    values: Pairs = field(default_factory=list)


class FormReader(HTMLParser):
    """Every form of a page, with the names and default values of its fields."""

    def __init__(self, page_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._textarea: tuple[str, list[str]] | None = None
        self._select: str | None = None
        self._options: Pairs = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = PageForm(a.get("action") or self.page_path, a.get("method", "get").upper())
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "option" and self._select is not None:
            option = (self._select, a.get("value", ""))
            if "selected" in a:
                self._options.insert(0, option)
            else:
                self._options.append(option)
        elif a.get("name"):
            self._form.names.append(a["name"])
            if tag == "textarea":
                self._textarea = (a["name"], [])
            elif tag == "select":
                self._select, self._options = a["name"], []
            elif tag == "input":
                self._input(a)

    def _input(self, a: dict[str, str]) -> None:
        assert self._form is not None
        kind = a.get("type", "text")
        if kind in ("checkbox", "radio"):
            if "checked" in a:
                self._form.values.append((a["name"], a.get("value", "on")))
        elif kind not in ("submit", "button", "image", "reset", "file"):
            self._form.values.append((a["name"], a.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._form is None:
            return
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            self._form.values.append((name, "".join(text).removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            self._form.values.extend(self._options[:1])
            self._select = None


# --- Encoding requests ---------------------------------------------------------------------


def urlencoded(pairs: Pairs, raw: bytes = b"") -> bytes:
    """A form body as a browser encodes it, with raw bytes appended as they are."""
    return urlencode(pairs).encode() + raw


def multipart(parts: list[tuple[str, bytes, str | None]]) -> tuple[bytes, str]:
    """A multipart body from (name, content, file name or None for a text part)."""
    boundary = "intake-hostile-input"
    body = b""
    for name, content, filename in parts:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
        if filename is not None:
            head += f'; filename="{filename}"\r\nContent-Type: text/plain'
        body += head.encode() + b"\r\n\r\n" + content + b"\r\n"
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def replaced(pairs: Pairs, name: str, value: str) -> Pairs:
    """The pairs with this field (and only it) set to the value."""
    return [(k, v) for k, v in pairs if k != name] + [(name, value)]


# --- What to send --------------------------------------------------------------------------


def query_probes(label: str, method: str, path: bytes, names: list[str]) -> Iterator[Probe]:
    """Each query name in turn gets each hostile value, then percent-encoded invalid UTF-8."""
    for name in names:
        for kind, value in QUERY_VALUES.items():
            query = urlencode([(name, value)]).encode()
            yield Probe(f"{label} [query {name}: {kind}]", method, path, query=query)
        query = f"{quote(name)}=/%FF%FE%C3%28".encode()
        yield Probe(f"{label} [query {name}: %FF]", method, path, query=query)


def whole_query_probes(label: str, method: str, path: bytes, names: list[str]) -> Iterator[Probe]:
    """Every query name at once gets each hostile value, then raw invalid UTF-8."""
    for kind, value in QUERY_VALUES.items():
        query = urlencode([(name, value) for name in names]).encode()
        yield Probe(f"{label} [query: {kind}]", method, path, query=query)
    raw = b"&".join(quote(name).encode() + b"=/" + INVALID_UTF8 for name in names)
    yield Probe(f"{label} [query: raw invalid UTF-8]", method, path, query=raw)


def field_probes(
    label: str, method: str, path: bytes, base: Pairs, names: list[str]
) -> Iterator[Probe]:
    """Each field in turn gets each hostile value after its plausible one."""
    plausible = dict(base)
    for name in names:
        start = plausible.get(name, "")
        for kind, value in {**HOSTILE_TEXT, "400 KB": "a" * LARGE}.items():
            body = urlencoded(replaced(base, name, start + value))
            yield Probe(f"{label} [{name}: {kind}]", method, path, body=body, content_type=FORM)
        others = [(k, v.encode(), None) for k, v in base if k != name]
        for kind, part in (
            ("file part", (name, *FILE_PART)),
            ("invalid UTF-8", (name, start.encode() + INVALID_UTF8, None)),
        ):
            body, content_type = multipart([*others, part])
            yield Probe(
                f"{label} [{name}: {kind}]", method, path, body=body, content_type=content_type
            )


def whole_body_probes(
    label: str, method: str, path: bytes, token: Pairs, names: list[str]
) -> Iterator[Probe]:
    """Every field at once: hostile text, file parts, raw invalid UTF-8, 1 MB, JSON."""
    for kind, value in HOSTILE_TEXT.items():
        body = urlencoded(token + [(n, value) for n in names])
        yield Probe(f"{label} [every field: {kind}]", method, path, body=body, content_type=FORM)
    parts = [(k, v.encode(), None) for k, v in token] + [(n, *FILE_PART) for n in names]
    body, content_type = multipart(parts)
    yield Probe(
        f"{label} [every field: file part]", method, path, body=body, content_type=content_type
    )
    raw = b"".join(b"&" + quote(n).encode() + b"=" + INVALID_UTF8 for n in names)
    body = urlencoded(token, raw)
    yield Probe(
        f"{label} [every field: raw invalid UTF-8]", method, path, body=body, content_type=FORM
    )
    body = urlencoded([*token, *((n, "a" * MEGABYTE) for n in names[:2])])
    yield Probe(f"{label} [1 MB values]", method, path, body=body, content_type=FORM)
    body = json.dumps({n: {"objet": [1, None]} for n in names}).encode()
    headers = tuple(("X-CSRFToken", v) for _, v in token)
    yield Probe(
        f"{label} [JSON body]",
        method,
        path,
        body=body,
        content_type="application/json",
        headers=headers,
    )


# --- The walk ------------------------------------------------------------------------------


@dataclass
class Walk:
    """One identity's walk: its client, what its paths point at, and what it found."""

    app: Flask
    identity: str
    client: FlaskClient
    samples: dict[str, str]
    recorded: set[str]
    forms: dict[tuple[str, str], list[PageForm]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    in_depth: set[str] = field(default_factory=set)

    def path(self, rule: Rule, hostile: bytes | None = None) -> bytes:
        """The rule's path: what it points at, or one hostile value in every argument."""

        def fill(match: re.Match[str]) -> str:
            name = match.group(1).rsplit(":", 1)[-1]
            if name == "public_id" and rule.endpoint.startswith("moderation.contact"):
                name = "contact_id"
            return "\0" if hostile is not None else quote(self.samples.get(name, "x"))

        text = re.sub(r"<([^<>]+)>", fill, rule.rule).encode()
        return text if hostile is None else text.replace(b"\0", hostile)

    def send(self, probe: Probe) -> tuple[int, str]:
        """Send one probe; a server error or an exception is written down, never raised."""
        environ = {
            "PATH_INFO": probe.path.decode("latin-1"),
            "QUERY_STRING": probe.query.decode("latin-1"),
        }
        try:
            response = self.client.open(
                "/",
                method=probe.method,
                data=probe.body,
                content_type=probe.content_type,
                headers=list(probe.headers),
                environ_overrides=environ,
            )
        except Exception as error:
            self.failures.append(f"{probe.label}: raised {type(error).__name__}: {error!s:.200}")
            return 599, ""
        if response.status_code >= 500:
            self.failures.append(f"{probe.label}: answered {response.status_code}")
        return response.status_code, response.location or ""

    def read_pages(self) -> None:
        """Open every page this identity may open and note its forms, by the route they go to."""
        adapter = self.app.url_map.bind("localhost")
        for rule in self.app.url_map.iter_rules():
            if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
                continue
            page_path = self.path(rule).decode()
            response = self.client.get(page_path)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            reader = FormReader(page_path)
            reader.feed(response.get_data(as_text=True))
            for form in reader.forms:
                try:
                    endpoint, _ = adapter.match(urlsplit(form.action).path, method=form.method)
                except HTTPException:
                    continue
                self.forms.setdefault((str(endpoint), form.method), []).append(form)

    def csrf_token(self) -> Pairs:
        """A valid form token of this client's session."""
        return [("csrf_token", FormPage(self.client).open("/contact")["csrf_token"])]

    def on_its_side(self, endpoint: str) -> bool:
        """Whether this identity probes the route one field at a time: the visitor the public
        pages, each team role the pages no lower role may open."""
        if endpoint in TEAM_PAGES_AMONG_PUBLIC:
            return self.identity == TEAM_PAGES_AMONG_PUBLIC[endpoint].value
        if is_public(endpoint):
            return self.identity == "visitor"
        return self.identity == needed_role(self.app, endpoint).value

    def walk_route(self, rule: Rule, method: str) -> None:
        """Send every probe of one route and method.

        A plausible request comes first (the page's own values, good ones where the page
        leaves a field empty): it records the fields the view's forms read, and shows
        whether the route refuses this identity before reading any field.
        """
        label, path = f"{method} {rule.rule}", self.path(rule)
        safe = method in ("GET", "HEAD")
        token = [] if safe else self.csrf_token()
        if rule.arguments:
            body = None if safe else urlencoded(token)
            for kind, value in HOSTILE_PATHS.items():
                where = self.path(rule, value)
                self.send(
                    Probe(f"{label} [path: {kind}]", method, where, body=body, content_type=FORM)
                )
        page_forms = self.forms.get((rule.endpoint, "GET" if safe else method), [])
        base = {**dict(page_forms[0].values if page_forms else []), **dict(token)}
        base.update({} if safe else GOOD_VALUES.get(rule.endpoint, {}))
        pairs = list(base.items())
        self.recorded.clear()
        body = None if safe else urlencoded(pairs)
        status, location = self.send(
            Probe(f"{label} [plausible]", method, path, body=body, content_type=FORM)
        )
        if method == "HEAD":
            return  # the GET view, walked with GET
        names = [n for form in page_forms for n in form.names] + sorted(self.recorded)
        names = [n for n in dict.fromkeys([*names, *base]) if n != "csrf_token"]
        deep = (
            self.on_its_side(rule.endpoint) and status != 403 and urlsplit(location).path != LOGIN
        )
        if deep:
            self.in_depth.add(rule.endpoint)
        for probe in self.field_probes(label, method, path, pairs, names, deep):
            self.send(probe)

    @staticmethod
    def field_probes(
        label: str, method: str, path: bytes, pairs: Pairs, names: list[str], deep: bool
    ) -> Iterator[Probe]:
        """The probes of the query and body: the whole of them, and one field at a time."""
        if method == "GET":
            names = list(dict.fromkeys([*QUERY_NAMES, *names]))
            yield from (query_probes if deep else whole_query_probes)(label, method, path, names)
            return
        token = [(k, v) for k, v in pairs if k == "csrf_token"]
        yield from whole_query_probes(label, method, path, QUERY_NAMES)
        yield from whole_body_probes(label, method, path, token, names)
        if deep:
            yield from field_probes(label, method, path, pairs, names)


def routes_in_order(app: Flask) -> list[tuple[Rule, str]]:
    """Every rule with every method it accepts; those ending the session or erasing last."""

    def order(item: tuple[Rule, str]) -> tuple[int, str, str]:
        rule, method = item
        return (LAST.index(rule.endpoint) if rule.endpoint in LAST else -1), rule.rule, method

    pairs = [
        (rule, method)
        for rule in app.url_map.iter_rules()
        # OPTIONS is answered by Flask itself with the allowed methods, never by a view.
        for method in sorted((rule.methods or set()) - {"OPTIONS"})
    ]
    return sorted(pairs, key=order)


# --- Fixtures ------------------------------------------------------------------------------


@pytest.fixture
def recorded_fields(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The names of the form fields the application reads from a request, as it reads them."""
    seen: set[str] = set()
    original = Field.process

    def recording(field: Field, formdata: Any, *args: Any, **kwargs: Any) -> None:
        if formdata is not None:
            seen.add(field.name)
        original(field, formdata, *args, **kwargs)

    monkeypatch.setattr(Field, "process", recording)
    return seen


@pytest.fixture
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters: this walk is about input, not passwords."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


def start_walk(app: Flask, identity: str, recorded: set[str]) -> Walk:
    """Things to point at (a call, a story, a message, an account) and a client in session."""
    with app.app_context():
        call = make_call(questions=[question("Vous écrivez en tant que…", QuestionKind.SHORT_TEXT)])
        samples = {
            "slug": call.slug,
            "code": "en",
            "call_id": str(call.id),
            "question_id": str(call.questions[0].id),
            "user_id": str(make_user("moderator", "cible@intake.example").id),
            "filename": "css/intake.css",
        }
    client = app.test_client()
    forms = FormPage(client)
    assert forms.send("/temoigner", filled_testimony()).status_code == 303
    code = receipt_code(client.get("/merci").get_data(as_text=True))
    assert forms.send("/contact", filled_contact()).status_code == 303
    with app.app_context():
        samples["public_id"] = str(db.session.scalar(select(Submission.public_id)))
        samples["contact_id"] = str(db.session.scalar(select(ContactMessage.public_id)))
    if identity == "visitor":
        assert forms.send("/suivi", {"code": code}).status_code == 303
    else:
        with app.app_context():
            make_user(identity, f"{identity}.walk@intake.example")
        assert AuthActions(client).login(f"{identity}.walk@intake.example").status_code == 303
    return Walk(app, identity, client, samples, recorded)


def still_in_session(walk: Walk) -> bool:
    """Whether the walk's client is still logged in (team) or in its follow-up (visitor)."""
    page = "/suivi/temoignage" if walk.identity == "visitor" else "/moderation/"
    return walk.client.get(page).status_code == 200


@pytest.mark.parametrize("identity", IDENTITIES)
def test_hostile_input_on_every_route_never_gets_a_server_error(
    app: Flask, fast_hashing: None, recorded_fields: set[str], identity: str
) -> None:
    walk = start_walk(app, identity, recorded_fields)
    walk.read_pages()
    in_session_until_the_end = True
    for rule, method in routes_in_order(app):
        if rule.endpoint == LAST[0]:
            # Everything before ran in session: the walk saw this identity's own side.
            in_session_until_the_end = still_in_session(walk)
        walk.walk_route(rule, method)

    assert in_session_until_the_end, f"the {identity}'s session ended during the walk"
    assert IDENTITIES[identity] in walk.in_depth, "the walk did not reach this identity's side"
    assert not walk.failures, f"{len(walk.failures)} server errors:\n" + "\n".join(walk.failures)
