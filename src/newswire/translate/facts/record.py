"""What a sentence's facts are (`Facts`, `Number`), and the text helpers every reader of
them shares: Babel's locale for a tag, folding for comparison, ASCII digits, blanking."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache

from babel import Locale, UnknownLocaleError

from newswire.translate.base import base_lang

__all__ = [
    "BUDDHIST_ERA",
    "THAI_YEARS",
    "Facts",
    "Number",
    "ascii_digits",
    "babel_locale",
    "blank",
    "fold",
]

# A Thai year in the Buddhist era (2568) is the common era's (2025) plus 543.
BUDDHIST_ERA = 543
THAI_YEARS = range(2400, 2700)


@cache
def babel_locale(lang: str) -> Locale | None:
    """Babel's locale for a tag ("zh-Hant" -> zh_Hant), or None."""
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        try:
            return Locale.parse(base_lang(lang))
        except (UnknownLocaleError, ValueError):
            return None


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Lower case, accents stripped, "ß" -> "ss" (for comparing names across languages).
    Cached: the QA gate folds the same words of a release many times."""
    text = text.replace("ß", "ss").replace("ẞ", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


_DIGITS = {
    cp: str(unicodedata.decimal(chr(cp)))
    for cp in range(0x80, 0x20000)
    if unicodedata.category(chr(cp)) == "Nd"
}
_DIGITS.update({ord("٫"): ".", ord("٬"): ","})


def ascii_digits(text: str) -> str:
    """Every decimal digit as 0-9 (Arabic-Indic, full-width, ...), Arabic separators as . ,"""
    return text if text.isascii() else text.translate(_DIGITS)


@dataclass(frozen=True, slots=True)
class Number:
    text: str
    values: frozenset[Decimal]
    misformatted: bool = False
    scaled: Decimal | None = None  # the value with its scale word ("18.5 million": 18500000)

    @property
    def small(self) -> bool:
        """A whole number up to 12 (before any scale word), which may be written as a word."""
        return any(v == v.to_integral_value() and 0 <= v <= 12 for v in self.values)


@dataclass(slots=True)
class Facts:
    urls: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    dates: list[tuple[int, int | None, int | None]] = field(default_factory=list)  # m, d, y
    date_texts: list[str] = field(default_factory=list)
    weekdays: list[int] = field(default_factory=list)
    times: list[frozenset[int]] = field(default_factory=list)  # minutes since midnight
    time_texts: list[str] = field(default_factory=list)
    numbers: list[Number] = field(default_factory=list)


def blank(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    chars = list(text)
    for a, b in spans:
        for i in range(a, b):
            chars[i] = " "
    return "".join(chars)
