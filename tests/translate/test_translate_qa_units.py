"""The QA gate's parts: locale-aware numbers, dates and times, names, missing subjects,
alignment, untranslated and length checks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from newswire.translate.facts import extract
from newswire.translate.glossary import Glossary
from newswire.translate.names import find_counterpart, missing_subject, source_names
from newswire.translate.qa import check_pair, check_segments, check_sentence


def kinds(source: str, target: str, src: str, tgt: str, **kw: object) -> set[str]:
    return {f.kind for f in check_sentence(source, target, src, tgt, **kw)}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "lang", "value"),
    [
        ("6,500", "en", Decimal(6500)),
        ("6.500", "de", Decimal(6500)),
        ("6 500", "fr", Decimal(6500)),
        ("6\u202f500", "fr", Decimal(6500)),
        ("2.6", "en", Decimal("2.6")),
        ("2,6", "de", Decimal("2.6")),
        ("2,6", "pt", Decimal("2.6")),
        ("١٢٫٥", "ar", Decimal("12.5")),
        ("10.000,50", "de", Decimal("10000.5")),
    ],
)
def test_numbers_are_read_the_locale_way(text: str, lang: str, value: Decimal) -> None:
    (number,) = extract(f"about {text} units", lang).numbers
    assert value in number.values
    assert not number.misformatted


def test_a_number_in_the_other_locale_is_marked() -> None:
    (number,) = extract("Umsatz 2.6 Mio", "de").numbers
    assert number.misformatted and Decimal("2.6") in number.values
    (number,) = extract("revenue of 6,500 euros", "de").numbers
    assert number.values == {Decimal("6.5")}  # German reads 6,500 as six and a half


@pytest.mark.parametrize(
    ("source", "target", "tgt"),
    [
        ("Revenue was 6,500 million euros.", "Der Umsatz betrug 6.500 Millionen Euro.", "de"),
        ("Revenue was 6.5 billion euros.", "Der Umsatz betrug 6,5 Milliarden Euro.", "de"),
        ("Revenue was 6.5 billion euros.", "A receita foi de 6.500 milhões de euros.", "pt"),
        ("Revenue was 6.5 billion euros.", "売上高は65億ユーロでした。", "ja"),
        ("Revenue was 650 million yuan.", "营收为6.5亿元。", "zh-Hans"),
        (
            "The plant has two lines and 1 billion euros of funding.",
            "Das Werk hat zwei Linien und eine Milliarde Euro Förderung.",
            "de",
        ),
    ],
)
def test_equal_amounts_in_other_words_pass(source: str, target: str, tgt: str) -> None:
    assert "numbers" not in kinds(source, target, "en", tgt)


def test_times_and_dates_across_locales() -> None:
    assert not kinds(
        "The call starts at 3 p.m. on March 3.",
        "Die Telefonkonferenz beginnt am 3. März um 15 Uhr.",
        "en",
        "de",
    )
    assert "dates" in kinds(
        "The call starts at 3 p.m.", "Die Telefonkonferenz beginnt um 16 Uhr.", "en", "de"
    )
    facts = extract("Am 3. März 2025 und am 2025-04-01", "de")
    assert facts.dates == [(4, 1, 2025), (3, 3, 2025)] or sorted(facts.dates) == [
        (3, 3, 2025),
        (4, 1, 2025),
    ]


def test_names_and_their_cross_lingual_counterparts() -> None:
    names = source_names("Sergei Lavrov met Choe Son Hui in Moscow on Tuesday.")
    assert [n.text for n in names] == ["Sergei Lavrov", "Choe Son Hui", "Moscow"]
    assert find_counterpart(names[0], "Sergej Lawrow traf Choe Son Hui in Moskau.", "de")
    assert find_counterpart(names[2], "Sergej Lawrow traf Choe Son Hui in Moskau.", "de")
    russia = source_names("Russia's top diplomat spoke.")[0]
    assert find_counterpart(russia, "ロシアの外相が発言した。", "ja")
    assert not find_counterpart(russia, "外相が発言した。", "ja")
    assert find_counterpart(russia, "El máximo diplomático de Rusia habló.", "es")
    # a sentence-initial ordinary word is not a name
    assert source_names("Revenue rose in the quarter.") == []


def test_missing_subject_needs_the_shape_and_respects_pro_drop() -> None:
    assert missing_subject("X", "Am Dienstag empfing seinen Kollegen in Berlin.", "de")
    assert not missing_subject("X", "Am Dienstag empfing der Minister seinen Kollegen.", "de")
    assert not missing_subject("X", "Am Dienstag empfing ihn der Minister in Berlin.", "de")
    assert missing_subject(
        "Lavrov received his counterpart on Tuesday.", "El martes recibió a su homólogo.", "es"
    )
    assert not missing_subject(
        "He received his counterpart on Tuesday.", "El martes recibió a su homólogo.", "es"
    )
    assert missing_subject("X", "Mardi, a reçu son homologue.", "fr")
    assert not missing_subject("X", "Mardi, il a reçu son homologue.", "fr")


def test_untranslated_and_length() -> None:
    english = "The company will publish its annual report in the spring and expects growth."
    assert "untranslated" in kinds(english, english, "en", "pt")
    assert "length_ratio" in kinds(
        "The company expects strong demand for its products across all regions this year.",
        "A empresa espera.",
        "en",
        "pt",
    )


def test_alignment_names_the_dropped_sentence() -> None:
    flags = check_pair(
        "Revenue rose 5%. The plant opened in Porto. Profit doubled.",
        "O faturamento subiu 5%. O lucro dobrou.",
        "en",
        "pt",
    )
    dropped = [f for f in flags if f.kind == "sentence_count"]
    assert len(dropped) == 1
    assert dropped[0].segment_index == 1 and dropped[0].source == "The plant opened in Porto."


def test_check_segments_reads_markdown_and_link_targets() -> None:
    flags = check_segments(
        [
            (
                "See the [report](https://a.example/r) for **details**.",
                "Veja o [relatório](https://a.example/x) para **detalhes**.",
            )
        ],
        "en",
        "pt",
    )
    assert [f.kind for f in flags] == ["urls"]


def test_glossary_fixed_form() -> None:
    glossary = Glossary.from_mapping({"Acme Cloud": {"pt": "Nuvem Acme"}})
    assert "glossary" in kinds(
        "Acme Cloud is new.", "A Acme Cloud é nova.", "en", "pt", glossary=glossary
    )
    assert not kinds("Acme Cloud is new.", "A Nuvem Acme é nova.", "en", "pt", glossary=glossary)


def test_names_do_not_make_a_translation_look_untranslated() -> None:
    assert not kinds(
        "Northwind Logistics launches FleetView in Mexico",
        "Northwind Logistics lança FleetView no México",
        "en",
        "pt",
    )
    assert not kinds("3,052 new jobs in Singapore", "3.052 novos empregos em Cingapura", "en", "pt")
    assert "entity_missing" in kinds(
        "3,052 new jobs in Singapore", "3.052 novos empregos em Portugal", "en", "pt"
    )


def test_a_third_language_is_flagged() -> None:
    flags = check_sentence(
        "The company expects strong demand for its products in all regions this year.",
        "La empresa espera una fuerte demanda de sus productos en todas las regiones este año.",
        "en",
        "pt",
    )
    assert [(f.kind, "reads as es" in f.reason) for f in flags] == [("untranslated", True)]
