"""The signed-in areas speak the interface languages: every message their templates and modules
use is translated in each area's catalog, with its placeholders kept."""

from __future__ import annotations

import string

import pytest
from babel.messages.pofile import read_po

from newswire import i18n
from newswire.i18n import coverage

CASES = [(a, tag) for a in coverage.AREAS for tag in a.languages if tag != "en"]


def _fields(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def test_interface_languages_are_all_fifteen_of_the_wire() -> None:
    assert i18n.INTERFACE_LANGUAGES == i18n.LANGUAGES
    assert len(i18n.INTERFACE_LANGUAGES) == 15
    assert i18n.INTERFACE_LANGUAGES[0] == "en"


def test_messages_are_found_in_templates_and_modules() -> None:
    used = coverage.used(coverage.area("app"))
    assert {"Sign out", "Review queue", "Language"} <= used


@pytest.mark.parametrize(("where", "tag"), CASES, ids=[f"{a.name}-{t}" for a, t in CASES])
def test_area_catalog_translates_what_the_area_uses(where: coverage.Area, tag: str) -> None:
    assert coverage.missing(where, tag) == []


@pytest.mark.parametrize(("where", "tag"), CASES, ids=[f"{a.name}-{t}" for a, t in CASES])
def test_area_catalog_keeps_placeholders(where: coverage.Area, tag: str) -> None:
    path = coverage.LOCALE_DIR / tag.replace("-", "_") / "LC_MESSAGES" / f"{where.name}.po"
    if not path.exists():
        assert not coverage.used(where), f"{path} is missing"
        return
    with path.open("rb") as fp:
        catalog = read_po(fp, abort_invalid=True)
    assert not catalog.fuzzy
    for message in catalog:
        if message.id:
            assert _fields(str(message.string)) == _fields(str(message.id)), message.id


def test_area_messages_reach_the_merged_catalog() -> None:
    assert i18n.gettext("de", "Sign out") == "Abmelden"
    assert i18n.gettext("ja", "Review queue") == "審査キュー"
    # the readers' catalog is still there beside the areas
    assert i18n.gettext("de", "Latest releases") == "Neueste Pressemitteilungen"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", ["de-DE", "de", "en"]),
        ("en;q=0.5, fr;q=0.9", ["fr", "en"]),
        ("*, ja;q=0", []),
        ("", []),
        ("pt-BR;q=abc, es", ["es"]),
    ],
)
def test_accept_language_is_ranked(header: str, expected: list[str]) -> None:
    assert i18n.accepted_languages(header) == expected


@pytest.mark.parametrize("tag", [t for t in i18n.LANGUAGES if t != "en"])
def test_areas_keep_the_shared_wording(tag: str) -> None:
    """Every page reads the readers' catalog and the frame's (messages.po, app.po) beside its own:
    an area may not translate their messages another way ("Correction" is one word on the wire).
    Two areas may differ from each other: each page reads its own area first."""
    shared: dict[str, tuple[str, str]] = {}
    areas = []
    for path in i18n.catalog_paths(tag):
        with path.open("rb") as fp:
            catalog = read_po(fp, abort_invalid=True)
        texts = {str(m.id): str(m.string) for m in catalog if m.id and str(m.string).strip()}
        if path.stem in ("messages", "app"):
            shared |= {k: (path.name, v) for k, v in texts.items()}
        else:
            areas.append((path.name, texts))
    clashes = [
        f"{msgid!r}: {shared[msgid][0]} {shared[msgid][1]!r} vs {name} {text!r}"
        for name, texts in areas
        for msgid, text in texts.items()
        if msgid in shared and shared[msgid][1] != text
    ]
    assert not clashes, clashes


def test_each_page_reads_its_own_areas_wording(tmp_path: object) -> None:
    from newswire.render.html import template_area

    assert template_area("portal/report.html") == "portal"
    assert template_area("login.html") == "app"
    assert template_area("release.html") == "messages"
