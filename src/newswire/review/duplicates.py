"""Near-duplicate detection: Jaccard similarity of shingle sets over headline and body.

Word 3-shingles for space-separated text; character 4-shingles for text mostly in scripts
written without spaces (Chinese, Japanese, Thai), where "words" would be whole sentences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from newswire.domain.release import ReleaseContent
from newswire.intake.text import plain_text
from newswire.review import tokens

WORD_SHINGLE = 3
CHAR_SHINGLE = 4


def analysis_text(content: ReleaseContent, body_text: str | None = None) -> str:
    """Headline and body as one plain text."""
    body = plain_text(content.body_markdown) if body_text is None else body_text
    return f"{content.headline}\n{body}"


def shingles(text: str, *, spaceless: bool) -> frozenset[str]:
    if spaceless:
        chars = "".join(ch for ch in text.casefold() if ch.isalnum() or tokens.is_spaceless(ch))
        n = CHAR_SHINGLE
        if len(chars) < n:
            return frozenset({chars}) if chars else frozenset()
        return frozenset(chars[i : i + n] for i in range(len(chars) - n + 1))
    words = [w.casefold() for w in tokens.words(text)]
    n = WORD_SHINGLE
    if len(words) < n:
        return frozenset({" ".join(words)}) if words else frozenset()
    return frozenset(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


@dataclass(frozen=True)
class Match:
    score: float
    release: ReleaseContent | None  # None when there was nothing to compare with
    method: str  # "word 3-shingles" or "character 4-shingles"


def most_similar(
    content: ReleaseContent, recent: Sequence[ReleaseContent], body_text: str | None = None
) -> Match:
    """The recent release most like `content` and its Jaccard score (0..1)."""
    text = analysis_text(content, body_text)
    spaceless = tokens.mostly_spaceless(text)
    method = f"character {CHAR_SHINGLE}-shingles" if spaceless else f"word {WORD_SHINGLE}-shingles"
    mine = shingles(text, spaceless=spaceless)
    best = Match(0.0, None, method)
    for other in recent:
        score = jaccard(mine, shingles(analysis_text(other), spaceless=spaceless))
        if score > best.score or best.release is None:
            best = Match(score, other, method)
    return best
