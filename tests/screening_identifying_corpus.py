"""The labelled corpus of identifying details, and how well ``find_details`` does on it.

A labelled span is *found* when a detected span of the same kind covers it substantially:
their overlap is at least half of the labelled span's characters and at least half of the
detected span's (so neither a fragment nor a span swallowing the sentence counts). ``name``
and ``surname`` count as one kind for matching: both are a person's name, and the floor on
names applies to them together. A detection that matches no label is a false positive;
precision is counted over every text, negatives included. The metrics and the table are the
crisis corpus's (tests/screening_corpus.py); only counts are printed, never a text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from intake.screening.identifying import Kind, Span, find_details
from tests.screening_corpus import Metrics, table

CORPUS = Path(__file__).parent / "corpus" / "identifying.yaml"
NAMES = frozenset({Kind.NAME, Kind.SURNAME})
NAMES_ROW = "names (name + surname)"
OVERALL_ROW = "overall"


@dataclass(frozen=True)
class Labelled:
    """One text of the corpus and the spans a moderator would redact in it."""

    text: str
    lang: str
    spans: tuple[Span, ...]


def load_corpus(path: Path = CORPUS) -> list[Labelled]:
    """The corpus, each span's offsets found by searching its text in the entry's text."""
    entries: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [_labelled(number, entry) for number, entry in enumerate(entries, start=1)]


def _labelled(number: int, entry: dict[str, Any]) -> Labelled:
    text = str(entry["text"])
    spans = []
    for span in entry.get("spans") or []:
        wanted, start = str(span["text"]), -1
        for _ in range(int(span.get("occurrence", 0)) + 1):
            start = text.find(wanted, start + 1)
            if start == -1 or not wanted:
                raise ValueError(f"corpus entry {number}: a {span['kind']} span is not in its text")
        spans.append(Span(Kind(span["kind"]), start, start + len(wanted), wanted))
    return Labelled(text, str(entry.get("lang", "fr")), tuple(spans))


def matches(labelled: Span, detected: Span) -> bool:
    """Whether a detection stands for a label: same kind (names together), half each way."""
    same_kind = labelled.kind == detected.kind or {labelled.kind, detected.kind} <= NAMES
    overlap = min(labelled.end, detected.end) - max(labelled.start, detected.start)
    return (
        same_kind
        and overlap * 2 >= labelled.end - labelled.start
        and overlap * 2 >= detected.end - detected.start
    )


def evaluate(corpus: list[Labelled] | None = None) -> dict[str, Metrics]:
    """Metrics per kind, then for names together and overall, keyed by their row's label."""
    found: Counter[str] = Counter()  # labels found: true positives
    missed: Counter[str] = Counter()  # labels not found: false negatives
    wrong: Counter[str] = Counter()  # detections matching no label: false positives
    for entry in load_corpus() if corpus is None else corpus:
        detected = find_details(entry.text)
        for label in entry.spans:
            hit = any(matches(label, one) for one in detected)
            (found if hit else missed).update(_rows(label.kind))
        for one in detected:
            if not any(matches(label, one) for label in entry.spans):
                wrong.update(_rows(one.kind))
    labels = [kind.value for kind in Kind] + [NAMES_ROW, OVERALL_ROW]
    return {label: Metrics(label, found[label], wrong[label], missed[label]) for label in labels}


def _rows(kind: Kind) -> list[str]:
    """The rows a span of this kind counts in."""
    return [kind.value, OVERALL_ROW] + ([NAMES_ROW] if kind in NAMES else [])


def identifying_report() -> str:
    """Precision, recall and support per kind, for names together, and overall."""
    corpus = load_corpus()
    spans = sum(len(entry.spans) for entry in corpus)
    title = f"identifying details ({len(corpus)} texts, {spans} spans)"
    return table(title, list(evaluate(corpus).values()))


if __name__ == "__main__":
    print(identifying_report())
