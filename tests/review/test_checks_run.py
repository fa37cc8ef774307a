"""run_checks as a whole: one result per check in a stable order, clean releases pass."""

from __future__ import annotations

import pytest
from review_samples import CLEAN_AR, CLEAN_DE, CLEAN_EN, CLEAN_JA, CLEAN_RELEASES, NOW, release

from newswire.review.checks import CHECKS, CheckResult, Severity, blocking, run_checks

ORDER = [
    "required_fields",
    "headline_length",
    "links",
    "spam_signals",
    "schedule",
    "near_duplicate",
    "language_match",
    "target_languages",
    "impersonation",
]


def test_one_result_per_check_in_a_stable_order():
    results = run_checks(CLEAN_EN, now=NOW)
    assert [r.name for r in results] == ORDER == [name for name, _ in CHECKS]


@pytest.mark.parametrize("language", sorted(CLEAN_RELEASES))
def test_clean_release_passes_every_check(language):
    others = [r for lang, r in CLEAN_RELEASES.items() if lang != language]
    results = run_checks(CLEAN_RELEASES[language], now=NOW, recent=others)
    failed = [r for r in results if not r.passed]
    assert failed == []
    assert all(r.severity is Severity.INFO for r in results)
    assert blocking(results) == []


def test_passed_results_say_what_is_fine():
    results = {r.name: r for r in run_checks(CLEAN_DE, now=NOW)}
    assert results["schedule"].message == "Embargoed until 2025-03-03 15:00 UTC."
    assert "German (de)" in results["language_match"].message
    assert "English (en)" in results["target_languages"].message


def test_as_dict_is_json_ready():
    result = CheckResult("links", Severity.ERROR, False, "Body: link is broken.", "body_markdown")
    assert result.as_dict() == {
        "name": "links",
        "severity": "error",
        "passed": False,
        "message": "Body: link is broken.",
        "field": "body_markdown",
    }


def test_blocking_is_the_failed_errors_only():
    results = run_checks(
        release(CLEAN_JA, headline="短い", target_languages=("ja",)), now=NOW, recent=[CLEAN_AR]
    )
    names = {r.name: r for r in results}
    assert not names["target_languages"].passed  # a warning: does not block
    assert [r.name for r in blocking(results)] == ["headline_length"]


def test_results_are_the_same_on_every_run():
    assert run_checks(CLEAN_EN, now=NOW) == run_checks(CLEAN_EN, now=NOW)
