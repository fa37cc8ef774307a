"""Languages: BCP 47 tags normalised and validated, the 15 wire languages, names and locales."""

from __future__ import annotations

import pytest
from babel import Locale

from newswire.taxonomy import (
    LANGUAGES,
    babel_locale,
    is_wire_language,
    language_name,
    normalize_language,
    wire_language,
)


def test_the_wire_has_15_languages_in_order() -> None:
    assert LANGUAGES == (
        "en", "ko", "ja", "ar", "zh-Hans", "zh-Hant", "vi", "th",
        "id", "ms", "de", "ru", "fr", "es", "pt",
    )  # fmt: skip


def test_the_wire_languages_are_already_normalised() -> None:
    assert all(normalize_language(lang) == lang for lang in LANGUAGES)


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("en", "en"),
        ("EN", "en"),
        ("zh-hans", "zh-Hans"),
        ("ZH-HANT", "zh-Hant"),
        ("PT-br", "pt-BR"),
        ("pt_BR", "pt-BR"),
        (" de-de ", "de-DE"),
        ("zh-hant-tw", "zh-Hant-TW"),
        ("es-419", "es-419"),
        ("sr-latn-rs", "sr-Latn-RS"),
        ("de-CH-1996", "de-CH-1996"),
        ("en-US-X-Twain", "en-US-x-twain"),
        ("fil", "fil"),
    ],
)
def test_normalize_language_gives_canonical_casing(tag: str, expected: str) -> None:
    assert normalize_language(tag) == expected


@pytest.mark.parametrize(
    "tag",
    ["xx", "english", "", "   ", "en-", "-en", "en--us", "en-XY", "en-Qqqq", "zh-yue", "e", "12"],
)
def test_invalid_tags_raise_value_error_naming_the_tag(tag: str) -> None:
    with pytest.raises(ValueError, match=f"not a valid language tag: {tag!r}"):
        normalize_language(tag)


@pytest.mark.parametrize(
    ("tag", "wire"),
    [
        ("en", "en"),
        ("en-GB", "en"),
        ("pt-BR", "pt"),
        ("zh-CN", "zh-Hans"),
        ("zh-SG", "zh-Hans"),
        ("zh", "zh-Hans"),
        ("zh-TW", "zh-Hant"),
        ("zh-HK", "zh-Hant"),
        ("zh-Hant-CN", "zh-Hant"),
        ("ms-MY", "ms"),
        ("nl", None),
        ("zh-Latn", None),
        ("xx", None),
    ],
)
def test_wire_language_maps_a_tag_to_one_of_the_15(tag: str, wire: str | None) -> None:
    assert wire_language(tag) == wire
    assert is_wire_language(tag) is (wire is not None)


def test_every_wire_language_is_one() -> None:
    assert all(is_wire_language(lang) for lang in LANGUAGES)


def test_language_name_in_english() -> None:
    assert language_name("de", "en") == "German"
    assert language_name("zh-Hans", "en") == "Chinese (Simplified)"
    assert language_name("pt-BR", "en") == "Portuguese (Brazil)"


def test_language_name_in_its_own_language() -> None:
    assert language_name("de", "de") == "Deutsch"
    assert language_name("ja", "ja") == "日本語"
    assert language_name("ko", "ko") == "한국어"


def test_language_name_works_for_all_15_in_all_15() -> None:
    for tag in LANGUAGES:
        names = {in_lang: language_name(tag, in_lang) for in_lang in LANGUAGES}
        assert all(names.values()), tag
    assert len({language_name(tag, "en") for tag in LANGUAGES}) == 15


def test_language_name_rejects_invalid_tags_and_falls_back_for_display() -> None:
    with pytest.raises(ValueError, match="'english'"):
        language_name("english", "en")
    assert language_name("de", "xx") == "German"


def test_babel_locale() -> None:
    assert babel_locale("zh-Hans") == Locale("zh", script="Hans")
    assert babel_locale("zh-Hant") == Locale("zh", script="Hant")
    assert babel_locale("pt-BR") == Locale("pt", territory="BR")
    assert babel_locale("DE") == Locale("de")
    assert babel_locale("xx") == Locale("en")
    assert babel_locale("") == Locale("en")
    assert babel_locale("tlh") == Locale("en")  # valid tag, no CLDR data


def test_babel_locale_exists_for_every_wire_language() -> None:
    for lang in LANGUAGES:
        assert str(babel_locale(lang)) == lang.replace("-", "_")
