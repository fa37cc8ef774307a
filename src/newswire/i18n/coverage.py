"""Which interface messages the code uses, and which of them a catalog lacks.

Messages are found the way Babel's extractor finds them: in templates, ``_("...")`` and
``gettext(lang, "...")`` (Jinja2's extractor); in Python modules, ``_("...")``, ``N_("...")``
and ``gettext(lang, "...")``. A message held in a constant is marked with :func:`N_` where it
is written, so that it is found.

Each catalog area owns some templates and modules: ``messages`` (what readers see, all 15
languages) and one catalog per signed-in area (the interface languages). ``newswire i18n
missing`` and the tests use :func:`missing` to show what a translator still has to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.extract import extract
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from newswire.taxonomy.languages import INTERFACE_LANGUAGES, LANGUAGES

PACKAGE = Path(__file__).resolve().parent.parent
TEMPLATES = PACKAGE / "render" / "templates"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
KEYWORDS: dict[str, tuple[int, ...] | None] = {"_": None, "N_": None, "gettext": (2,)}


@dataclass(frozen=True)
class Area:
    """One catalog file per language (``<name>.po``) and the templates and modules it serves."""

    name: str
    languages: tuple[str, ...]
    templates: tuple[str, ...]  # glob patterns under render/templates
    modules: tuple[str, ...]  # glob patterns under the newswire package


AREAS: tuple[Area, ...] = (
    Area(
        "messages",
        LANGUAGES,
        (
            "layout.html",
            "newsroom.html",
            "release.html",
            "article.html",
            "error.html",
            "confirm.html",
            "unsubscribe.html",
            "verify.html",
        ),
        (
            "web/public/*.py",
            "web/feeds/*.py",
            "publish/feeds.py",
            "render/html.py",
            "render/feeds.py",
            "deliver/digest.py",
            "channels/email_render.py",
            "render/mail_text.py",
            "deliver/direct_mail.py",
            "deliver/measure.py",
        ),
    ),
    Area("app", INTERFACE_LANGUAGES, ("app.html", "login.html"), ("web/session.py",)),
    Area("desk", INTERFACE_LANGUAGES, ("desk/*.html",), ("web/desk/*.py",)),
    Area("portal", INTERFACE_LANGUAGES, ("portal/*.html",), ("web/portal/*.py",)),
    Area("operator", INTERFACE_LANGUAGES, ("operator/*.html",), ("web/operator/*.py",)),
    Area("translator", INTERFACE_LANGUAGES, ("translator/*.html",), ("web/translator/*.py",)),
    Area("account", INTERFACE_LANGUAGES, ("account/*.html",), ("web/account/*.py",)),
)


def area(name: str) -> Area:
    for found in AREAS:
        if found.name == name:
            return found
    raise LookupError(f"no catalog area {name!r}; known: {', '.join(a.name for a in AREAS)}")


def _template_messages(path: Path) -> Iterator[str]:
    with path.open("rb") as fp:
        for _line, message, _comments, _context in extract(
            babel_extract, fp, keywords=KEYWORDS, options={"trimmed": "false"}
        ):
            if isinstance(message, str):
                yield message


def _module_messages(path: Path) -> Iterator[str]:
    with path.open("rb") as fp:
        for _line, message, _comments, _context in extract("python", fp, keywords=KEYWORDS):
            if isinstance(message, str):
                yield message


def used(where: Area) -> set[str]:
    """The msgids that the area's templates and modules use."""
    found: set[str] = set()
    for pattern in where.templates:
        for path in TEMPLATES.glob(pattern):
            found.update(_template_messages(path))
    for module in where.modules:
        for path in PACKAGE.glob(module):
            found.update(_module_messages(path))
    return found


@cache
def _translated(tag: str, name: str) -> frozenset[str]:
    path = LOCALE_DIR / tag.replace("-", "_") / "LC_MESSAGES" / f"{name}.po"
    if not path.exists():
        return frozenset()
    with path.open("rb") as fp:
        catalog = read_po(fp, abort_invalid=True)
    return frozenset(str(m.id) for m in catalog if m.id and str(m.string).strip())


def missing(where: Area, tag: str) -> list[str]:
    """Messages the area uses that its catalog for ``tag`` does not translate (none for English:
    the msgid is the English text)."""
    if tag == "en":
        return []
    return sorted(used(where) - _translated(tag, where.name))


def report(areas: tuple[Area, ...] = AREAS) -> dict[tuple[str, str], list[str]]:
    """Every (area, language) with something missing, and what."""
    gaps: dict[tuple[str, str], list[str]] = {}
    for where in areas:
        for tag in where.languages:
            lacking = missing(where, tag)
            if lacking:
                gaps[(where.name, tag)] = lacking
    return gaps


__all__ = ["AREAS", "Area", "area", "missing", "report", "used"]
