"""Text helpers the QA rules and the alignment share (the translate stage's QA gate)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from newswire.translate.base import base_lang
from newswire.translate.facts import without_links

__all__ = [
    "CHAR_RATIO",
    "SCRIPTS",
    "expected_ratio",
    "listing",
    "script_of",
    "translatable_part",
    "words",
]

# Characters per English character in a typical translation (news prose).
CHAR_RATIO = {
    "en": 1.0,
    "de": 1.2,
    "fr": 1.2,
    "es": 1.15,
    "pt": 1.15,
    "ru": 1.1,
    "ar": 0.95,
    "ja": 0.45,
    "zh": 0.32,
    "ko": 0.5,
    "th": 1.0,
    "vi": 1.15,
    "id": 1.15,
    "ms": 1.15,
}


# The script each wire language is written in (by base language).
SCRIPTS = {
    **{lang: "Latin" for lang in ("en", "de", "fr", "es", "pt", "vi", "id", "ms")},
    "ru": "Cyrillic",
    "ar": "Arabic",
    "th": "Thai",
    "ko": "Hangul",
    "ja": "Japanese",
    "zh": "Han",
}


def script_of(lang: str) -> str | None:
    return SCRIPTS.get(base_lang(lang))


def expected_ratio(src: str, tgt: str) -> float:
    """How many target characters a source character typically becomes."""
    return CHAR_RATIO.get(base_lang(tgt), 1.0) / CHAR_RATIO.get(base_lang(src), 1.0)


def listing(values: Iterable[str]) -> str:
    return ", ".join(values)


def words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]{3,}", text)


def translatable_part(source: str, target: str) -> tuple[str, str]:
    """Both texts without URLs, addresses and the words they share (kept names, numbers)."""
    source, target = without_links(source, ""), without_links(target, "")
    token = r"[A-Za-z0-9](?:[A-Za-z0-9.,%&'-]*[A-Za-z0-9%])?"
    shared = set(re.findall(token, source)) & set(re.findall(token, target))
    for word in sorted(shared, key=len, reverse=True):
        if len(word) >= 2:
            source = source.replace(word, "")
            target = target.replace(word, "")
    return " ".join(source.split()), " ".join(target.split())
