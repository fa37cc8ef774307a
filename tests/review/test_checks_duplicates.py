"""near_duplicate: shingle Jaccard against the organization's recent releases."""

from __future__ import annotations

from review_samples import CLEAN_AR, CLEAN_DE, CLEAN_EN, CLEAN_JA, check, release

from newswire.review.checks import Severity
from newswire.review.duplicates import jaccard, shingles


def test_resubmitted_release_is_an_error_naming_the_original():
    resubmitted = release(headline=CLEAN_EN.headline, publish_at=None)
    result = check(resubmitted, "near_duplicate", recent=[CLEAN_DE, CLEAN_EN])
    assert (result.passed, result.severity, result.field) == (
        False,
        Severity.ERROR,
        "body_markdown",
    )
    assert f"“{CLEAN_EN.headline}”" in result.message
    assert "similarity 1.00" in result.message


def test_lightly_edited_release_is_a_warning():
    paragraphs = CLEAN_EN.body_markdown.split("\n\n")
    edited = "\n\n".join(
        [
            paragraphs[0],
            paragraphs[1],
            "Northwind expects to select a construction contractor by the end of April.",
            "Tonopah is about 210 miles north of Las Vegas.",
            paragraphs[3],
        ]
    )
    result = check(release(body_markdown=edited), "near_duplicate", recent=[CLEAN_EN])
    assert (result.passed, result.severity) == (False, Severity.WARNING)
    assert "very similar to the recent release" in result.message
    score = float(result.message.split("similarity ")[1][:4])
    assert 0.6 < score <= 0.9


def test_different_releases_pass_and_report_the_closest():
    result = check(CLEAN_EN, "near_duplicate", recent=[CLEAN_DE, CLEAN_AR])
    assert (result.passed, result.severity) == (True, Severity.INFO)
    assert "Not similar to any of the 2 recent releases" in result.message


def test_no_recent_releases():
    assert "No recent releases" in check(CLEAN_EN, "near_duplicate").message


def test_japanese_text_uses_character_shingles():
    copy = release(CLEAN_JA, headline=CLEAN_JA.headline + "(訂正版)")
    result = check(copy, "near_duplicate", recent=[CLEAN_JA])
    assert result.severity is Severity.ERROR
    assert "character 4-shingles" in result.message


def test_shingles_and_jaccard():
    assert shingles("One two three four", spaceless=False) == {"one two three", "two three four"}
    assert shingles("東京都内", spaceless=True) == {"東京都内"}
    a = shingles("a b c d e", spaceless=False)
    b = shingles("a b c d f", spaceless=False)
    assert jaccard(a, b) == 2 / 4
    assert jaccard(frozenset(), frozenset()) == 0.0
