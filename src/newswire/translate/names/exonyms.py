"""Country and language names in every language, from Babel's CLDR data ("Russia" ->
"Russland", "ロシア", "روسيا"; "German" -> "Deutsch"): the names a translation may give a
country or a language the source names in its own language (the translate stage's name
checks).
"""

from __future__ import annotations

from functools import cache

from newswire.translate.base import base_lang
from newswire.translate.facts import babel_locale

__all__ = ["countries_in_unspaced_scripts", "country_code", "language_code", "local_names"]


@cache
def _names(kind: str, lang: str) -> dict[str, str]:
    """Country (territory) or language names in `lang`, lower case -> code."""
    loc = babel_locale(lang) or babel_locale("en")
    assert loc is not None
    table = loc.territories if kind == "territories" else loc.languages
    out: dict[str, str] = {}
    for code, name in table.items():
        if "_" in code or len(code) > 3 or (kind == "territories" and code.isdigit()):
            continue
        out.setdefault(name.lower(), code)
    return out


def country_code(word: str, lang: str = "en") -> str | None:
    """The country a name in `lang` names ("Russia", "Frankreich", "Франция"); in German and
    Russian, which inflect names, also an inflected form ("Frankreichs", "в Польше")."""
    table = _names("territories", lang)
    key = word.lower()
    if key in table or base_lang(lang) not in _INFLECTING or len(key) < 5:
        return table.get(key)
    for name, code in _stems("territories", lang):
        if key.startswith(name) and len(key) - len(name) <= 3:
            return code
    return None


@cache
def _stems(kind: str, lang: str) -> tuple[tuple[str, str], ...]:
    """(stem, code) of the one-word names: the name less its last two letters (4+ left)."""
    return tuple(
        (name[:-2], code)
        for name, code in _names(kind, lang).items()
        if " " not in name and len(name) >= 6
    )


@cache
def countries_in_unspaced_scripts(lang: str) -> tuple[tuple[str, str], ...]:
    """(name, code) of the country names in `lang`, longest first: for finding them inside
    text written without capitals (フランス, 法国, ฝรั่งเศส, فرنسا, 프랑스)."""
    names = [(n, c) for n, c in _names("territories", lang).items() if len(n) >= 2]
    names = [(n, c) for n, c in names if n not in _AMBIGUOUS]
    return tuple(sorted(names, key=lambda item: len(item[0]), reverse=True))


_INFLECTING = frozenset({"de", "ru"})
# Country names that are also common parts of other words ("中非合作": China-Africa).
_AMBIGUOUS = frozenset({"中非", "中国香港特别行政区"})


def language_code(word: str, lang: str = "en") -> str | None:
    return _names("languages", lang).get(word.lower())


def local_names(text: str, tgt: str, src: str = "en") -> tuple[list[str], list[str]]:
    """The target-language names of the country, and of the language, `text` (written in
    `src`) names."""
    loc = babel_locale(tgt)
    if loc is None:
        return [], []
    countries: list[str] = []
    languages: list[str] = []
    country = country_code(text, src)
    if country and country in loc.territories:
        countries.append(loc.territories[country])
    language = language_code(text, src)
    if language and language in loc.languages:
        languages.append(loc.languages[language])
    return countries, languages
