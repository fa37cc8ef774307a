"""The interface-text catalogs: complete, faithful to their placeholders, and resolved right."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from babel.support import Translations

from newswire import i18n

LOCALE_DIR = Path(i18n.__file__).parent / "locale"

DISCLAIMER = (
    "The article is provided by a third-party content provider. "
    "{wire} ({url}) makes no warranties or representations in connection with it."
)

# Messages that other packages code against; the catalogs may hold more, not fewer.
REQUIRED = (
    "Industries",
    "Regions",
    "Keywords",
    "Sections",
    "Top story",
    "Daily news",
    "Feature",
    "Business",
    "About {issuer}",
    "Media contacts",
    "Email",
    "Phone",
    "Images",
    "Source: {issuer}",
    DISCLAIMER,
    "{wire} delivers real-time press release distribution for companies and institutions, "
    "reaching media outlets, editors and journalists, and professional desktops worldwide, "
    "in 15 languages.",
    "Published {datetime}",
    "Updated {datetime}",
    "Version {number}",
    "Version history",
    "Original version",
    "Correction",
    "Retraction",
    "Corrected on {datetime}: {reason}",
    "This release was retracted on {datetime}: {reason}",
    "This version corrects version {number}.",
    "Embargoed until {datetime}",
    "Other languages",
    "Read in {language}",
    "Latest releases",
    "Newsroom",
    "Releases from {issuer}",
    "No releases yet.",
    "Page {page}",
    "Next",
    "Previous",
    "Search",
    "Feeds",
    "Machine-translated from {language}",
    "Translated from {language} and reviewed by an editor",
    "Unsubscribe",
    "You receive this because you follow {beats}.",
    "Manage your preferences",
    "Hello {name},",
)

# Translations that are rightly spelled as in English: the word is the usual one there.
SAME_AS_ENGLISH = {
    ("de", "Feature"),  # the journalistic genre, so named in German newsrooms
    ("de", "Version {number}"),
    ("de", "Feeds"),
    ("de", "Website"),
    ("fr", "Version {number}"),
    ("fr", "Page {page}"),
    ("fr", "Site"),
    ("pt", "Site"),
    ("pt", "Feeds"),
    ("id", "Email"),
    ("vi", "Email"),
    ("de", "Text"),
    ("fr", "Signature"),
}

NON_ENGLISH = [tag for tag in i18n.LANGUAGES if tag != "en"]


def _path(tag: str) -> Path:
    return LOCALE_DIR / tag.replace("-", "_") / "LC_MESSAGES" / "messages.po"


def _read(tag: str) -> Catalog:
    with _path(tag).open("rb") as fp:
        return read_po(fp, abort_invalid=True)


def _messages(catalog: Catalog) -> dict[str, str]:
    return {str(m.id): str(m.string) for m in catalog if m.id}


def _fields(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


ENGLISH = _messages(_read("en"))


def test_languages_are_the_wires_fifteen() -> None:
    assert i18n.LANGUAGES == (
        "en", "ko", "ja", "ar", "zh-Hans", "zh-Hant", "vi", "th",
        "id", "ms", "de", "ru", "fr", "es", "pt",
    )  # fmt: skip


def test_one_catalog_per_language_and_no_other() -> None:
    on_disk = {p.parts[-3] for p in LOCALE_DIR.glob("*/LC_MESSAGES/messages.po")}
    assert on_disk == {tag.replace("-", "_") for tag in i18n.LANGUAGES}
    assert not list(LOCALE_DIR.rglob("*.mo")), "catalogs are compiled in memory"


@pytest.mark.parametrize("tag", i18n.LANGUAGES)
def test_catalog_parses(tag: str) -> None:
    catalog = _read(tag)
    assert str(catalog.locale).replace("_", "-") == tag
    assert not catalog.fuzzy
    assert len(_messages(catalog)) > 0


def test_english_catalog_holds_the_required_messages() -> None:
    assert set(REQUIRED) <= set(ENGLISH)
    assert len(ENGLISH) < 100
    # The English catalog is the source: its text is its msgid.
    assert all(text in ("", msgid) for msgid, text in ENGLISH.items())


@pytest.mark.parametrize("tag", NON_ENGLISH)
def test_catalog_translates_every_message(tag: str) -> None:
    messages = _messages(_read(tag))
    assert set(messages) == set(ENGLISH)
    untranslated = [m for m, text in messages.items() if not text.strip()]
    assert not untranslated
    for msgid, text in messages.items():
        if (tag, msgid) in SAME_AS_ENGLISH:
            continue
        assert text.casefold() != msgid.casefold(), f"{tag}: {msgid!r} left in English"


@pytest.mark.parametrize("tag", NON_ENGLISH)
def test_catalog_keeps_placeholders(tag: str) -> None:
    catalog = _read(tag)
    for message in catalog:
        if not message.id:
            continue
        msgid, text = str(message.id), str(message.string)
        assert _fields(text) == _fields(msgid), f"{tag}: {msgid!r}"
        assert not any(flag == "fuzzy" for flag in message.flags), f"{tag}: {msgid!r}"
        # Formats with exactly its own fields: no stray braces, no positional fields.
        text.format(**{field: "X" for field in _fields(msgid)})


def test_allowed_english_spellings_are_still_in_use() -> None:
    for tag, msgid in SAME_AS_ENGLISH:
        assert _messages(_read(tag))[msgid] == msgid


@pytest.mark.parametrize("tag", i18n.LANGUAGES)
def test_translations_serves_the_catalog(tag: str) -> None:
    catalog = _messages(_read(tag))
    t = i18n.translations(tag)
    assert isinstance(t, Translations)
    for msgid, text in catalog.items():
        assert t.gettext(msgid) == (text or msgid)


def test_translations_are_cached() -> None:
    assert i18n.translations("de") is i18n.translations("de")
    assert i18n.translations("de-AT") is i18n.translations("de")


def test_german_matches_the_syndicated_seed() -> None:
    assert i18n.gettext("de", "Industries") == "Branchen"
    assert i18n.gettext("de", "Top story") == "Top-Story"
    assert i18n.gettext("de", "Daily news") == "Tagesnachrichten"
    assert i18n.gettext("de", DISCLAIMER, wire="SeaPRwire", url="https://www.seaprwire.com/") == (
        "Der Artikel wird von einem Drittanbieter bereitgestellt. SeaPRwire "
        "(https://www.seaprwire.com/) gibt diesbezüglich keine Zusicherungen oder "
        "Darstellungen ab."
    )


def test_gettext_substitutes_placeholders() -> None:
    assert i18n.gettext("en", "Source: {issuer}", issuer="Acme") == "Source: Acme"
    assert i18n.gettext("de", "Über {issuer}", issuer="Acme") == "Über Acme"  # unknown: as is
    assert i18n.gettext("de", "About {issuer}", issuer="Acme AG") == "Über Acme AG"
    assert i18n.gettext("ja", "Page {page}", page=3) == "3ページ"
    assert (
        i18n.gettext("fr", "Corrected on {datetime}: {reason}", datetime="1 mai", reason="typo")
        == "Rectifié le 1 mai\u00a0: typo"
    )
    assert i18n.gettext("de", "Hello {name},", name="{name}") == "Guten Tag {name},"


def test_gettext_without_params_leaves_braces() -> None:
    assert i18n.gettext("de", "Version {number}") == "Version {number}"


def test_unknown_message_comes_back_in_english() -> None:
    assert i18n.gettext("de", "Not in any catalog") == "Not in any catalog"


@pytest.mark.parametrize(
    ("given", "resolved"),
    [
        ("de", "de"),
        ("zh-Hans", "zh-Hans"),
        ("ZH-hant", "zh-Hant"),
        ("zh_Hant", "zh-Hant"),
        ("pt-BR", "pt"),
        ("pt-PT", "pt"),
        ("de-CH", "de"),
        ("en-GB", "en"),
        ("ar-EG", "ar"),
        ("zh", "zh-Hans"),
        ("zh-CN", "zh-Hans"),
        ("zh-SG", "zh-Hans"),
        ("zh-TW", "zh-Hant"),
        ("zh-HK", "zh-Hant"),
        ("zh-MO", "zh-Hant"),
        ("zh-Hant-CN", "zh-Hant"),
        ("zh-Hans-HK", "zh-Hans"),
        ("in", "id"),
        ("xx", "en"),
        ("he", "en"),
        ("", "en"),
        ("-", "en"),
        ("  fr  ", "fr"),
    ],
)
def test_resolve_language(given: str, resolved: str) -> None:
    assert i18n.resolve_language(given) == resolved


def test_translations_fall_back() -> None:
    assert i18n.translations("pt-BR") is i18n.translations("pt")
    assert i18n.translations("zh-TW") is i18n.translations("zh-Hant")
    assert i18n.translations("zh-CN") is i18n.translations("zh-Hans")
    assert i18n.translations("xx") is i18n.translations("en")
    assert i18n.gettext("pt-BR", "Search") == "Pesquisar"
    assert i18n.gettext("zh-TW", "Search") == "搜尋"
    assert i18n.gettext("zh-SG", "Search") == "搜索"
    assert i18n.gettext("xx", "Industries") == "Industries"


@pytest.mark.parametrize("junk", ["", "??", "-x-", "en-", "x" * 200, "\x00", None, 42])
def test_translations_never_raise(junk: object) -> None:
    t = i18n.translations(junk)  # type: ignore[arg-type]
    assert t is i18n.translations("en")
    assert i18n.gettext(junk, "Next") == "Next"  # type: ignore[arg-type]
