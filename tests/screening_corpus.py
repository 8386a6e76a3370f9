"""The labelled crisis corpus, and precision and recall per level on it.

``Metrics`` and ``table`` know nothing about crisis levels: any screening measure that counts
true positives, false positives and false negatives per label can print with them. The corpus
sentences are invented (tests/corpus/crisis.yaml says how it was written); the report prints
counts only, and ``misrated`` is there for whoever tunes the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from intake.models import ScreeningLevel
from intake.screening.crisis import assess

CRISIS_CORPUS = Path(__file__).parent / "corpus" / "crisis.yaml"
LEVELS = {
    "none": ScreeningLevel.NONE,
    "concern": ScreeningLevel.CONCERN,
    "urgent": ScreeningLevel.URGENT,
}
LANGUAGES = ("fr", "en")


@dataclass(frozen=True)
class Metrics:
    """How one label fared: hits, false alarms and misses, and what follows from them."""

    label: str
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def support(self) -> int:
        """How many examples carry the label."""
        return self.true_positives + self.false_negatives

    @property
    def precision(self) -> float:
        """Share of the predictions that were right; 1.0 when nothing was predicted."""
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        """Share of the examples that were found; 1.0 when there were none."""
        return self.true_positives / self.support if self.support else 1.0


def count(label: str, pairs: Iterable[tuple[bool, bool]]) -> Metrics:
    """Metrics of one label from (expected, predicted) pairs."""
    tp = fp = fn = 0
    for expected, predicted in pairs:
        tp += expected and predicted
        fp += predicted and not expected
        fn += expected and not predicted
    return Metrics(label, tp, fp, fn)


def table(title: str, rows: Sequence[Metrics]) -> str:
    """Rows of metrics as an aligned text table, headed by ``title``."""
    lines = [(title, "precision", "recall", "support")] + [
        (m.label, f"{m.precision:.2f}", f"{m.recall:.2f}", str(m.support)) for m in rows
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(4)]
    return "\n".join(
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        )
        for line in lines
    )


@dataclass(frozen=True)
class Sentence:
    """One labelled sentence of the crisis corpus."""

    text: str
    lang: str
    level: ScreeningLevel
    why: str


def load_crisis_corpus(path: Path = CRISIS_CORPUS) -> list[Sentence]:
    """The crisis corpus; a malformed entry fails loudly with its number."""
    entries: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    sentences = []
    for number, entry in enumerate(entries, start=1):
        if set(entry) != {"text", "lang", "level", "why"} or entry["lang"] not in LANGUAGES:
            raise ValueError(f"crisis corpus entry {number} is malformed")
        level = LEVELS[entry["level"]]
        sentences.append(Sentence(str(entry["text"]), entry["lang"], level, str(entry["why"])))
    return sentences


Rate = Callable[[str], ScreeningLevel]


def rate(text: str) -> ScreeningLevel:
    """The level ``assess`` gives a text."""
    return assess(text).level


def rated(corpus: Sequence[Sentence], rater: Rate = rate) -> list[tuple[Sentence, ScreeningLevel]]:
    """Each sentence with the level the screening gives it."""
    return [(sentence, rater(sentence.text)) for sentence in corpus]


def crisis_metrics(results: Sequence[tuple[Sentence, ScreeningLevel]]) -> list[Metrics]:
    """Metrics per level (exact), then for concern-or-urgent (any signal at all)."""
    rows = [
        count(name, ((s.level is level, got is level) for s, got in results))
        for name, level in LEVELS.items()
    ]
    flagged = ((s.level > ScreeningLevel.NONE, got > ScreeningLevel.NONE) for s, got in results)
    return [*rows, count("concern-or-urgent", flagged)]


def misrated(
    results: Sequence[tuple[Sentence, ScreeningLevel]],
) -> list[tuple[Sentence, ScreeningLevel]]:
    """The sentences rated differently from their label (invented text, safe to print)."""
    return [(s, got) for s, got in results if s.level is not got]


def crisis_report(corpus: Sequence[Sentence] | None = None) -> str:
    """The crisis tables: per level on the whole corpus, then per language."""
    results = rated(load_crisis_corpus() if corpus is None else corpus)
    parts = [table(f"crisis signals ({len(results)} sentences)", crisis_metrics(results))]
    for lang in LANGUAGES:
        subset = [(s, got) for s, got in results if s.lang == lang]
        parts.append(table(f"crisis, {lang} ({len(subset)} sentences)", crisis_metrics(subset)))
    return "\n\n".join(parts)
