"""Screening a story on arrival: crisis signals and identifying details, by story size.

Run from the project root:

    .venv/bin/python bench/bench_screening.py [--rounds N]

For stories of 1 KB, 5 KB and 20 KB of French text (with a few signals and identifying
details mixed in, so that every rule has something to do), each operation runs ``--rounds``
times per size; the table gives the median time per story and the ratio to a reference
measured in the same run: one pass of ``re.findall(r"\\w+")`` over the same text, the least
any reading of the whole story costs. No database is involved, and no text is printed.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bench_submit import french_text

from intake.screening.crisis import assess
from intake.screening.identifying import find_details

SIZES = (("1 KB", 1_000), ("5 KB", 5_000), ("20 KB", 20_000))
# Invented lines, spread through the text so that the rules have matches to make.
EXTRAS = (
    "Il y a dix ans, j'ai fait une tentative, et je n'en ai jamais parlé à ma fille.",
    "Le docteur Morel, au CHU de Nantes, m'a suivie pendant deux ans.",
    "Vous pouvez m'écrire à zoe.exemple@exemple.fr ou au 06 00 00 00 01.",
    "Certains soirs je n'en peux plus, mais je tiens pour elle.",
    "Nous habitions 12 rue des Lilas, 44000 Nantes, avec mon fils Lucas.",
)
WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class Row:
    size: str
    operation: str
    median_ms: float
    ratio: float


def story_of(size: int, seed: int) -> str:
    """About ``size`` characters of French text with the extra lines woven in."""
    paragraphs = french_text(seed, size).split("\n\n")
    for index, extra in enumerate(EXTRAS):
        at = (index * len(paragraphs)) // len(EXTRAS)
        paragraphs[at] = f"{paragraphs[at]} {extra}"
    return "\n\n".join(paragraphs)[: max(size, 200)]


def median_ms(operation: Callable[[str], Any], text: str, rounds: int) -> float:
    """The median wall time of one call, in milliseconds."""
    operation(text)  # warm caches and lazy compilation out of the measure
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        operation(text)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def both(text: str) -> None:
    assess(text)
    find_details(text)


OPERATIONS: tuple[tuple[str, Callable[[str], Any]], ...] = (
    ("reference: re.findall(\\w+)", WORDS.findall),
    ("crisis signals (assess)", assess),
    ("identifying details (find_details)", find_details),
    ("both, as on arrival and on the page", both),
)


def run(rounds: int) -> list[Row]:
    rows = []
    for label, size in SIZES:
        text = story_of(size, seed=size)
        reference = median_ms(WORDS.findall, text, rounds)
        for name, operation in OPERATIONS:
            took = median_ms(operation, text, rounds)
            rows.append(Row(label, name, took, took / reference))
    return rows


def format_table(rows: Sequence[Row]) -> str:
    header = ("story", "operation", "median ms", "ratio")
    lines = [header] + [(r.size, r.operation, f"{r.median_ms:.3f}", f"{r.ratio:.1f}") for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(
            cell.ljust(width) if i < 2 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        )
        for line in lines
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="calls per operation and size")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    print(format_table(run(args.rounds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
