"""Facts a translation must carry over unchanged, read from one sentence in one language.

`extract(text, lang)` finds URLs, e-mail addresses, phone numbers, dates (with month names
from Babel's locale data in the language, numeric dates, CJK "2025年3月3日"), weekdays,
times of day, and numbers with their locale's decimal and grouping symbols (Babel: 6,500
in English is 6.500 in German, 2.6 is 2,6) and scale words (6.5 billion = 6,5 Milliarden =
65億). A number is kept as the set of values it may stand for ({6.5, 6500000000} for "6.5
billion"), so two numbers agree when their sets meet. A number written in the other
convention than its language's ("2.6" in German) is marked `misformatted`.
"""

from __future__ import annotations

import re
import unicodedata

from newswire.translate.facts.dates import read_dates
from newswire.translate.facts.links import (
    EMAIL_RE,
    PHONE_RE,
    URL_RE,
    normalize_url,
    without_links,
)
from newswire.translate.facts.numbers import read_numbers
from newswire.translate.facts.record import (
    Facts,
    Number,
    ascii_digits,
    babel_locale,
    blank,
    fold,
)
from newswire.translate.facts.times import read_times

__all__ = [
    "EMAIL_RE",
    "URL_RE",
    "Facts",
    "Number",
    "babel_locale",
    "extract",
    "fold",
    "normalize_url",
    "quote_marks",
    "without_links",
]

_DIGIT = re.compile(r"\d")


def extract(text: str, lang: str) -> Facts:
    """Every fact in `text` (plain text, one sentence or more)."""
    facts = Facts()
    text = ascii_digits(unicodedata.normalize("NFC", text))
    # Most sentences have no link, address or figure: each pattern runs only where its
    # telltale character is (a digit, "@", "://" or "www.").
    has_digit = _DIGIT.search(text) is not None
    spans: list[tuple[int, int]] = []
    if "://" in text or "www." in text.lower():
        for m in URL_RE.finditer(text):
            facts.urls.append(normalize_url(m.group()))
            spans.append(m.span())
    rest = blank(text, spans)
    if "@" in rest:
        for m in EMAIL_RE.finditer(rest):
            facts.emails.append(m.group().lower())
            spans.append(m.span())
        rest = blank(text, spans)
    if "+" in rest and has_digit:
        for m in PHONE_RE.finditer(rest):
            facts.phones.append(re.sub(r"\D", "", m.group()))
            spans.append(m.span())
        rest = blank(text, spans)
    rest = read_dates(rest, lang, facts, has_digit)
    if has_digit:
        rest = read_times(rest, facts)
        read_numbers(rest, lang, facts)
    return facts


_QUOTE_CHARS = frozenset('"“”„‟«»「」『』〝〞＂‹›')


def quote_marks(text: str) -> int:
    """How many double quotation marks (of any script) `text` has."""
    return sum(1 for ch in text if ch in _QUOTE_CHARS)
