"""Languages: BCP 47 tags, the wire's 15 languages, display names and label fallback.

Validity is checked against the ISO registries that BCP 47 builds on (ISO 639 languages,
ISO 15924 scripts, ISO 3166-1 regions, via pycountry); display names come from CLDR via Babel.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache

import pycountry
from babel import Locale, UnknownLocaleError

LANGUAGES: tuple[str, ...] = (
    "en",
    "ko",
    "ja",
    "ar",
    "zh-Hans",
    "zh-Hant",
    "vi",
    "th",
    "id",
    "ms",
    "de",
    "ru",
    "fr",
    "es",
    "pt",
)
"""The wire's languages, in the wire's order."""

DEFAULT_LANGUAGE = "en"

INTERFACE_LANGUAGES: tuple[str, ...] = LANGUAGES
"""Languages of the signed-in pages (portal, desk, operator, translator, journalist account):
all of :data:`LANGUAGES`, in the wire's order, like the public pages and everything sent to
readers. A separate name so that the signed-in areas could again speak fewer."""

TRADITIONAL_CHINESE_REGIONS = frozenset({"TW", "HK", "MO"})
"""Regions where Chinese with no script subtag means Traditional script (zh-Hant)."""

_SUBTAG = re.compile(r"[A-Za-z0-9]{1,8}")
_ALPHA = re.compile(r"[A-Za-z]+")
_VARIANT = re.compile(r"[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}")


@dataclass(frozen=True)
class _Tag:
    language: str
    script: str | None
    region: str | None
    rest: tuple[str, ...]

    def __str__(self) -> str:
        parts = [self.language, self.script, self.region, *self.rest]
        return "-".join(p for p in parts if p)


@cache
def _iso639() -> frozenset[str]:
    codes: set[str] = set()
    for lang in pycountry.languages:
        codes.add(lang.alpha_3)
        alpha_2 = getattr(lang, "alpha_2", None)
        if alpha_2:
            codes.add(alpha_2)
    return frozenset(codes)


@cache
def _iso15924() -> frozenset[str]:
    return frozenset(script.alpha_4 for script in pycountry.scripts)


@cache
def _iso3166() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


def _invalid(tag: object, why: str) -> ValueError:
    return ValueError(f"not a valid language tag: {tag!r} ({why})")


@lru_cache(maxsize=4096)
def _parse(tag: str) -> _Tag:
    """Parse language[-script][-region][-variant...][-extension...][-x-private]."""
    if not isinstance(tag, str) or not tag.strip():
        raise _invalid(tag, "empty")
    parts = tag.strip().replace("_", "-").split("-")
    if not all(_SUBTAG.fullmatch(p) for p in parts):
        raise _invalid(tag, "subtags are 1-8 letters or digits separated by '-'")
    language = parts[0].lower()
    if not (_ALPHA.fullmatch(language) and len(language) in (2, 3)):
        raise _invalid(tag, "the language subtag must be a 2- or 3-letter ISO 639 code")
    if language not in _iso639():
        raise _invalid(tag, f"unknown ISO 639 language {language!r}")
    i = 1
    script = region = None
    if i < len(parts) and len(parts[i]) == 4 and _ALPHA.fullmatch(parts[i]):
        script = parts[i].title()
        if script not in _iso15924():
            raise _invalid(tag, f"unknown ISO 15924 script {script!r}")
        i += 1
    if i < len(parts) and len(parts[i]) == 2 and _ALPHA.fullmatch(parts[i]):
        region = parts[i].upper()
        if region not in _iso3166():
            raise _invalid(tag, f"unknown ISO 3166-1 region {region!r}")
        i += 1
    elif i < len(parts) and len(parts[i]) == 3 and parts[i].isdigit():
        region = parts[i]  # UN M.49 area, e.g. es-419
        i += 1
    rest: list[str] = []
    while i < len(parts) and _VARIANT.fullmatch(parts[i]):
        rest.append(parts[i].lower())
        i += 1
    while i < len(parts):
        singleton = parts[i].lower()
        if len(singleton) != 1:
            raise _invalid(tag, f"unexpected subtag {parts[i]!r}")
        body = parts[i + 1 :] if singleton == "x" else _extension_body(parts, i + 1)
        if not body or (singleton != "x" and any(len(p) < 2 for p in body)):
            raise _invalid(tag, f"empty or malformed extension {singleton!r}")
        rest += [singleton, *(p.lower() for p in body)]
        i += 1 + len(body)
    return _Tag(language, script, region, tuple(rest))


def _extension_body(parts: list[str], start: int) -> list[str]:
    end = start
    while end < len(parts) and len(parts[end]) > 1:
        end += 1
    return parts[start:end]


def normalize_language(tag: str) -> str:
    """Canonical BCP 47 casing: "zh-hans" -> "zh-Hans", "PT-br" -> "pt-BR", "EN" -> "en".

    Underscores are accepted as separators ("pt_BR"). Raises ValueError naming the tag
    when it is not a valid language tag ("xx", "english", "").
    """
    return str(_parse(tag))


def wire_language(tag: str) -> str | None:
    """The wire language a tag falls under, or None.

    Exact match first, then the base language; Chinese goes by script, else by region
    (zh-CN, zh-SG, zh -> zh-Hans; zh-TW, zh-HK, zh-MO -> zh-Hant). Invalid tags give None.
    """
    try:
        parsed = _parse(tag)
    except ValueError:
        return None
    if parsed.language == "zh":
        if parsed.script == "Hant" or (
            parsed.script is None and parsed.region in TRADITIONAL_CHINESE_REGIONS
        ):
            return "zh-Hant"
        if parsed.script in (None, "Hans"):
            return "zh-Hans"
        return None
    return parsed.language if parsed.language in LANGUAGES else None


def is_wire_language(tag: str) -> bool:
    """True when the tag, or its base language, is one of the wire's 15 languages."""
    return wire_language(tag) is not None


def pick_label(labels: Mapping[str, str], lang: str) -> str:
    """The label for `lang`: the exact tag, else its wire language, else English."""
    candidates: list[str] = []
    with contextlib.suppress(ValueError):
        candidates.append(normalize_language(lang))
    wire = wire_language(lang)
    if wire:
        candidates.append(wire)
    candidates.append(DEFAULT_LANGUAGE)
    for candidate in candidates:
        label = labels.get(candidate)
        if label:
            return label
    raise KeyError(f"no label for {lang!r} and no {DEFAULT_LANGUAGE!r} fallback")


@lru_cache(maxsize=1024)
def babel_locale(tag: str) -> Locale:
    """The Babel locale for a tag (zh-Hans -> Locale zh_Hans); unknown tags give Locale("en")."""
    try:
        parsed = _parse(tag)
    except ValueError:
        return Locale(DEFAULT_LANGUAGE)
    for candidate in (str(parsed), parsed.language):
        try:
            return Locale.parse(candidate, sep="-")
        except (UnknownLocaleError, ValueError):
            continue
    return Locale(DEFAULT_LANGUAGE)


def language_name(tag: str, in_lang: str) -> str:
    """The name of language `tag` written in `in_lang`, e.g. ("de", "en") -> "German".

    Raises ValueError when `tag` is not a valid language tag; an unknown `in_lang` means English.
    """
    parsed = _parse(tag)
    display = babel_locale(in_lang)
    try:
        name = Locale.parse(str(parsed), sep="-").get_display_name(display)
    except (UnknownLocaleError, ValueError):
        name = None
    if name:
        return name
    name = display.languages.get(parsed.language)
    if name:
        return name
    record = pycountry.languages.get(alpha_2=parsed.language) or pycountry.languages.get(
        alpha_3=parsed.language
    )
    return str(record.name) if record else parsed.language
