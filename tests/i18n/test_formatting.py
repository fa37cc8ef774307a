"""Locale-aware dates, times, language names and writing direction."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from newswire import i18n

MOMENT = datetime(2026, 11, 30, 14, 5, tzinfo=UTC)


@pytest.mark.parametrize("tag", i18n.LANGUAGES)
def test_only_arabic_is_right_to_left(tag: str) -> None:
    assert i18n.is_rtl(tag) is (tag == "ar")


def test_is_rtl() -> None:
    assert i18n.is_rtl("ar")
    assert i18n.is_rtl("ar-EG")
    assert not i18n.is_rtl("de")
    assert not i18n.is_rtl("zh-Hant")
    assert i18n.is_rtl("he")  # known to Babel, though the wire falls back to English for it
    assert not i18n.is_rtl("xx")
    assert not i18n.is_rtl("")


def test_format_date() -> None:
    day = date(2026, 11, 30)
    assert i18n.format_date(day, "de") == "30. November 2026"
    assert i18n.format_date(day, "ja") == "2026年11月30日"
    assert i18n.format_date(day, "en") == "November 30, 2026"
    assert i18n.format_date(day, "fr") == "30 novembre 2026"
    assert i18n.format_date(day, "pt-BR") == "30 de novembro de 2026"
    assert i18n.format_date(day, "xx") == "November 30, 2026"


@pytest.mark.parametrize("tag", i18n.LANGUAGES)
def test_format_date_every_language(tag: str) -> None:
    text = i18n.format_date(date(2026, 11, 30), tag)
    assert "30" in text
    assert "2026" in text


def test_format_datetime() -> None:
    assert i18n.format_datetime(MOMENT, "en") == "November 30, 2026, 2:05\u202fPM UTC"
    assert i18n.format_datetime(MOMENT, "de") == "30. November 2026, 14:05 UTC"
    assert i18n.format_datetime(MOMENT, "ja") == "2026年11月30日 14:05 UTC"


def test_format_datetime_converts_to_the_zone() -> None:
    assert i18n.format_datetime(MOMENT, "de", "Europe/Berlin") == "30. November 2026, 15:05 MEZ"
    assert i18n.format_datetime(MOMENT, "ja", "Asia/Tokyo") == "2026年11月30日 23:05 JST"
    # No abbreviation known in the language: a GMT offset, never a bare "+0530".
    assert i18n.format_datetime(MOMENT, "en", "Asia/Kolkata") == (
        "November 30, 2026, 7:35\u202fPM GMT+05:30"
    )
    # An aware value in another zone is the same instant.
    elsewhere = MOMENT.astimezone(timezone(timedelta(hours=-5)))
    assert i18n.format_datetime(elsewhere, "de") == "30. November 2026, 14:05 UTC"


def test_format_datetime_takes_naive_as_utc() -> None:
    naive = MOMENT.replace(tzinfo=None)
    assert i18n.format_datetime(naive, "de") == i18n.format_datetime(MOMENT, "de")


@pytest.mark.parametrize("tag", i18n.LANGUAGES)
def test_format_datetime_every_language(tag: str) -> None:
    text = i18n.format_datetime(MOMENT, tag, "Asia/Tokyo")
    assert "2026" in text
    assert ("23:05" in text) or ("11:05" in text) or ("23.05" in text)


def test_format_datetime_unknown_zone_raises() -> None:
    with pytest.raises(LookupError):
        i18n.format_datetime(MOMENT, "de", "Mars/Olympus")


def test_language_name() -> None:
    assert i18n.language_name("en", "de") == "Englisch"
    assert i18n.language_name("de", "en") == "German"
    assert i18n.language_name("zh-Hant", "en") == "Chinese (Traditional)"
    assert i18n.language_name("en", "fr") == "anglais"
    assert i18n.language_name("qqq-bogus", "en") == "qqq-bogus"


def test_datetime_and_language_read_well_in_messages() -> None:
    published = i18n.gettext(
        "de", "Published {datetime}", datetime=i18n.format_datetime(MOMENT, "de")
    )
    assert published == "Veröffentlicht am 30. November 2026, 14:05 UTC"
    read_in = i18n.gettext("de", "Read in {language}", language=i18n.language_name("en", "de"))
    assert read_in == "Auf Englisch lesen"
    assert i18n.gettext("es", "Read in {language}", language=i18n.language_name("en", "es")) == (
        "Leer en inglés"
    )
