"""Interface text of the wire in its 15 languages, and locale-aware dates.

Each language has its catalogs under ``locale/<babel id>/LC_MESSAGES/``: ``messages.po`` for
what readers see (public pages, feeds, emails; all 15 languages) and one ``<area>.po`` per
signed-in area (``desk.po``, ``portal.po``, ``operator.po``, ``account.po``; at least the
:data:`INTERFACE_LANGUAGES`). The English msgid is the key. All of a language's catalogs are
read with Babel, compiled in memory on first use and merged into one (no build step, no
committed ``.mo``), then cached per language. Where two areas translate the same English text
differently (short words such as "Role" read differently on different pages), the page's own
area wins: templates under ``portal/`` read ``portal.po`` first, and so on; reader-facing text
(the default area, ``messages``) reads ``messages.po`` first. An area may not contradict
``messages.po`` or ``app.po`` (tested). ``newswire i18n missing`` lists the messages
the code and templates use that a catalog lacks (see :mod:`newswire.i18n.coverage`).

Placeholders are ``str.format`` fields (``{issuer}``, ``{datetime}``...). Conventions for
the values passed in, so that every translation reads correctly:

- ``{datetime}``: the output of :func:`format_datetime` in the same language;
- ``{language}``: the output of :func:`language_name` in the same language (the name in
  the reader's language, e.g. ``"Englisch"`` for German; the translations are written
  around that form, e.g. ``"Auf Englisch lesen"``).

Language tags are BCP 47. Anything else is resolved to one of :data:`LANGUAGES` by
:func:`resolve_language` (exact tag, else the base language, else English), so callers
can pass a reader's or a recipient's preference as it is.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel import dates as babel_dates
from babel.core import get_global
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from newswire.taxonomy.languages import (
    DEFAULT_LANGUAGE,
    INTERFACE_LANGUAGES,
    LANGUAGES,
    TRADITIONAL_CHINESE_REGIONS,
    wire_language,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "INTERFACE_LANGUAGES",
    "LANGUAGES",
    "N_",
    "accepted_languages",
    "format_date",
    "format_datetime",
    "gettext",
    "is_rtl",
    "language_name",
    "resolve_language",
    "translations",
]

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"

_OFFSET_ONLY = re.compile(r"^[+-]\d{4}$")


def _babel_id(tag: str) -> str:
    """Babel/CLDR identifier of one of LANGUAGES: ``zh-Hans`` -> ``zh_Hans``."""
    return tag.replace("-", "_")


def resolve_language(lang: str) -> str:
    """The wire language to use for ``lang``: the exact tag, else its base language, else English.

    Case and ``_`` separators are tolerated; ``pt-BR`` -> ``pt``; Chinese goes by script,
    else by region (``zh-TW``/``zh-HK``/``zh-MO`` -> ``zh-Hant``, other ``zh`` -> ``zh-Hans``);
    deprecated codes follow CLDR aliases (``in`` -> ``id``). Never raises.
    """
    if not isinstance(lang, str):
        return DEFAULT_LANGUAGE
    parts = [p for p in lang.strip().replace("_", "-").split("-") if p]
    if not parts:
        return DEFAULT_LANGUAGE
    base = parts[0].lower()
    alias = get_global("language_aliases").get(base)
    if isinstance(alias, str) and "_" not in alias:
        base = alias.lower()
    if base == "zh":
        return _resolve_chinese(parts[1:])
    return wire_language(base) or DEFAULT_LANGUAGE


def _resolve_chinese(subtags: list[str]) -> str:
    script = next((s.title() for s in subtags if len(s) == 4 and s.isalpha()), None)
    if script is None:
        region = next((s.upper() for s in subtags if len(s) == 2 and s.isalpha()), None)
        if region is not None:
            # CLDR likely subtags decide; the wire's Traditional regions are the fallback.
            likely = get_global("likely_subtags").get(f"zh_{region}") or ""
            if "_Hant" in likely or region in TRADITIONAL_CHINESE_REGIONS:
                script = "Hant"
    return "zh-Hant" if script == "Hant" else "zh-Hans"


def _locale(lang: str) -> Locale:
    return Locale.parse(_babel_id(resolve_language(lang)))


def catalog_paths(tag: str) -> list[Path]:
    """The catalogs of wire language ``tag``: ``messages.po`` first, then the areas by name."""
    folder = LOCALE_DIR / _babel_id(tag) / "LC_MESSAGES"
    return sorted(folder.glob("*.po"), key=lambda p: (p.stem != DOMAIN, p.name))


def _compile(path: Path, tag: str) -> Translations:
    with path.open("rb") as fp:
        catalog = read_po(fp, locale=_babel_id(tag), domain=DOMAIN)
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)


@cache
def _load(tag: str, area: str) -> Translations:
    """All of the language's catalogs merged, ``area``'s last: where two areas translate the
    same English text differently ("Role", "Created"...), each area's pages read their own."""
    merged = Translations(domain=DOMAIN)
    for path in sorted(catalog_paths(tag), key=lambda p: (p.stem == area, p.name)):
        try:
            merged.merge(_compile(path, tag))
        except Exception:  # a broken catalog must not take pages down: its messages stay English
            log.exception("i18n: cannot load catalog %s", path)
    return merged


def translations(lang: str, area: str = DOMAIN) -> Translations:
    """The compiled catalog for ``lang`` (see :func:`resolve_language`), with ``area``'s
    wording first (the readers' ``messages`` by default); never raises.

    Messages missing from a catalog come back as their English msgid.
    """
    return _load(resolve_language(lang), area)


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is written; translate it where it is shown."""
    return message


def gettext(lang: str, message: str, *, area: str = DOMAIN, **params: object) -> str:
    """Translate ``message`` (an English msgid) into ``lang`` (``area``'s wording first), then
    ``str.format(**params)``."""
    text = translations(lang, area).gettext(message)
    return text.format(**params) if params else text


def accepted_languages(header: str) -> list[str]:
    """The tags of an HTTP Accept-Language header, most wanted first (``*`` and q=0 dropped)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:32]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        tag = tag.strip()
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(ranked)]


def is_rtl(lang: str) -> bool:
    """Whether ``lang`` is written right to left (``ar`` among the wire's languages).

    A tag Babel knows is judged on its own (``he`` is right to left even though the wire
    falls back to English for it); anything else by the language it resolves to.
    """
    try:
        loc = Locale.parse(lang.strip().replace("-", "_"))
    except Exception:
        loc = _locale(lang)
    return loc.character_order == "right-to-left"


def language_name(tag: str, lang: str) -> str:
    """The name of language ``tag`` in language ``lang``: ``"Englisch"`` for ``("en", "de")``.

    This is the form the ``{language}`` placeholders expect. Falls back to the tag itself.
    """
    try:
        subject = Locale.parse(str(tag).strip().replace("-", "_"))
    except Exception:
        return str(tag)
    return subject.get_display_name(_locale(lang)) or str(tag)


def format_datetime(value: datetime, lang: str, tz: str = "UTC") -> str:
    """Long date, short time and zone in ``lang``, shown in time zone ``tz``.

    ``"November 30, 2026, 2:05 PM UTC"`` in en, ``"30. November 2026, 14:05 UTC"`` in de.
    A naive ``value`` is taken to be UTC. An unknown ``tz`` raises ``LookupError``.
    """
    loc = _locale(lang)
    zone = babel_dates.get_timezone(tz)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(zone)
    day = babel_dates.format_date(local, "long", locale=loc)
    short = loc.time_formats["short"].pattern
    zone_name = babel_dates.format_time(local, "z", tzinfo=zone, locale=loc)
    if _OFFSET_ONLY.match(zone_name):  # no abbreviation in this language: "GMT+01:00"
        zone_name = babel_dates.get_timezone_gmt(local, width="long", locale=loc)
    time = f"{babel_dates.format_time(local, short, tzinfo=zone, locale=loc)} {zone_name}"
    pattern = str(loc.datetime_formats["long"]).replace("'", "")
    return pattern.replace("{0}", time).replace("{1}", day)


def format_date(value: date, lang: str) -> str:
    """Long date in ``lang``: ``"30. November 2026"`` in de, ``"2026年11月30日"`` in ja."""
    return babel_dates.format_date(value, "long", locale=_locale(lang))
