"""The QA gate's language rules: untranslated (or a third language), and the length check."""

from __future__ import annotations

import pytest

from newswire.translate.qa import check_sentence
from qa_flags import kinds


def test_untranslated_and_length() -> None:
    english = "The company will publish its annual report in the spring and expects growth."
    assert "untranslated" in kinds(english, english, "en", "pt")
    assert "length_ratio" in kinds(
        "The company expects strong demand for its products across all regions this year.",
        "A empresa espera.",
        "en",
        "pt",
    )


def test_a_third_language_is_flagged() -> None:
    flags = check_sentence(
        "The company expects strong demand for its products in all regions this year.",
        "La empresa espera una fuerte demanda de sus productos en todas las regiones este año.",
        "en",
        "pt",
    )
    assert [(f.kind, "reads as es" in f.reason) for f in flags] == [("untranslated", True)]


HEADLINE = "Acme Energy opens new plant in Lyon"


@pytest.mark.parametrize(
    ("source", "target", "src", "tgt"),
    [
        # short, and full of names, into every script
        *[(HEADLINE, HEADLINE, "en", tgt) for tgt in ("de", "fr", "es", "pt", "id", "ms", "vi")],
        *[
            (HEADLINE, HEADLINE, "en", tgt)
            for tgt in ("ru", "ar", "th", "ko", "ja", "zh-Hans", "zh-Hant")
        ],
        ("Acme launches FleetView", "Acme launches FleetView", "en", "fr"),
        (
            "Northwind Logistics expands to Mexico",
            "Northwind Logistics expands to Mexico",
            "en",
            "es",
        ),
        ("Jane Doe joins the board", "Jane Doe joins the board", "en", "pt"),
        ("Shares rose 4.2% on Tuesday.", "Shares rose 4.2% on Tuesday.", "en", "de"),
        ("Acme Energy Opens New Plant In Lyon", "Acme Energy Opens New Plant In Lyon", "en", "de"),
        (
            "Acme Energy eröffnet neues Werk in Lyon",
            "Acme Energy eröffnet neues Werk in Lyon",
            "de",
            "en",
        ),
        # only the name was translated
        (
            "Acme Energy opens a new plant in Singapore",
            "Acme Energy opens a new plant in Cingapura",
            "en",
            "pt",
        ),
        # Indonesian left as it is in a Malay edition: only a long sentence says so
        (
            "Perusahaan itu akan membuka pabrik baru di kota Lyon tahun depan",
            "Perusahaan itu akan membuka pabrik baru di kota Lyon tahun depan",
            "id",
            "ms",
        ),
    ],
)
def test_a_sentence_left_in_the_source_language_is_flagged(
    source: str, target: str, src: str, tgt: str
) -> None:
    flags = check_sentence(source, target, src, tgt)
    # (a figure copied as written may be flagged before it: 4.2 is not how German writes it)
    assert [f.kind for f in flags if f.kind not in ("numbers", "dates")] == ["untranslated"]
    assert src in flags[-1].reason or "unchanged" in flags[-1].reason


@pytest.mark.parametrize(
    ("source", "target", "src", "tgt"),
    [
        # nothing to translate: names, numbers, links
        ("Acme Energy GmbH", "Acme Energy GmbH", "en", "de"),
        ("Jane Doe, Acme Energy", "Jane Doe, Acme Energy", "en", "fr"),
        ("https://acme.example/press", "https://acme.example/press", "en", "es"),
        ("+49 30 1234567", "+49 30 1234567", "en", "pt"),
        ("NASDAQ: ACME", "NASDAQ: ACME", "en", "ja"),
        # a word both languages write the same way
        ("Contact", "Contact", "en", "fr"),
        ("Information", "Information", "en", "fr"),
        # translations that keep the names
        (HEADLINE, "Acme Energy eröffnet neues Werk in Lyon", "en", "de"),
        (HEADLINE, "Acme Energy ouvre une nouvelle usine à Lyon", "en", "fr"),
        (HEADLINE, "Acme Energy khai trương nhà máy mới tại Lyon", "en", "vi"),
        (HEADLINE, "Acme Energy membuka pabrik baru di Lyon", "en", "id"),
        (HEADLINE, "Acme Energy membuka kilang baharu di Lyon", "en", "ms"),
        (HEADLINE, "Acme Energyがリヨンに新工場を開設", "en", "ja"),
        ("Sectors: Top Story, Daily News", "Branchen: Top-Story, Tagesnachrichten", "en", "de"),
        # Indonesian and Malay may say a short sentence the same way
        (
            "Acme Energy membuka pabrik baru di Lyon",
            "Acme Energy membuka pabrik baru di Lyon",
            "id",
            "ms",
        ),
    ],
)
def test_names_numbers_links_and_shared_words_are_not_untranslated(
    source: str, target: str, src: str, tgt: str
) -> None:
    assert "untranslated" not in kinds(source, target, src, tgt)
