"""Deny by default: every team route, read from the URL map, refuses visitors and roles too low.

The routes are collected from a throwaway application when the tests are collected, so a page
added later is checked without anyone touching this file.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import AnyConverter, BaseConverter, Rule, UUIDConverter
from werkzeug.routing.converters import NumberConverter
from werkzeug.test import TestResponse

from intake import accounts
from intake.extensions import db
from intake.models import CallStatus, Role, Submission
from tests.conftest import build_app
from tests.helpers import (
    AuthActions,
    FormPage,
    filled_testimony,
    hidden_fields,
    make_call,
    make_user,
)

LOGIN = "/moderation/connexion"
SAFE_METHODS = frozenset({"GET", "HEAD"})


def is_public(endpoint: str) -> bool:
    """The pages anyone may open: the public blueprint, static files and the login form."""
    return endpoint.startswith("public.") or endpoint in ("static", "auth.login")


def _all_routes() -> list[tuple[str, str, str]]:
    """(rule, endpoint, method) of every route the application serves."""
    with tempfile.TemporaryDirectory(prefix="intake-routes-") as folder:
        app = build_app(Path(folder), f"sqlite:///{folder}/routes.db")
        # OPTIONS is answered by Flask itself with the allowed methods, never by a view.
        routes = sorted(
            (rule.rule, rule.endpoint, method)
            for rule in app.url_map.iter_rules()
            for method in (rule.methods or set()) - {"OPTIONS"}
        )
        with app.app_context():
            db.engine.dispose()
    return routes


ALL_ROUTES = _all_routes()
TEAM_ROUTES = [route for route in ALL_ROUTES if not is_public(route[1])]


def route_id(route: tuple[str, str, str]) -> str:
    rule, endpoint, method = route
    return f"{method} {rule} ({endpoint})"


def needed_role(app: Flask, endpoint: str) -> Role:
    """The lowest role a route admits: admin pages are for admins, others say so with requires()."""
    marked: Role = getattr(app.view_functions[endpoint], "required_role", Role.MODERATOR)
    return Role.ADMIN if endpoint.startswith("admin.") else marked


def sample_value(name: str, converter: BaseConverter, public_id: str) -> Any:
    """A plausible value for a URL argument: a real story's public id, else a harmless stand-in."""
    if name == "public_id":
        return public_id
    if isinstance(converter, NumberConverter):
        return 1
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=1)
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return "x"


def team_url(app: Flask, route: tuple[str, str, str], public_id: str) -> str:
    """The URL of a route in this application, with every argument filled in."""
    rule_text, endpoint, _ = route
    rule: Rule = next(
        r for r in app.url_map.iter_rules() if (r.rule, r.endpoint) == (rule_text, endpoint)
    )
    converters: dict[str, BaseConverter] = getattr(rule, "_converters", {})
    values = {
        name: sample_value(name, converters.get(name, BaseConverter(app.url_map)), public_id)
        for name in rule.arguments
    }
    built = rule.build(values, append_unknown=False)
    assert built is not None, f"cannot build {rule_text} from {values}"
    return built[1]


def request_route(
    client: FlaskClient, app: Flask, route: tuple[str, str, str], public_id: str
) -> TestResponse:
    """Send one request to a route; unsafe methods carry a valid form token."""
    method = route[2]
    data = None if method in SAFE_METHODS else {"csrf_token": csrf_token(client)}
    return client.open(team_url(app, route, public_id), method=method, data=data)


def csrf_token(client: FlaskClient) -> str:
    """A valid form token of this client's session, taken from a public form."""
    return hidden_fields(client.get("/contact").get_data(as_text=True))["csrf_token"]


def sent_to_login(response: TestResponse) -> bool:
    return response.status_code in (302, 303) and urlsplit(response.location).path == LOGIN


@pytest.fixture
def story(app: Flask) -> str:
    """The public id of a story sent through the public form."""
    assert FormPage(app.test_client()).send("/temoigner", filled_testimony()).status_code == 303
    with app.app_context():
        return str(db.session.scalar(select(Submission.public_id)))


@pytest.fixture
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters: these tests log in often and are about routes, not passwords."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


def logged_in(app: Flask, role: Role) -> FlaskClient:
    """A client logged in with a fresh account of this role."""
    client = app.test_client()
    with app.app_context():
        make_user(role, f"{role.value}.access@intake.example")
    assert AuthActions(client).login(f"{role.value}.access@intake.example").status_code == 303
    return client


# --- The walk itself ----------------------------------------------------------------------


def test_walk_covers_the_team_side() -> None:
    endpoints = {endpoint for _, endpoint, _ in TEAM_ROUTES}
    assert {"moderation.queue", "auth.logout", "auth.password"} <= endpoints


def test_erasing_a_story_is_for_admins_only(app: Flask) -> None:
    assert needed_role(app, "moderation.delete") == Role.ADMIN


def test_no_team_page_hides_among_the_public_ones() -> None:
    public = [route for route in ALL_ROUTES if is_public(route[1])]
    hidden = [route_id(r) for r in public if r[0].startswith("/moderation") and r[0] != LOGIN]
    assert not hidden


# Team pages served by the public blueprint (a call's preview must look, to visitors, like a
# call that does not exist): each is listed here with the role it needs, and walked below.
TEAM_PAGES_AMONG_PUBLIC = {"public.call_preview": Role.EDITOR}


@pytest.mark.parametrize("endpoint", sorted(TEAM_PAGES_AMONG_PUBLIC))
def test_team_pages_among_the_public_ones_hide_from_visitors(
    app: Flask, fast_hashing: None, endpoint: str
) -> None:
    with app.app_context():
        make_call(slug="brouillon", title="Appel en préparation", status=CallStatus.DRAFT)
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    url = rule.build({"slug": "brouillon"})[1]
    needed = TEAM_PAGES_AMONG_PUBLIC[endpoint]

    assert app.test_client().get(url).status_code == 404
    for role in (Role.MODERATOR, Role.EDITOR, Role.ADMIN):
        expected = 200 if role.includes(needed) else 403
        assert logged_in(app, role).get(url).status_code == expected, role


@pytest.mark.parametrize("route", TEAM_ROUTES, ids=[route_id(r) for r in TEAM_ROUTES])
def test_anonymous_visitor_is_sent_to_login(
    app: Flask, client: FlaskClient, story: str, route: tuple[str, str, str]
) -> None:
    response = request_route(client, app, route, story)
    assert sent_to_login(response), f"{route_id(route)} answered {response.status_code}"


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.EDITOR], ids=lambda r: r.value)
def test_team_member_is_refused_every_page_above_their_role(
    app: Flask, story: str, fast_hashing: None, role: Role
) -> None:
    client = logged_in(app, role)
    checked, not_refused = [], []
    for route in TEAM_ROUTES:
        if role.includes(needed_role(app, route[1])):
            continue
        response = request_route(client, app, route, story)
        checked.append(route)
        if response.status_code != 403:
            not_refused.append(f"{route_id(route)} answered {response.status_code}")
    assert checked, f"no route above {role.value} was found: are the admin pages registered?"
    assert not not_refused, "\n".join(not_refused)
    # Still logged in: the refusals were about the role, not the session.
    assert client.get("/moderation/").status_code == 200


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_team_member_reaches_every_page_their_role_allows(
    app: Flask, story: str, fast_hashing: None, role: Role
) -> None:
    client = logged_in(app, role)
    failures = []
    for route in TEAM_ROUTES:
        if route[2] != "GET" or not role.includes(needed_role(app, route[1])):
            continue
        response = request_route(client, app, route, story)
        # 404 is fine: stand-in arguments ("x", 1) may name nothing.
        if response.status_code == 403 or response.status_code >= 500 or sent_to_login(response):
            failures.append(f"{route_id(route)} answered {response.status_code}")
    assert not failures, "\n".join(failures)
