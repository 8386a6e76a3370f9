"""Every event in words: what the person reads in their download, what the team reads on the
story page and in the audit log; never a raw key, never a move from a status to itself."""

from __future__ import annotations

import ast
import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale

from intake.history import ACTIONS
from intake.labels import STATUS
from tests.followup_helpers import DOWNLOAD, Person, form_fields, person_with_story, public_id_for
from tests.review_helpers import PAGE, act, in_french, team_client

PACKAGE = Path(__file__).resolve().parent.parent / "intake"
AUDIT = "/moderation/admin/journal"
KEY = re.compile(r"\b[a-z_]+\.[a-z_]+\b")


def words_for(action: str) -> str:
    """An action's words in the current language (the raw key when it has none)."""
    return " ".join(str(ACTIONS.get(action, action)).split())


# --- Every action the code can record -------------------------------------------------------


def recorded_actions() -> set[str]:
    """Every action key a ``record_event`` call of the package can write, read from the source.

    A call names its action as a literal, a constant, a local choice between literals, or a
    parameter of a small wrapper (``_move(…, "claimed", …)`` records ``submission.claimed``);
    the wrappers' own callers are then read. Anything else fails: it must be taught here.
    """
    modules = {path: ast.parse(path.read_text()) for path in PACKAGE.rglob("*.py")}
    actions: set[str] = set()
    wrappers: dict[str, tuple[int, str]] = {}  # function name -> (argument index, template)
    for path, tree in modules.items():
        for function, call in _calls_of(tree, "record_event"):
            found = _literal_choices(call.args[0], tree, function)
            if found:
                actions |= found
                continue
            wrapper = _as_wrapper(call.args[0], function)
            assert wrapper is not None, f"{path.name}: cannot read the action of a record_event"
            wrappers[function.name] = wrapper
    for name, (index, template) in wrappers.items():
        for tree in modules.values():
            for function, call in _calls_of(tree, name):
                values = _literal_choices(call.args[index], tree, function)
                assert values, f"cannot read the action passed to {name}"
                actions |= {template.format(value) for value in values}
    return actions


def _calls_of(tree: ast.Module, name: str) -> Iterator[tuple[ast.FunctionDef, ast.Call]]:
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Call) and node.args and _called(node.func) == name:
                yield function, node


def _called(func: ast.expr) -> str | None:
    """The name a call is made by: ``record_event(…)`` or ``audit.record_event(…)``."""
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _literal_choices(node: ast.expr, tree: ast.Module, function: ast.FunctionDef) -> set[str]:
    """The strings an expression can be: a literal, or a name assigned literals (locally or
    at module level)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.Name):
        for scope in (function, tree):
            for assign in ast.walk(scope):
                if isinstance(assign, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == node.id for t in assign.targets
                ):
                    return {
                        c.value
                        for c in ast.walk(assign.value)
                        if isinstance(c, ast.Constant) and isinstance(c.value, str)
                    }
    return set()


def _as_wrapper(node: ast.expr, function: ast.FunctionDef) -> tuple[int, str] | None:
    """(index, template) when the action is one of the function's parameters, as such or in
    an f-string (f"submission.{action}")."""
    names = [arg.arg for arg in function.args.args]
    if isinstance(node, ast.Name) and node.id in names:
        return names.index(node.id), "{}"
    if isinstance(node, ast.JoinedStr):
        parts = [
            v.value if isinstance(v, ast.Constant) else v.value.id
            for v in node.values
            if isinstance(v, ast.Constant)
            or (isinstance(v, ast.FormattedValue) and isinstance(v.value, ast.Name))
        ]
        params = [p for p in parts if p in names]
        if len(params) == 1 and len(parts) == len(node.values):
            template = "".join("{}" if p in names else str(p) for p in parts)
            return names.index(params[0]), template
    return None


def test_every_action_the_code_records_has_words_in_french_and_english(
    app: Flask,
) -> None:
    actions = recorded_actions()
    # The walk reads every shape: a literal, a constant, a wrapper's f-string, a plain
    # wrapper, a choice between two literals.
    shapes = ("followup.downloaded", "export.created", "submission.claimed")
    assert {*shapes, "call.question_moved", "consent.withdrawn"} <= actions

    missing = sorted(actions - set(ACTIONS))
    assert missing == []
    with app.test_request_context():
        for action in sorted(actions):
            with force_locale("en"):
                english = words_for(action)
            with force_locale("fr"):
                french = words_for(action)
            assert english != action and not KEY.search(english), action
            assert french != english, f"{action} has no French words"


# --- What the team reads ----------------------------------------------------------------------


@pytest.fixture
def lived(app: Flask, desk: FlaskClient) -> tuple[Person, str]:
    """A story that lived: asked, answered twice, a use taken back, data downloaded, approved."""
    person = person_with_story(app, contact="y", publish_social="y")
    public_id = public_id_for(app, person.code)
    assert act(desk, public_id, "prendre").status_code == 303
    assert act(desk, public_id, "question", question="Une précision ?").status_code == 303
    person.open()
    person.answer("Voici la précision.")
    person.answer("Et un dernier mot.")  # the story was already back in review
    person.consent("publish_social", granted=False)
    page = person.page().get_data(as_text=True)
    assert person.client.post(DOWNLOAD, data=form_fields(page, DOWNLOAD)).status_code == 200
    assert act(desk, public_id, "version-publiable", text="Version relue.").status_code == 303
    assert act(desk, public_id, "approuver").status_code == 303
    return person, public_id


def _history_rows(page: str) -> list[str]:
    section = page.split('id="history-title"', 1)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", section, re.S)[1:]  # after the header
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def test_the_team_reads_every_event_in_words_and_only_real_status_changes(
    app: Flask, desk: FlaskClient, lived: tuple[Person, str]
) -> None:
    _, public_id = lived

    rows = _history_rows(desk.get(PAGE.format(public_id)).get_data(as_text=True))

    text = "\n".join(rows)
    assert not KEY.search(text), text
    assert in_french(app, lambda: words_for("followup.downloaded")) in text
    assert "Consentement retiré : Extraits sur les réseaux sociaux" in text
    assert "Statut : En cours de lecture → Validé" in text
    labels = [in_french(app, lambda s=s: str(s)) for s in STATUS.values()]
    for label in labels:
        assert f"{label} → {label}" not in text
    # The second answer left the story in review: it is listed, with no move.
    answers = [row for row in rows if "Message de la personne" in row]
    assert len(answers) == 2
    assert "Statut" in answers[0] and "Statut" not in answers[1]


def test_the_audit_log_names_every_event_in_both_languages(
    app: Flask, lived: tuple[Person, str]
) -> None:
    admin = team_client(app, "admin", "admin@intake.example")
    pages = {"fr": admin.get(AUDIT).get_data(as_text=True)}
    admin.get("/langue/en")
    pages["en"] = admin.get(AUDIT).get_data(as_text=True)

    for language, page in pages.items():
        rows = _audit_rows(page)
        assert {"followup.downloaded", "submission.answered", "login.succeeded"} <= {
            action for action, _ in rows
        }
        for action, words in rows:
            with app.test_request_context(), force_locale(language):
                expected = words_for(action)
            assert words.startswith(expected) and not KEY.search(words), (language, words)


def _audit_rows(page: str) -> list[tuple[str, str]]:
    """(action key, words shown) of each event of the audit log."""
    rows = re.findall(r'<tr class="audit-event".*?</tr>', page, re.S)
    shown = []
    for row in rows:
        cell = re.findall(r"<td>(.*?)</td>", row, re.S)[2]
        action = re.search(r"<code>([^<]*)</code>", cell)
        assert action is not None
        words = cell.split("<br>", 1)[0] if "<br>" in cell else re.sub(r"<[^>]+>", " ", cell)
        shown.append((action.group(1), " ".join(html.unescape(words).split())))
    return shown


# --- What the person reads --------------------------------------------------------------------


def test_the_person_s_download_tells_each_event_in_words_and_only_real_moves(
    app: Flask, lived: tuple[Person, str]
) -> None:
    person, _ = lived
    page = person.page().get_data(as_text=True)

    response = person.client.post(DOWNLOAD, data=form_fields(page, DOWNLOAD))

    history = json.loads(response.get_data())["status"]["history"]
    events = [entry["event"] for entry in history]
    assert not any(KEY.search(event) for event in events), events
    assert in_french(app, lambda: words_for("followup.downloaded")) in [
        re.sub(r"\s+", " ", event) for event in events
    ]
    moves = [(entry["by"], entry["status"]) for entry in history if entry["status"]]
    assert moves == [
        ("you", "received"),
        ("team", "in_review"),
        ("team", "awaiting_submitter"),
        ("you", "in_review"),
        ("team", "approved"),
    ]
