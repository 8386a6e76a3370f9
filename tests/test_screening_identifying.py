"""Identifying details are found where a moderator would redact them, and redaction is exact."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.help_lines import HELP_LINES
from intake.screening.identifying import PLACEHOLDERS, Kind, Span, find_details, redact
from intake.screening.identifying_words import FIRST_NAMES, HELP_LINE_NUMBERS
from tests.screening_identifying_corpus import (
    NAMES,
    NAMES_ROW,
    OVERALL_ROW,
    evaluate,
    identifying_report,
    load_corpus,
)


def found(text: str) -> list[tuple[str, str]]:
    return [(span.kind.value, span.text) for span in find_details(text)]


def assert_well_formed(text: str, spans: list[Span]) -> None:
    """Sorted, never overlapping, and each span slices the original text exactly."""
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)
        assert text[span.start : span.end] == span.text
    for before, after in itertools.pairwise(spans):
        assert before.end <= after.start


# --- the corpus ------------------------------------------------------------------------


def test_corpus_is_large_enough_and_has_negatives() -> None:
    corpus = load_corpus()
    assert sum(len(entry.spans) for entry in corpus) >= 150
    assert sum(not entry.spans for entry in corpus) >= 30
    assert {span.kind for entry in corpus for span in entry.spans} == set(Kind)


def test_recall_holds_for_every_kind_and_names_together() -> None:
    result = evaluate()
    for kind in Kind:
        if kind not in NAMES:
            assert result[kind.value].recall >= 0.90, result[kind.value]
    assert result[NAMES_ROW].recall >= 0.75, result[NAMES_ROW]


def test_precision_holds_overall() -> None:
    assert evaluate()[OVERALL_ROW].precision >= 0.80


def test_every_detection_on_the_corpus_is_well_formed() -> None:
    for entry in load_corpus():
        assert_well_formed(entry.text, find_details(entry.text))


def test_report_lists_every_kind_without_any_text() -> None:
    report = identifying_report()
    for kind in Kind:
        assert re.search(rf"^{kind.value} ", report, re.MULTILINE)
    assert NAMES_ROW in report and OVERALL_ROW in report
    assert "@" not in report and "Nantes" not in report


# --- each kind ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "detail"),
    [
        ("Mon portable : 06 12 34 56 78.", "phone", "06 12 34 56 78"),
        ("Appelez le +33 6 12 34 56 78 ce soir.", "phone", "+33 6 12 34 56 78"),
        ("Appelez le +33 (0)6 12 34 56 78 ce soir.", "phone", "+33 (0)6 12 34 56 78"),
        ("Mon numéro 0612345678 ne change pas.", "phone", "0612345678"),
        ("Tél. 06.12.34.56.78", "phone", "06.12.34.56.78"),
        ("Tél. 06-12-34-56-78", "phone", "06-12-34-56-78"),
        ("Écrire à julie.martin@example.org.", "email", "julie.martin@example.org"),
        ("Écrire à julie [at] example [dot] org", "email", "julie [at] example [dot] org"),
        ("Mon blog https://example.org/mon-histoire.", "url", "https://example.org/mon-histoire"),
        ("Mon blog www.example.fr, lisez-le.", "url", "www.example.fr"),
        ("Ma page facebook.com/julie.invente", "url", "facebook.com/julie.invente"),
        ("Sur Insta je suis @julie_du_69.", "handle", "@julie_du_69"),
        ("Snap : julie.bzh29", "handle", "julie.bzh29"),
        ("J'habite 12 rue des Lilas depuis 2019.", "address", "12 rue des Lilas"),
        ("Nous étions 3 bis avenue de la Gare.", "address", "3 bis avenue de la Gare"),
        ("Au 4 chemin des Vignes, il y a un chien.", "address", "4 chemin des Vignes"),
        ("Elle vit 7 impasse du Moulin.", "address", "7 impasse du Moulin"),
        ("Rendez-vous 1 place de la Mairie.", "address", "1 place de la Mairie"),
        ("Il habite 20 boulevard Voltaire.", "address", "20 boulevard Voltaire"),
        ("Chez moi, 5 allée des Tilleuls.", "address", "5 allée des Tilleuls"),
        ("Un studio 2 quai Saint-Antoine.", "address", "2 quai Saint-Antoine"),
        ("Écrivez à 69003 Lyon.", "postcode", "69003 Lyon"),
        ("Né à 97400 Saint-Denis.", "postcode", "97400 Saint-Denis"),
        ("Date de naissance : 12/03/1985.", "date", "12/03/1985"),
        ("Je suis né le 4 mai 1990 à Lille.", "date", "4 mai 1990"),
        ("Le 4 mai 1990, tout a changé.", "date", "4 mai 1990"),
        ("Elle est née le 8 juin.", "date", "8 juin"),
        ("Born on May 4, 1990.", "date", "May 4, 1990"),
        ("Sécu : 1 85 05 78 006 084 91.", "social_security", "1 85 05 78 006 084 91"),
        ("Sécu : 185057800608491.", "social_security", "185057800608491"),
        ("Sécu : 2 90 05 99 123 456.", "social_security", "2 90 05 99 123 456"),
        ("RIB FR76 1234 5000 0100 0123 4567 887.", "iban", "FR76 1234 5000 0100 0123 4567 887"),
        ("RIB FR7612345000010001234567887.", "iban", "FR7612345000010001234567887"),
        ("Le Docteur Martin m'a reçue.", "surname", "Martin"),
        ("Le Dr Lefèvre m'a reçue.", "surname", "Lefèvre"),
        ("Mme Dupont a appelé.", "surname", "Dupont"),
        ("Madame Roux a appelé.", "surname", "Roux"),
        ("Ma psychiatre, la docteure Benali, est partie.", "surname", "Benali"),
        ("Mon fils Lucas a huit ans.", "name", "Lucas"),
        ("Mon fils Nolhan a huit ans.", "name", "Nolhan"),
        ("Hier, Camille m'a appelée.", "name", "Camille"),
        ("Pierre est venu me chercher.", "name", "Pierre"),
        ("Au CHU de Nantes on m'a gardée.", "care_place", "CHU de Nantes"),
        ("À l'hôpital Sainte-Anne, j'ai dormi.", "care_place", "hôpital Sainte-Anne"),
        ("La clinique du Parc est loin.", "care_place", "clinique du Parc"),
        ("Au CMP de Villeurbanne, une infirmière.", "care_place", "CMP de Villeurbanne"),
        ("L'EPSM Lille-Métropole a un service ado.", "care_place", "EPSM Lille-Métropole"),
        ("Interné au Vinatier en 2012.", "care_place", "Vinatier"),
        ("Mon fils est à l'école Jules-Ferry.", "school", "école Jules-Ferry"),
        ("Au collège Victor-Hugo on se moquait.", "school", "collège Victor-Hugo"),
        ("Au lycée Henri-IV on se moquait.", "school", "lycée Henri-IV"),
        ("Elle est à l'université de Lille.", "school", "université de Lille"),
    ],
)
def test_each_kind_is_found_in_its_usual_forms(text: str, kind: str, detail: str) -> None:
    assert (kind, detail) in found(text)


def test_a_full_name_is_a_first_name_then_a_surname() -> None:
    assert found("Julie Martin m'a tenu la main.") == [("name", "Julie"), ("surname", "Martin")]
    assert found("Madame Julie Roux anime l'atelier.") == [("surname", "Julie Roux")]


def test_a_street_address_and_its_town_are_two_details() -> None:
    assert found("Adresse : 12 rue des Lilas, 44000 Nantes.") == [
        ("address", "12 rue des Lilas"),
        ("postcode", "44000 Nantes"),
    ]


def test_relatives_in_a_list_are_each_named() -> None:
    assert found("Mes enfants, Léo, Zoé et Nolhan, vont bien.") == [
        ("name", "Léo"),
        ("name", "Zoé"),
        ("name", "Nolhan"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Je suis à la rue depuis un an.",
        "J'ai 15 ans.",
        "Appelez le 3114, ou le 15, ou le 112.",
        "SOS Amitié : 09 72 39 40 50. Fil Santé Jeunes : 0 800 235 236.",
        "En 2019, 30 % des patients.",
        "Docteur, merci.",
        "Mon fils va mieux.",
        "L'hôpital, puis l'hôpital de jour, puis le CMP.",
        "À l'école, au collège, à la fac de droit.",
        "Il restait 1 place de parking.",
        "Je prends 20 mg le matin, 40 mg le soir.",
        "La Marine nationale, une rose, la pierre.",
        "Grâce à toi.",
        "Nous sommes allés à Florence.",
        "May I say something? I will.",
        "",
    ],
)
def test_ordinary_text_has_no_detail(text: str) -> None:
    assert find_details(text) == []


def test_names_that_are_also_words_need_a_capital_and_no_article() -> None:
    assert found("Rose est venue.") == [("name", "Rose")]
    assert found("une rose est venue") == []
    assert found("la Rose des vents") == []
    assert found("Ma fille Rose est venue.") == [("name", "Rose")]


def test_names_that_are_also_places_are_names_only_inside_a_sentence() -> None:
    assert found("Hier, Florence m'a écrit.") == [("name", "Florence")]
    assert found("Florence est une belle ville.") == []
    assert found("En juin, à Nancy.") == []


def test_first_names_list_is_loaded_with_its_marks() -> None:
    assert len(FIRST_NAMES) >= 300
    assert FIRST_NAMES["lucas"] == 0 and FIRST_NAMES["helene"] == 0
    assert FIRST_NAMES["rose"] == 1 and FIRST_NAMES["pierre"] == 1
    assert FIRST_NAMES["florence"] == 2 and FIRST_NAMES["grace"] == 2


def test_help_lines_shown_to_everyone_are_never_flagged() -> None:
    long_numbers = [line for line in HELP_LINES if len(line.dial) >= 8]
    assert long_numbers
    for line in long_numbers:
        assert re.sub(r"^\+33", "0", line.dial) in HELP_LINE_NUMBERS
        assert find_details(f"J'ai appelé le {line.number}.") == []


# --- odd input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\x00\x01\x1b\x7f\u0085\u200b\u202e",
        "😀🙂 06 12 34 56 78 😀",
        "İİİ Lucas İİİ",
        "@" * 500,
        "1" * 5000,
        "rue " * 3000,
        "Docteur " * 2000,
        ("Mon fils Lucas, 06 12 34 56 78, 12 rue des Lilas, 69003 Lyon. " * 400)[:20_000],
    ],
)
def test_odd_input_never_raises(text: str) -> None:
    assert_well_formed(text, find_details(text))


def test_offsets_survive_characters_that_lower_case_lengthens() -> None:
    text = "İ" * 3 + " Mon fils Lucas, 06 12 34 56 78."
    spans = find_details(text)
    assert_well_formed(text, spans)
    assert [s.text for s in spans] == ["Lucas", "06 12 34 56 78"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_any_text_gives_sorted_exact_non_overlapping_spans(text: str) -> None:
    assert_well_formed(text, find_details(text))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Mon fils Lucas",
                " 06 12 34 56 78",
                " 12 rue des Lilas,",
                " 69003 Lyon",
                " le Dr Martin",
                " au CHU de Nantes.",
                " julie@example.org",
                " né le 4 mai 1990",
                " @julie_69",
                "\n",
                " et ",
                "é",
                ",",
            ]
        ),
        max_size=30,
    ).map("".join)
)
def test_mixed_details_give_sorted_exact_non_overlapping_spans(text: str) -> None:
    assert_well_formed(text, find_details(text))


# --- redaction ---------------------------------------------------------------------------


def test_placeholders_are_french_and_cover_every_kind() -> None:
    assert set(PLACEHOLDERS) == set(Kind)
    assert PLACEHOLDERS[Kind.NAME] == "[prénom]" and PLACEHOLDERS[Kind.SURNAME] == "[nom]"
    assert PLACEHOLDERS[Kind.POSTCODE] == "[ville]"
    assert PLACEHOLDERS[Kind.CARE_PLACE] == "[hôpital]"


def test_redact_one_occurrence_at_its_place() -> None:
    text = "Lucas dort. Lucas rit."
    assert redact(text, "Lucas", Kind.NAME, 12) == "Lucas dort. [prénom] rit."


def test_redact_every_occurrence_as_a_whole_word() -> None:
    text = "Lucas et Lucasine : Lucas, encore Lucas."
    assert redact(text, "Lucas", Kind.NAME, None) == (
        "[prénom] et Lucasine : [prénom], encore [prénom]."
    )


def test_redact_every_occurrence_of_a_detail_that_is_not_a_word() -> None:
    text = "Appelez le 06 12 34 56 78 (06 12 34 56 78)."
    assert redact(text, "06 12 34 56 78", Kind.PHONE, None) == (
        "Appelez le [téléphone] ([téléphone])."
    )
    assert redact("@julie et @julie_b", "@julie", Kind.HANDLE, None) == "[pseudo] et @julie_b"


def test_redact_keeps_the_civility_readable() -> None:
    text = "Le docteur Benali m'a écoutée."
    (span,) = find_details(text)
    assert redact(text, span.text, span.kind, span.start) == "Le docteur [nom] m'a écoutée."


def test_redact_refuses_a_span_that_is_not_where_it_was_said() -> None:
    with pytest.raises(ValueError):
        redact("Lucas dort.", "Lucas", Kind.NAME, 1)
    with pytest.raises(ValueError):
        redact("Lucas dort.", "Lucas", Kind.NAME, 40)
    with pytest.raises(ValueError):
        redact("Lucas dort.", "Emma", Kind.NAME, None)
    with pytest.raises(ValueError):
        redact("Lucas dort.", "", Kind.NAME, None)


def test_redacting_every_detail_found_leaves_none() -> None:
    text = (
        "Je m'appelle Sandrine Vautrin, 12 rue des Lilas, 44000 Nantes, 06 12 34 56 78, "
        "sandrine@example.org, suivie au CHU de Nantes par le Dr Morel."
    )
    for span in reversed(find_details(text)):
        text = redact(text, span.text, span.kind, span.start)
    assert find_details(text) == []
    assert "[prénom] [nom]" in text and "le Dr [nom]" in text
