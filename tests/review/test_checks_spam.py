"""spam_signals: one test per signal; weak signals warn, strong ones (or three weak) block."""

from __future__ import annotations

import pytest
from review_samples import CLEAN_DE, CLEAN_EN, body, check, release

from newswire.review.checks import Severity


def spam_result(content):
    return check(content, "spam_signals")


def test_exclamation_mark_in_the_headline_is_a_warning():
    result = spam_result(release(headline=CLEAN_EN.headline + "!"))
    assert (result.passed, result.severity, result.field) == (False, Severity.WARNING, "headline")
    assert result.message == "Promotional language: exclamation mark in the headline."


def test_a_few_exclamation_marks_in_the_body_are_a_warning():
    content = release(body_markdown=body("Big news! Great news! Record news!"))
    result = spam_result(content)
    assert (result.severity, result.field) == (Severity.WARNING, "body_markdown")
    assert "3 exclamation marks in the body" in result.message


def test_many_exclamation_marks_are_an_error():
    content = release(body_markdown=body("This changes everything!!!"))
    result = spam_result(content)
    assert result.severity is Severity.ERROR
    assert 'including "!!!"' in result.message


def test_body_mostly_in_capitals_is_an_error():
    shouting = "NORTHWIND ENERGY ANNOUNCES THE MOST IMPORTANT SOLAR PROJECT OF THE DECADE."
    content = release(subheadline=None, body_markdown=shouting + "\n\nDetails follow soon.")
    result = spam_result(content)
    assert (result.severity, result.field) == (Severity.ERROR, "body_markdown")
    assert "11 of 14 words in the body are in capitals (79%)" in result.message


def test_a_passage_in_capitals_is_a_warning():
    shouting = "THIS IS THE MOST IMPORTANT SOLAR ANNOUNCEMENT OF THE DECADE FOR EVERY INVESTOR"
    result = spam_result(release(body_markdown=body(shouting)))
    assert result.severity is Severity.WARNING
    assert 'a passage in capitals: "THIS IS THE MOST IMPORTANT SOLAR …"' in result.message


def test_all_caps_headline_is_flagged():
    result = spam_result(release(headline=CLEAN_EN.headline.upper()))
    assert (result.severity, result.field) == (Severity.WARNING, "headline")
    assert "the headline is in capitals" in result.message


def test_acronyms_and_tickers_are_not_shouting():
    text = (
        "The CEO of NWE (NYSE: NWE) said the EPC contract, the PPA and the ESG report "
        "follow IEEE and IEC standards, with AI tools for O&M."
    )
    assert spam_result(release(body_markdown=body(text))).passed


@pytest.mark.parametrize(
    ("content_language", "phrase"),
    [
        ("en", "Act now: this offer is for a limited time."),
        ("en", "Returns are guaranteed."),
        ("de", "Nur für kurze Zeit: jetzt kaufen."),
        ("fr", "Cliquez ici pour en savoir plus."),
        ("es", "Haga clic aquí para más información."),
        ("pt", "Clique aqui para saber mais."),
    ],
)
def test_hype_phrases_are_flagged_in_several_languages(content_language, phrase):
    result = spam_result(release(body_markdown=body(phrase)))
    assert not result.passed
    assert "hype phrases" in result.message


def test_three_hype_phrases_are_an_error_and_listed():
    text = "Buy now, it is 100 % free and risk-free. Click here."
    result = spam_result(release(body_markdown=body(text)))
    assert result.severity is Severity.ERROR
    for phrase in ('"buy now"', '"100% free"', '"risk-free"', '"click here"'):
        assert phrase in result.message


def test_too_many_links_per_100_words_is_flagged():
    links = " ".join(f"[offer {i}](https://deals.example/{i})" for i in range(4))
    content = release(body_markdown=f"Our partners: {links}.")
    result = spam_result(content)
    assert not result.passed
    assert "links in" in result.message and "per 100 words" in result.message


def test_keyword_making_up_much_of_the_body_is_keyword_stuffing():
    text = " ".join(["Solar panels for homes: solar power, solar savings, solar now."] * 3)
    result = spam_result(release(body_markdown=text))
    assert result.severity is Severity.ERROR
    assert 'the word "solar" makes up 40% of the body (12 times)' in result.message


def test_stuffed_paragraph_in_a_normal_body_is_keyword_stuffing():
    text = "Cheap panels, cheap power, cheap installation, cheap service, cheap cheap cheap."
    result = spam_result(release(body_markdown=body(text)))
    assert result.severity is Severity.WARNING
    assert 'the word "cheap" appears 7 times within 50 words' in result.message


def test_duplicate_keywords_are_keyword_stuffing():
    result = spam_result(release(keywords=("solar", "Solar", "energy", "solar ")))
    assert (result.severity, result.field) == (Severity.WARNING, "keywords")
    assert 'keywords repeated: "solar"' in result.message


def test_three_weak_signals_together_are_an_error():
    content = release(
        headline=CLEAN_EN.headline + "!",
        body_markdown=body("Returns are guaranteed. Big news! Great news! Record news!"),
    )
    result = spam_result(content)
    assert result.severity is Severity.ERROR
    assert result.message.startswith("Reads as promotional spam: ")


def test_clean_german_release_is_not_spam():
    assert spam_result(CLEAN_DE).passed
