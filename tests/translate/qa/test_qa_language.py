"""The QA gate's language rules: untranslated (or a third language), and the length check."""

from __future__ import annotations

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
