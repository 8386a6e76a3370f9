"""How well screening does on the labelled corpora: precision, recall and support.

Run from the project root (the corpora and their scoring live in ``tests``):

    .venv/bin/python bench/screening_quality.py [--misses]

Prints the crisis table (per level, then per language) from tests/corpus/crisis.yaml, then the
identifying-details table when ``tests/screening_identifying_corpus.py`` provides
``identifying_report``. ``--misses`` also lists the crisis sentences rated differently from
their label; they are invented sentences, never stories. The floors are held by the tests.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# `tests` is not installed with the package: import the corpus helpers from this checkout.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.screening_corpus import crisis_report, load_crisis_corpus, misrated, rated


def identifying_section() -> str | None:
    """The identifying-details table, when its helper exists."""
    try:
        from tests.screening_identifying_corpus import identifying_report
    except ImportError:
        return None
    return str(identifying_report())


def misses_section() -> str:
    """The crisis sentences rated differently from their label."""
    lines = [
        f"{sentence.level.name.lower():>7} rated {got.name.lower():<7} {sentence.text}"
        for sentence, got in misrated(rated(load_crisis_corpus()))
    ]
    return "\n".join(["misrated crisis sentences", *lines]) if lines else "no misrated sentence"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--misses", action="store_true", help="list the misrated sentences")
    args = parser.parse_args(argv)
    sections = [crisis_report(), identifying_section()]
    if args.misses:
        sections.append(misses_section())
    print("\n\n".join(s for s in sections if s))
    return 0


if __name__ == "__main__":
    sys.exit(main())
