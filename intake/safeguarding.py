"""What screening does for a story: rate it on arrival, explain the rating, help redact it.

Screening runs here, on this server, and never stands in anyone's way: a failure to screen
files the story unrated (and says so in the log, without content), never refuses it.
The reasons and spans are computed again from the text when a moderator reads it, so that
nothing of the story is copied anywhere else.
"""

from __future__ import annotations

import json
import re
import traceback
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from markupsafe import Markup, escape

from intake.labels import DETAIL_KIND, URGENCY
from intake.models import Answer, ScreeningLevel, Submission
from intake.screening.crisis import Signal, assess
from intake.screening.identifying import Span, find_details

# Separates the story from the answers when they are screened together, so that no phrase
# runs from one into the other.
_SEPARATOR = "\n\n"
_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")


def rate(story: str, answers: Iterable[str] = ()) -> ScreeningLevel:
    """The crisis level of a story and its free-text answers; NONE if screening fails."""
    try:
        return assess(_SEPARATOR.join([story, *answers])).level
    except Exception as error:  # screening must never stop a story from being filed
        # The kind of error and where it arose, never its message: it may quote the story.
        where = "".join(traceback.format_tb(error.__traceback__))
        current_app.logger.error(
            "screening failed (%s); the story is filed unrated\n%s", type(error).__name__, where
        )
        return ScreeningLevel.NONE


def written(values: Iterable[str | list[str]]) -> list[str]:
    """The words of answers (a text, or the choices ticked), to be screened with the story."""
    texts = [t for value in values for t in ([value] if isinstance(value, str) else value)]
    return [t for t in texts if isinstance(t, str) and t.strip()]


def answer_texts(answers: Iterable[Answer]) -> list[str]:
    """The words of a submission's stored answers."""
    return written(json.loads(answer.value) for answer in answers)


@dataclass(frozen=True)
class Reading:
    """What screening finds in a story, for the moderator who reads it."""

    # Every phrase that counted, in the story and then in the answers.
    signals: tuple[Signal, ...]
    # Those of the story, whose offsets the highlighted original can use.
    story_signals: tuple[Signal, ...]
    details: list[Span]
    # The details of the text redactions apply to: the publishable version, else the story.
    redactable: list[Span]


def read(submission: Submission) -> Reading:
    """Screen a submission again for its page: signals, details, and what can be redacted."""
    story = submission.story
    signals = assess(_SEPARATOR.join([story, *answer_texts(submission.answers)])).signals
    details = find_details(story)
    base = submission.publishable_text
    return Reading(
        signals=signals,
        story_signals=tuple(s for s in signals if s.end <= len(story)),
        details=details,
        redactable=details if base is None else find_details(base),
    )


def highlighted(text: str, signals: Iterable[Signal], details: Iterable[Span]) -> Markup:
    """The text as HTML paragraphs, each signal and detail marked with what it is.

    Every piece is escaped here; a mark never crosses a paragraph break (a span holding a
    blank line is left unmarked rather than breaking the layout), nor another mark.
    """
    marks = sorted(
        [(s.start, s.end, str(URGENCY[s.level]), f"signal signal--{int(s.level)}") for s in signals]
        + [
            (d.start, d.end, str(DETAIL_KIND[d.kind]), f"detail detail--{d.kind.value}")
            for d in details
        ]
    )
    html = ["<p>"]
    position = 0
    for start, end, label, css in marks:
        if start < position or _BLANK_LINE.search(text[start:end]):
            continue
        html.append(_flow(text[position:start]))
        html.append(
            f'<mark class="{css}">{_flow(text[start:end])}'
            f'<span class="mark-kind"> [{escape(label)}]</span></mark>'
        )
        position = end
    html.append(_flow(text[position:]))
    html.append("</p>")
    return Markup("".join(html))  # noqa: S704 - every piece of text is escaped by _flow


def _flow(piece: str) -> str:
    """Escaped text, its blank lines turned into paragraph breaks and newlines into <br>."""
    blocks = _BLANK_LINE.split(piece)
    return "</p>\n<p>".join(
        "<br>\n".join(str(escape(line)) for line in block.split("\n")) for block in blocks
    )
