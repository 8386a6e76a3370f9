"""The interface is French first: every string shown to a visitor has a French translation.

The messages are extracted again from the sources, exactly as the project's ``pybabel
extract`` command does, into a temporary template; the French catalogue is compared with it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = PROJECT_ROOT / "intake" / "translations"
MAPPING = TRANSLATIONS / "babel.cfg"
FRENCH_CATALOGUE = TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po"

# The options of ``make extract-messages`` (the output file is added per run).
KEYWORDS = ("lazy_gettext", "_l")
EXTRACT_OPTIONS = [
    "-F",
    str(MAPPING.relative_to(PROJECT_ROOT)),
    *(option for keyword in KEYWORDS for option in ("-k", keyword)),
    "--no-location",
    "--sort-output",
    "--project=intake",
    # Babel skips folders starting with "_" by default, templates/_macros among them.
    "--ignore-dirs=.*",
]

# %(name)s, %(max)d, %(ratio).1f ... (a literal "%%" is not a placeholder).
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]")

Key = tuple[str | tuple[str, ...], str | None]


def _key(message: Message) -> Key:
    msgid = message.id if isinstance(message.id, str) else tuple(message.id)
    return msgid, message.context


def _label(key: Key) -> str:
    msgid, context = key
    text = msgid if isinstance(msgid, str) else " | ".join(msgid)
    return f"{text!r}" + (f" (context {context!r})" if context else "")


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _strings(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _placeholders(text: str) -> set[str]:
    return {match.group(0) for match in PLACEHOLDER.finditer(text.replace("%%", ""))}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> dict[Key, Message]:
    """The messages the sources use today, extracted into a temporary template."""
    template = tmp_path_factory.mktemp("babel") / "messages.pot"
    command = [
        sys.executable,
        "-m",
        "babel.messages.frontend",
        "extract",
        *EXTRACT_OPTIONS,
        "-o",
        str(template),
        ".",
    ]
    result = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"pybabel extract failed:\n{result.stderr}"
    messages = {_key(m): m for m in _read(template) if m.id}
    assert messages, "pybabel extract found no message at all: check babel.cfg"
    return messages


@pytest.fixture(scope="module")
def french() -> dict[Key, Message]:
    """The French catalogue, without its header and without obsolete (#~) entries."""
    return {_key(m): m for m in _read(FRENCH_CATALOGUE, locale="fr") if m.id}


def test_every_interface_string_has_a_french_translation(
    extracted: dict[Key, Message], french: dict[Key, Message]
) -> None:
    missing = sorted(_label(key) for key in extracted.keys() - french.keys())
    untranslated = sorted(
        _label(key)
        for key in extracted.keys() & french.keys()
        if not all(s.strip() for s in _strings(french[key].string) or [""])
    )
    fuzzy = sorted(_label(key) for key in extracted.keys() & french.keys() if french[key].fuzzy)
    problems = [
        *(f"not in the French catalogue: {label}" for label in missing),
        *(f"no French translation: {label}" for label in untranslated),
        *(f"translation marked fuzzy: {label}" for label in fuzzy),
    ]
    assert not problems, (
        "Some interface strings have no French translation yet. Run `make extract-messages`, "
        "then translate in intake/translations/fr/LC_MESSAGES/messages.po:\n  "
        + "\n  ".join(problems)
    )


def test_french_translations_keep_the_same_placeholders_as_the_english_text(
    french: dict[Key, Message],
) -> None:
    mismatches = []
    for key, message in sorted(french.items(), key=lambda item: _label(item[0])):
        expected = set().union(*(_placeholders(s) for s in _strings(message.id)))
        for translation in _strings(message.string):
            if translation and _placeholders(translation) != expected:
                found = sorted(_placeholders(translation))
                mismatches.append(
                    f"{_label(key)}: expected {sorted(expected)}, found {found} in {translation!r}"
                )
    assert not mismatches, (
        "These French translations do not keep the placeholders of the English text:\n  "
        + "\n  ".join(mismatches)
    )


def test_the_french_catalogue_holds_no_string_the_interface_no_longer_uses(
    extracted: dict[Key, Message], french: dict[Key, Message]
) -> None:
    obsolete = sorted(_label(key) for key in french.keys() - extracted.keys())
    assert not obsolete, (
        "The French catalogue still translates strings that are no longer in the sources; "
        "run `make extract-messages` (pybabel update --ignore-obsolete) to drop them:\n  "
        + "\n  ".join(obsolete)
    )


def test_no_interface_string_is_hidden_from_the_extraction(
    extracted: dict[Key, Message],
) -> None:
    with MAPPING.open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, **dict.fromkeys(KEYWORDS)}
    everywhere = extract_from_dir(
        PROJECT_ROOT,
        method_map,
        options_map,
        keywords=keywords,
        # Every folder but hidden ones (.venv, .git), including _macros and _partials.
        directory_filter=lambda path: not Path(path).name.startswith("."),
    )
    hidden = sorted(
        f"{message!r} in {filename}"
        for filename, _lineno, message, _comments, context in everywhere
        if (message if isinstance(message, str) else tuple(message), context) not in extracted
    )
    assert not hidden, (
        "These strings are translatable in the code but `make extract-messages` never "
        "sees them, so they always show in English:\n  " + "\n  ".join(hidden)
    )
