"""Drafts the browser keeps of a form (static/js/intake.js), dropped once the server has the text.

A draft must outlive a send that fails (the network, an expired page), so the script keeps
it when the form is sent. Only the server knows the send succeeded: the view names the
drafts to drop, like a flash message, and the next page carries them in its
``data-drop-drafts`` attribute, where the script reads them before restoring anything.
A name drops that draft and every draft under it (« /suivi » drops all the follow-up's).
"""

from __future__ import annotations

from flask import session

SESSION_KEY = "drop_drafts"


def drop_drafts(*names: str) -> None:
    """Have the next page drop these drafts from the browser."""
    session[SESSION_KEY] = [*session.get(SESSION_KEY, []), *names]


def drafts_to_drop() -> list[str]:
    """The drafts the page being rendered must drop (once: like flashed messages)."""
    return [str(name) for name in session.pop(SESSION_KEY, None) or []]
