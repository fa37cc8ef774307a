"""Country and language names in every language, from Babel's CLDR data ("Russia" ->
"Russland", "ロシア", "روسيا"; "German" -> "Deutsch"): the names a translation may give a
country or a language the source names in its own language (the translate stage's name
checks).
"""

from __future__ import annotations

from functools import cache

from newswire.translate.facts import babel_locale

__all__ = ["country_code", "language_code", "local_names"]


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
    """The country a name in `lang` names ("Russia", "Frankreich", "Франция")."""
    return _names("territories", lang).get(word.lower())


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
