"""Crisis screening reads distress in French and English, and not in idioms or negations."""

from __future__ import annotations

import re

import pytest

from intake.models import ScreeningLevel
from intake.screening import crisis
from intake.screening.crisis import assess
from intake.screening.literals import required_literals
from tests.screening_corpus import (
    Sentence,
    crisis_metrics,
    load_crisis_corpus,
    misrated,
    rated,
    table,
)

NONE, CONCERN, URGENT = ScreeningLevel.NONE, ScreeningLevel.CONCERN, ScreeningLevel.URGENT
Results = list[tuple[Sentence, ScreeningLevel]]


@pytest.fixture(scope="module")
def corpus_results() -> Results:
    return rated(load_crisis_corpus())


def _floor_message(results: Results) -> str:
    misses = "\n".join(
        f"  {s.level.name} rated {got.name}: {s.text}" for s, got in misrated(results)
    )
    return f"\n{table('crisis', crisis_metrics(results))}\n{misses}"


def test_corpus_is_large_french_first_and_labelled_on_every_level() -> None:
    corpus = load_crisis_corpus()
    texts = [s.text for s in corpus]
    assert len(corpus) >= 200
    assert len(set(texts)) == len(texts)
    assert sum(s.lang == "fr" for s in corpus) / len(corpus) >= 0.6
    for level in ScreeningLevel:
        for lang in ("fr", "en"):
            assert sum(s.level is level and s.lang == lang for s in corpus) >= 20
    assert all(s.why.strip() for s in corpus)


def test_urgent_stories_are_found_and_flags_are_mostly_right(corpus_results: Results) -> None:
    urgent = {m.label: m for m in crisis_metrics(corpus_results)}["urgent"]
    assert urgent.recall >= 0.95, _floor_message(corpus_results)
    assert urgent.precision >= 0.80, _floor_message(corpus_results)


def test_nearly_every_story_with_a_signal_is_flagged(corpus_results: Results) -> None:
    flagged = {m.label: m for m in crisis_metrics(corpus_results)}["concern-or-urgent"]
    assert flagged.recall >= 0.90, _floor_message(corpus_results)


@pytest.mark.parametrize(
    "text",
    [
        "On était morts de rire devant le spectacle.",
        "Je me tue à lui dire de ranger sa chambre.",
        "Pour tuer le temps, je faisais des mots croisés.",
        "Le gâteau de ma voisine, une tuerie !",
        "Ça me tue quand il répond comme ça.",
        "Il m'a fait mourir de rire.",
        "Cette réunion était à mourir d'ennui.",
        "On crevait de chaud dans la salle d'attente.",
        "J'ai failli mourir de honte au supermarché.",
        "C'est à se tirer une balle, cette administration.",
        "Il s'est tué à la tâche pour nous élever.",
        "I'm dying to see my kids on stage.",
        "We were killing time in the waiting room.",
        "This joke killed me.",
        "She looked drop-dead gorgeous.",
        "He killed himself laughing at the cartoon.",
        "Her cooking is to die for.",
    ],
)
def test_idioms_are_not_signals(text: str) -> None:
    assert assess(text).level is NONE


@pytest.mark.parametrize(
    "text",
    [
        "Je n'ai jamais eu d'idées suicidaires.",
        "Je ne pense plus du tout à mourir.",
        "Je n'ai jamais voulu mourir.",
        "Je n'ai aucune envie de mourir.",
        "je suis pas suicidaire, juste fatiguée",
        "Non, je ne veux pas me tuer.",
        "Je ne me scarifie plus depuis six ans.",
        "Le médecin m'a demandé si j'avais des idées suicidaires, j'ai dit non.",
        "I have never wanted to hurt myself.",
        "I don't want to die, I want to get better.",
        "I'm not suicidal, just tired.",
        "I no longer think about dying.",
        "She asked if I ever wanted to hurt myself, and I said no.",
    ],
)
def test_negated_signals_are_not_signals(text: str) -> None:
    assert assess(text).level is NONE


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Je ne veux plus vivre.", URGENT),  # « plus » is the signal, not a negation
        ("Je n'ai plus envie de vivre.", URGENT),
        ("Je ne veux plus vivre comme ça.", CONCERN),
        ("Je n'ai plus goût à rien.", CONCERN),
        ("I can't stop thinking about ending it.", URGENT),
    ],
)
def test_negative_wording_that_is_itself_the_signal(text: str, level: ScreeningLevel) -> None:
    assert assess(text).level is level


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Il y a dix ans j'ai fait une tentative.", CONCERN),
        ("J'ai fait une tentative cette nuit.", URGENT),
        ("À l'époque je voulais mourir.", CONCERN),
        ("Je veux mourir.", URGENT),
        ("Il y a dix ans j'ai fait une tentative et ce soir j'ai encore envie de mourir.", URGENT),
        ("Il y a dix ans, je voulais mourir, aujourd'hui je vis pour mes enfants.", CONCERN),
        ("Quand j'avais seize ans je me scarifiais.", CONCERN),
        ("Je me scarifie tous les soirs.", URGENT),
        ("Mon ado m'a envoyé un message d'adieu il y a une heure.", URGENT),
        ("Ten years ago I attempted suicide.", CONCERN),
        ("When I was a teenager I used to cut myself.", CONCERN),
        ("I've been cutting myself every night this week.", URGENT),
    ],
)
def test_past_is_concern_and_present_is_urgent(text: str, level: ScreeningLevel) -> None:
    assert assess(text).level is level


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("jveux plus vivre", URGENT),
        ("jsui a bout", CONCERN),
        ("chui a bout jvai me tuer", URGENT),
        ("envi de mourir", URGENT),
        ("je vais me suicidé ce soir", URGENT),
        ("j'veux en finir", URGENT),
        ("j en peux plus", CONCERN),
        ("jpp", CONCERN),
        ("Je veux mourrir.", URGENT),
        ("je veux mouriiiir", URGENT),
        ("mon frere veut se foutre en l air", URGENT),
        ("im gonna kms", URGENT),
        ("i wanna die", URGENT),
        ("i want to kill my self", URGENT),
    ],
)
def test_sms_spellings_and_misspellings(text: str, level: ScreeningLevel) -> None:
    assert assess(text).level is level


@pytest.mark.parametrize(
    "variant",
    [
        "Je veux mourir.",
        "JE VEUX MOURIR",
        "je veux mourir",
        "Je  veux\tmourir",
        "Je veux mourír",
        "Je veux mou\u0301rir",  # a combining accent, as some phones send
        "ｊｅ ｖｅｕｘ ｍｏｕｒｉｒ",  # full-width letters
    ],
)
def test_case_accents_and_spacing_do_not_matter(variant: str) -> None:
    assert assess(variant).level is URGENT


@pytest.mark.parametrize(
    "text",
    [
        "Je suis maman et je vis avec un trouble bipolaire ; j'ai été hospitalisée en 2019.",
        "Je prends du lithium, et le CMP m'aide avec les rendez-vous des enfants.",
        "My diagnosis came when my daughter was two; the ward nurses were kind.",
    ],
)
def test_living_with_a_condition_is_not_a_signal(text: str) -> None:
    assert assess(text).level is NONE


@pytest.mark.parametrize(
    "text",
    [
        "",
        " \n\t ",
        "?!…;:,.-—«»" * 50,
        "x" * 20_000,
        "Je veux vivre. " * 1_400,
        "\x00\x01\x1b\x7f\u200b\u202e\ufeff",
        "😀🔥💔 je vais bien 🙂‍↔️ 👨‍👩‍👧",
        "\ud800 moitié de paire",  # a lone surrogate
        "e\u0301\u0301\u0301",
        "'" * 300 + "j'" * 300,
        "ſ ﬁ ﬂ Ǆ ǅ İ ẞ ŉ",  # letters that change length when folded
    ],
)
def test_assess_never_raises_on_odd_input(text: str) -> None:
    result = assess(text)
    for signal in result.signals:
        assert text[signal.start : signal.end] == signal.phrase


def test_a_long_story_keeps_every_signal_in_order_and_apart() -> None:
    story = " ".join(s.text for s in load_crisis_corpus())
    result = assess(story)
    assert result.level is URGENT
    ends = [-1] + [s.end for s in result.signals]
    assert all(s.start >= end for s, end in zip(result.signals, ends, strict=False))
    assert all(story[s.start : s.end] == s.phrase for s in result.signals)


def test_offsets_point_at_the_original_text() -> None:
    text = "Sœur  énervée…   J’veux   MOURIR ce soir, jpp."
    result = assess(text)
    assert [s.phrase for s in result.signals] == ["veux   MOURIR", "jpp"]
    assert [s.level for s in result.signals] == [URGENT, CONCERN]
    assert all(text[s.start : s.end] == s.phrase for s in result.signals)


def test_offsets_survive_decomposed_accents_and_ligatures() -> None:
    text = "Ma sœur a e\u0301te\u0301 gentille. Je ne vois plus d'autre issue que la mort."
    (signal,) = assess(text).signals
    assert text[signal.start : signal.end] == signal.phrase
    assert signal.phrase == "ne vois plus d'autre issue que la mort"
    assert signal.rule == "fr.intent.euphemism" and signal.reason


def test_every_corpus_signal_points_at_its_phrase() -> None:
    for sentence in load_crisis_corpus():
        for signal in assess(sentence.text).signals:
            assert sentence.text[signal.start : signal.end] == signal.phrase, sentence.text
            assert signal.start < signal.end


def test_rating_is_the_highest_signal() -> None:
    result = assess("Je suis à bout. Je vais me tuer.")
    assert [s.level for s in result.signals] == [CONCERN, URGENT]
    assert result.level is URGENT
    assert assess("Bonjour.").signals == ()


def test_every_rule_and_list_says_why_it_exists() -> None:
    data = crisis._DATA
    entries = [*data["rules"], *data["rewrites"], *data["idioms"], *data["negations"]]
    entries += [*data["past_markers"], *data["present_markers"], *data["recent_markers"]]
    assert all(str(entry.get("reason", "")).strip() for entry in entries)
    assert data["affirming"]["reason"] and data["context"]["reason"]


def test_every_pattern_has_a_literal_so_that_it_runs_only_where_needed() -> None:
    for entry in crisis._DATA["rules"]:
        for pattern in entry["patterns"]:
            assert required_literals(crisis._expand(pattern, crisis._FRAGMENTS)), pattern


def test_running_only_where_literals_occur_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = load_crisis_corpus()
    quick = [assess(s.text) for s in corpus]
    everything = [p for patterns in crisis._NEEDING.values() for p in patterns]
    monkeypatch.setattr(crisis, "_ALWAYS", everything)
    monkeypatch.setattr(crisis, "_TRIGGER", re.compile("(?!)()"))
    assert [assess(s.text) for s in corpus] == quick


@pytest.mark.parametrize(
    ("pattern", "literals"),
    [
        ("(?:ne )?veux plus vivre", {"veux plus vivre"}),
        ("je (?:veux|vais) (?:mourir|crever)", {"mourir", "crever"}),
        ("hopeless(?! at)|worthless", {"hopeless", "worthless"}),
        ("\\w+(?:a|b)?", None),  # nothing every match must hold
        ("x*", None),
    ],
)
def test_required_literals_are_what_every_match_holds(
    pattern: str, literals: set[str] | None
) -> None:
    assert required_literals(pattern) == (None if literals is None else frozenset(literals))
    if literals:
        for example in ("je veux plus vivre", "je vais crever", "worthless"):
            if re.search(pattern, example):
                assert any(literal in example for literal in literals)


def test_a_story_without_punctuation_is_read_like_any_other() -> None:
    story = "je suis fatiguée et je veux mourir et mes enfants dorment " * 300
    result = assess(story)
    assert result.level is URGENT
    assert len(result.signals) == 300
