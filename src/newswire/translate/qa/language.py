"""Language: the target still in the source language, or in a third one (the translate
stage's QA gate).

A sentence left in the source language is flagged in every target language, short or full
of names. Both sides are first reduced to their ordinary words: names (the source's names,
the document's known names, glossary terms), numbers, URLs, e-mail addresses and
placeholders are stripped, since a translation keeps those. Then:

1. a source with no ordinary word left (only names, numbers, links) is never flagged;
2. a target whose words are the source's words (the same, or all of them taken from the
   source) is untranslated when something confirms the language: the words are written in
   the source's script where the target's is another one (English left in a Japanese
   edition), or lingua finds them clearly more likely in the source language than in the
   target one (`EVIDENCE_RATIO`, or `EVIDENCE_RATIO_MANY_WORDS` for three words or more;
   "Contact" is as French as it is English, "launches" is not).
   Between Indonesian and Malay, which share most words, only a long sentence
   (`CLOSE_LANGUAGES_MIN_WORDS`) kept word for word is flagged;
3. otherwise, a target with enough words of its own (MIN_WORDS_FOR_DETECTION) is identified
   (`newswire.intake.language.detect_language`): reading as the source language is
   untranslated, reading confidently as a third language is the wrong language.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar

from newswire.intake.language import (
    detect_language,
    detect_languages,
    language_confidence,
    likeliest_languages,
    same_language,
)
from newswire.translate.base import base_lang
from newswire.translate.facts import fold, without_links
from newswire.translate.glossary import Glossary
from newswire.translate.names.match import similar_spelling
from newswire.translate.names.recognize import WORD, clearly_a_name, core_of, source_names
from newswire.translate.qa.rule import GlossarySpan, Rule, SentencePair, glossary_spans
from newswire.translate.qa.text import script_of, translatable_part, words

__all__ = [
    "CLOSE_LANGUAGES_MIN_WORDS",
    "EVIDENCE_RATIO",
    "EVIDENCE_RATIO_MANY_WORDS",
    "MIN_WORDS_FOR_DETECTION",
    "Untranslated",
    "languages_ahead",
    "untranslated",
]

MIN_WORDS_FOR_DETECTION = 5
EVIDENCE_RATIO = 2.0
# Three or more ordinary words kept as they are: strong evidence already; lingua need only lean.
EVIDENCE_RATIO_MANY_WORDS = 1.2
CLOSE_LANGUAGES_MIN_WORDS = 6
TITLE_CASE_MIN_WORDS = 4
_CLOSE_LANGUAGES = frozenset({"id", "ms"})
_PLACEHOLDER = re.compile(r"XNW\d+X")
_LETTERS = re.compile(r"[^\W\d_]{2,}")

# The letters of each script (`text.SCRIPTS`), by the first word of their Unicode names.
_LETTERS_OF = {
    "Latin": frozenset({"LATIN"}),
    "Cyrillic": frozenset({"CYRILLIC"}),
    "Arabic": frozenset({"ARABIC"}),
    "Thai": frozenset({"THAI"}),
    "Hangul": frozenset({"HANGUL"}),
    "Japanese": frozenset({"CJK", "HIRAGANA", "KATAKANA"}),
    "Han": frozenset({"CJK"}),
}


def _script(ch: str) -> str:
    return unicodedata.name(ch, "UNKNOWN").split()[0]


def _in_script(text: str, lang: str) -> bool:
    """Whether any letter of `text` is in a script `lang` is written in (True if unknown)."""
    scripts = _LETTERS_OF.get(script_of(lang) or "")
    if scripts is None:
        return True
    return any(_script(ch) in scripts for ch in text if ch.isalpha())


def name_words(
    source: str, known: frozenset[str], glossary_spans: Iterable[GlossarySpan], src: str
) -> frozenset[str]:
    """The folded words of everything in the source a translation may keep as it is
    (`glossary_spans`: where the glossary's terms are in it)."""
    found: list[str] = []
    words_ = WORD.findall(source)
    long_words = [w for w in words_ if len(w) >= 4]
    # "Acme Launches FleetView In Mexico": capitals say nothing in a title-case headline; a
    # shorter one ("Acme Energy GmbH") is read as a name unless the document's names are known
    title_case = len(long_words) >= (3 if known else TITLE_CASE_MIN_WORDS) and all(
        w[:1].isupper() for w in long_words
    )
    if title_case:
        found += [core_of(w) for w in words_ if clearly_a_name(w, src) or core_of(w) in known]
    else:
        for name in source_names(source, known=known, src=src):
            found += WORD.findall(name.text)
    for start, end, _ in glossary_spans:
        found += WORD.findall(source[start:end])
    return frozenset(fold(part) for word in found for part in _LETTERS.findall(core_of(word)))


def _ordinary_words(text: str) -> list[str]:
    """The words of `text` without URLs, addresses, placeholders and numbers."""
    text = without_links(text)
    if "XNW" in text:
        text = _PLACEHOLDER.sub(" ", text)
    return _LETTERS.findall(text)


def _confirmed(kept: list[str], src: str, tgt: str) -> bool:
    """Whether the words kept from the source show that the target is still in `src`."""
    text = " ".join(kept)
    if not _in_script(text, tgt) and _in_script(text, src):
        return True  # English words in a Japanese edition
    if {base_lang(src), base_lang(tgt)} <= _CLOSE_LANGUAGES:
        return len(kept) >= CLOSE_LANGUAGES_MIN_WORDS
    ratio = EVIDENCE_RATIO if len(kept) < 3 else EVIDENCE_RATIO_MANY_WORDS
    return language_confidence(text, src) >= ratio * language_confidence(text, tgt)


def _kept_words(
    source: str, target: str, names: frozenset[str]
) -> tuple[list[str], list[str], list[str]]:
    """(the source's ordinary words, the target's, the target's that come from the source)."""
    s_words = [w.lower() for w in _ordinary_words(source) if fold(w) not in names]
    s_folded = {fold(w) for w in s_words}
    t_words = [w for w in _ordinary_words(target) if fold(w) not in names]
    others = [w for w in t_words if fold(w) not in s_folded]
    if others and all(w[:1].isupper() for w in others):
        # a capitalized target word spelled like one of the source's names is that name
        # ("Singapore" -> "Cingapura"); looked at only when nothing else is new
        alike = {w for w in others if any(similar_spelling(n, w) for n in names)}
        t_words = [w for w in t_words if w not in alike]
    lowered = [w.lower() for w in t_words]
    return s_words, lowered, [w for w in lowered if fold(w) in s_folded]


def untranslated(
    source: str,
    target: str,
    src: str,
    tgt: str,
    *,
    known: frozenset[str] = frozenset(),
    glossary: Glossary | None = None,
    names: frozenset[str] | None = None,
    own: str | None = None,
    languages: Mapping[str, str | None] | None = None,
) -> str | None:
    """Why the target is not (all) in the target language, or None (see the module doc).
    `names`: the source's `name_words`, when they were read before; `own`: the target's
    `translatable_part`, when it was; `languages`: texts' languages found beforehand
    (`languages_ahead`)."""
    if same_language(src, tgt):
        return None
    if names is None:
        names = name_words(source, known, glossary_spans(glossary, source, src), src)
    s_words, t_words, kept = _kept_words(source, target, names)
    if not s_words:
        return None  # only names, numbers and links: nothing to translate
    if t_words and len(kept) == len(t_words) and _confirmed(kept, src, tgt):
        if [fold(w) for w in t_words] == [fold(w) for w in s_words]:
            return "the target is the source, unchanged (names, numbers and links aside)"
        return f"the target keeps the source's words ({_listing(kept)}): it is still in {src}"
    if own is None:
        own = translatable_part(source, target)[1]
    return _detected(source, target, src, tgt, own, languages or {})


def _listing(values: Iterable[str], limit: int = 6) -> str:
    values = list(values)
    shown = " ".join(values[:limit])
    return shown + (" …" if len(values) > limit else "")


def _language_of(text: str, tgt: str) -> str | None:
    """The language of `text`: the expected target language when lingua's quick mode scores
    it best (most sentences, at a fraction of the cost; an expected language is not flagged
    whatever its lead), else what the full models decide."""
    (likeliest,) = likeliest_languages([text])
    if likeliest is not None and same_language(tgt, likeliest):
        return likeliest
    return detect_language(text)


def _worth_detecting(own: str) -> bool:
    return len(words(own)) >= MIN_WORDS_FOR_DETECTION


def languages_ahead(pairs: Sequence[SentencePair]) -> dict[str, str | None]:
    """`_language_of` the own words of every target (what `_detected` identifies), for all of
    a document's pairs in two batch calls that spread them over every core (lingua's
    parallel mode): quick mode for all, the full models for those it does not find likeliest
    in the target language."""
    by_target: dict[str, set[str]] = {}
    for pair in pairs:
        own = pair.translatable[1]
        if not same_language(pair.src, pair.tgt) and _worth_detecting(own):
            by_target.setdefault(pair.tgt, set()).add(own)
    found: dict[str, str | None] = {}
    for tgt, texts in by_target.items():
        ordered = sorted(texts)
        likeliest = likeliest_languages(ordered)
        found.update(
            (t, q)
            for t, q in zip(ordered, likeliest, strict=True)
            if q is not None and same_language(tgt, q)
        )
        rest = [t for t in ordered if t not in found]
        if rest:
            found.update(zip(rest, detect_languages(rest), strict=True))
    return found


def _detected(
    source: str, target: str, src: str, tgt: str, own: str, languages: Mapping[str, str | None]
) -> str | None:
    """The language of a longer target, identified on its own words."""
    close = {base_lang(src), base_lang(tgt)} <= _CLOSE_LANGUAGES  # a shared word says nothing there
    lower_source = [w.lower() for w in words(source) if w.islower()]
    target_set = {w.lower() for w in words(target)}
    overlap = sum(1 for w in lower_source if w in target_set) / max(1, len(lower_source))
    if len(lower_source) >= 3 and overlap >= 0.5 and not close:  # most words still there
        detected = _language_of(target, tgt)
        if detected and same_language(src, detected) and not same_language(tgt, detected):
            return (
                f"the target reads as {src}, not {tgt} ({overlap:.0%} of the source's words kept)"
            )
    # names and figures copied from the source say nothing about the target's language
    if not _worth_detecting(own):
        return None
    detected = languages[own] if own in languages else _language_of(own, tgt)
    if detected is None or same_language(tgt, detected):
        return None
    if same_language(src, detected) and not close:
        return f"the target reads as {src}, not {tgt} ({overlap:.0%} of the source's words kept)"
    if {base_lang(detected), base_lang(tgt)} <= _CLOSE_LANGUAGES or same_language(src, detected):
        return None
    return f"the target reads as {detected}, not {tgt}"


class Untranslated(Rule):
    """The target is still in the source language (or in a third one): the name and subject
    checks after it mean nothing on such a sentence."""

    name = "untranslated"
    kind = "untranslated"
    stops = True
    partly_for: ClassVar[Mapping[str, str]] = {
        lang: (
            "Indonesian and Malay share most of their words and lingua cannot tell them apart "
            "on one sentence: between the two, only a long sentence "
            f"({CLOSE_LANGUAGES_MIN_WORDS}+ words) kept word for word is flagged"
        )
        for lang in ("id", "ms")
    }

    def check(self, pair: SentencePair) -> str | None:
        return untranslated(
            pair.source,
            pair.target,
            pair.src,
            pair.tgt,
            known=pair.known,
            glossary=pair.glossary,
            names=pair.side.name_words if pair.side is not None else None,
            own=pair.translatable[1],
            languages=pair.languages,
        )
