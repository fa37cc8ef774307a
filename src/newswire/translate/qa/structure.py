"""Structure: a sentence with no translation, dropped, added, merged or split sentences, URLs
and e-mail addresses (link destinations included), quotation marks, and a length far off what
such translations are (the translate stage's QA gate)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from newswire.translate.facts import normalize_url, quote_marks
from newswire.translate.qa.rule import Rule, SentencePair
from newswire.translate.qa.text import expected_ratio, listing
from newswire.translate.segment import sentence_spans

__all__ = [
    "MIN_LENGTH_FOR_RATIO",
    "RATIO_BOUNDS",
    "Emails",
    "LengthRatio",
    "NoTranslation",
    "Quotes",
    "SentenceCount",
    "Urls",
    "bead_reason",
]

# Quotation marks other than the corner brackets 「」『』 (which also set off names).
_PLAIN_QUOTES = frozenset('"“”„‟«»〝〞＂‹›')
MIN_LENGTH_FOR_RATIO = 40
RATIO_BOUNDS = (0.5, 2.0)


def bead_reason(sources: int, targets: int) -> str | None:
    """What an alignment bead of `sources` source and `targets` target sentences is wrong
    with: added, dropped, merged or split (None for one to one)."""
    if not sources:
        return "this target sentence has no source: it was added"
    if not targets:
        return "this source sentence has no translation: it was dropped"
    if sources != targets:
        return (
            f"{sources} source sentences became {targets} in the target "
            "(merged, split, or one dropped)"
        )
    return None


def _check_set(source: list[str], target: list[str]) -> list[str]:
    problems = []
    missing = [x for x in source if x not in target]
    extra = [x for x in target if x not in source]
    if missing:
        problems.append(f"{listing(missing)} missing from the target")
    if extra:
        problems.append(f"{listing(extra)} in the target is not in the source")
    return problems


def _with_links(urls: list[str], links: list[str]) -> list[str]:
    """The URLs of a text and its links' destinations (in-page anchors aside), each once."""
    return list(dict.fromkeys(urls + [normalize_url(u) for u in links if not u.startswith("#")]))


class NoTranslation(Rule):
    """An empty target: nothing else is checked."""

    name = "no_translation"
    kind = "sentence_count"
    stops = True

    def check(self, pair: SentencePair) -> str | None:
        return None if pair.target.strip() else "the sentence has no translation"


class Urls(Rule):
    """A URL (or a link's destination) missing, changed or added."""

    name = "urls"
    kind = "urls"

    def check(self, pair: SentencePair) -> str | None:
        s_urls = _with_links(pair.source_facts.urls, pair.links[0])
        t_urls = _with_links(pair.target_facts.urls, pair.links[1])
        problems = _check_set(s_urls, t_urls)
        return "; ".join(problems) or None


class Emails(Rule):
    """An e-mail address missing, changed or added."""

    name = "emails"
    kind = "emails"

    def check(self, pair: SentencePair) -> str | None:
        problems = _check_set(pair.source_facts.emails, pair.target_facts.emails)
        return "; ".join(problems) or None


class Quotes(Rule):
    """Quotation marks lost or added (a quote became indirect speech)."""

    name = "quotes"
    kind = "quotes"
    partly_for: ClassVar[Mapping[str, str]] = {
        script: (
            "corner brackets 「」『』 also set off names and titles (新製品「FleetView」): "
            "they count as quotation marks only where the source has some"
        )
        for script in ("Japanese", "Han")
    }

    def check(self, pair: SentencePair) -> str | None:
        qs, qt = pair.source_quote_marks, quote_marks(pair.target)
        if qs == qt:
            return None
        if not qs and all(ch not in pair.target for ch in _PLAIN_QUOTES):
            return None  # 「FleetView」: a name set off, not a quotation
        if qs and not qt:
            return "the quoted passage lost its quotation marks"
        return f"{qs} quotation marks in the source, {qt} in the target"


class SentenceCount(Rule):
    """Unaligned pairs only: the two sides have not as many sentences."""

    name = "sentence_count"
    kind = "sentence_count"

    def check(self, pair: SentencePair) -> str | None:
        if not pair.count_sentences:
            return None
        ns = pair.source_sentences
        nt = len(sentence_spans(pair.target, pair.tgt))
        if ns == nt:
            return None
        what = "dropped" if nt < ns else "added (or split)"
        return f"{ns} sentences in the source, {nt} in the target: {what}"


class LengthRatio(Rule):
    """The target is far shorter or longer than such translations are."""

    name = "length_ratio"
    kind = "length_ratio"

    def check(self, pair: SentencePair) -> str | None:
        if len(pair.source) < MIN_LENGTH_FOR_RATIO or not pair.target.strip():
            return None
        source, target = pair.translatable
        if len(source) < MIN_LENGTH_FOR_RATIO / 2:
            return None
        ratio = len(target) / len(source) / expected_ratio(pair.src, pair.tgt)
        low, high = RATIO_BOUNDS
        if ratio < low:
            return f"the target is {ratio:.0%} of the expected length: something is missing"
        if ratio > high:
            return f"the target is {ratio:.0%} of the expected length: something was added"
        return None
