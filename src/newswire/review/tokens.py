"""Word-level text helpers shared by the review checks, aware of scripts without spaces."""

from __future__ import annotations

import re

# Scripts written without spaces between words: Han, kana, Thai, Lao, Khmer, Myanmar.
_SPACELESS_RANGES = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width katakana
    (0x20000, 0x3134F),  # CJK extensions B-G
)

WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")


def is_spaceless(ch: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _SPACELESS_RANGES)


def spaceless_share(text: str) -> float:
    """The share of letters (and marks) that belong to scripts written without spaces."""
    letters = [ch for ch in text if ch.isalpha() or is_spaceless(ch)]
    if not letters:
        return 0.0
    return sum(1 for ch in letters if is_spaceless(ch)) / len(letters)


def mostly_spaceless(text: str) -> bool:
    """True for Chinese, Japanese and Thai text, where word shingles do not work."""
    return spaceless_share(text) >= 0.3


def words(text: str) -> list[str]:
    """Words of space-separated scripts (runs of spaceless script split into fragments)."""
    return WORD.findall(text)


def word_count(text: str) -> int:
    """About how many words `text` has; in scripts without spaces, two characters per word."""
    spaceless = sum(1 for ch in text if is_spaceless(ch))
    spaced = "".join(" " if is_spaceless(ch) else ch for ch in text)
    return len(WORD.findall(spaced)) + (spaceless + 1) // 2
