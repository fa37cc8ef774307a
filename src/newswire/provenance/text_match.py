"""Does a text (pasted, or a partner's page) carry exactly what the wire signed?

Both sides are normalised first, so that what a republisher's tools do to text does not count
as a change: Unicode NFKC, typographic quotes, dashes, ellipses and spaces made plain, soft
hyphens and zero-width characters dropped, every run of whitespace (line breaks included) one
space. The signed text is the document's headline and body paragraphs (a republisher may leave
out the subheadline and the boilerplate). A text matches when all of that appears in it, in
order: a republication with the wire's attribution and disclaimer around it still matches.
When it does not, `differences` lists what changed, word by word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

import lxml.html

_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"',
        "\u00bb": '"', "\u2033": '"', "\u2039": "'", "\u203a": "'",
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-",
        "\u00ad": None, "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None,
        "\ufeff": None,
    }
)  # fmt: skip
_SPACE = re.compile(r"\s+")
MAX_DIFFERENCES = 20
CONTEXT = 4  # words of the signed text shown around a difference


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY).replace("\u2026", "...")
    return _SPACE.sub(" ", text).strip()


def html_paragraphs(html: str) -> list[str]:
    """The text of each block of an HTML body (paragraphs, headings, list items)."""
    if not html.strip():
        return []
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    blocks = root.xpath(".//p|.//h1|.//h2|.//h3|.//h4|.//h5|.//h6|.//li|.//blockquote|.//td")
    texts = [b.text_content() for b in blocks if not b.xpath("ancestor::p|ancestor::li")]
    return [t for t in (normalize(x) for x in texts or [root.text_content()]) if t]


@dataclass(frozen=True)
class SignedText:
    required: tuple[str, ...]  # headline, then the body's paragraphs

    @property
    def words(self) -> list[str]:
        return " ".join(self.required).split(" ")


def signed_text(ninjs: dict[str, Any]) -> SignedText:
    """What a reader of a signed ninjs document reads."""
    headlines = {h.get("role"): str(h.get("value", "")) for h in ninjs.get("headlines", [])}
    bodies = {b.get("role"): b for b in ninjs.get("bodies", [])}
    main = bodies.get("main", {})
    body = main.get("value", "")
    paragraphs = (
        html_paragraphs(body) if main.get("contenttype") == "text/html" else [normalize(body)]
    )
    return SignedText(tuple(t for t in [normalize(headlines.get("main", "")), *paragraphs] if t))


@dataclass(frozen=True)
class Difference:
    op: str  # replace | delete (in the signed text, missing here) | insert (added here)
    signed: str
    found: str
    before: str = ""  # the signed words just before and after, to find the place
    after: str = ""


@dataclass(frozen=True)
class TextMatch:
    matches: bool
    similarity: float  # 0..1, how much of the signed text the given text carries
    differences: tuple[Difference, ...]


def _contains_in_order(haystack: str, parts: Sequence[str]) -> bool:
    at = 0
    for part in parts:
        found = haystack.find(part, at)
        if found < 0:
            return False
        at = found + len(part)
    return True


def compare(text: str, signed: SignedText) -> TextMatch:
    given = normalize(text)
    if _contains_in_order(given, signed.required):
        return TextMatch(True, 1.0, ())
    have: list[str] = []
    line_of: list[int] = []  # the line each word of the text is on
    for number, line in enumerate(text.splitlines()):
        words = normalize(line).split(" ") if line.strip() else []
        have += words
        line_of += [number] * len(words)
    differences: list[Difference] = []
    same = total = 0
    for part in signed.required:  # paragraph by paragraph: what a republisher adds in between
        want = part.split(" ")  # (an attribution line) is not a change of either
        total += len(want)
        if part in given:
            same += len(want)
            continue
        region = _region(want, have, line_of)
        matcher = SequenceMatcher(None, want, region, autojunk=False)
        same += sum(b.size for b in matcher.get_matching_blocks())
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op != "equal" and len(differences) < MAX_DIFFERENCES:
                differences.append(
                    Difference(
                        op,
                        " ".join(want[i1:i2]),
                        " ".join(region[j1:j2]),
                        " ".join(want[max(i1 - CONTEXT, 0) : i1]),
                        " ".join(want[i2 : i2 + CONTEXT]),
                    )
                )
    return TextMatch(False, round(same / max(total, 1), 3), tuple(differences))


def _region(want: list[str], have: list[str], line_of: list[int]) -> list[str]:
    """The words of `have` that a paragraph maps to: from its first matching word to its last,
    widened by as many words as it lacks at either end, but not into another line (where a
    republisher's attribution or disclaimer would be)."""
    matcher = SequenceMatcher(None, want, have, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    if not blocks:
        return []
    head, tail = blocks[0], blocks[-1]
    start = head.b
    while start > 0 and head.b - start < head.a and line_of[start - 1] == line_of[head.b]:
        start -= 1
    end, last = tail.b + tail.size, tail.b + tail.size - 1
    lacking = len(want) - tail.a - tail.size
    while end < len(have) and end - last - 1 < lacking and line_of[end] == line_of[last]:
        end += 1
    return have[start:end]


def resemblance(text: str, signed: SignedText) -> float:
    """A quick score (0..1) to pick candidates: the share of the signed headline and first
    paragraph's words found in the text."""
    given = set(normalize(text).split(" "))
    probe = " ".join(signed.required[:2]).split(" ")
    return sum(1 for w in probe if w in given) / max(len(probe), 1)
