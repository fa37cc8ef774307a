"""Language: the target still in the source language, or in a third one (the translate
stage's QA gate)."""

from __future__ import annotations

from newswire.intake.language import detect_language, same_language
from newswire.translate.facts import fold
from newswire.translate.qa.rule import Rule, SentencePair
from newswire.translate.qa.text import base, translatable_part, words

__all__ = ["MIN_WORDS_FOR_DETECTION", "Untranslated", "untranslated"]

MIN_WORDS_FOR_DETECTION = 5


def untranslated(source: str, target: str, src: str, tgt: str) -> str | None:
    """Why the target is not (all) in the target language, or None.

    A target identical to its source is untranslated. Otherwise the target sentence's
    language is identified (`newswire.intake.language.detect_language`) on its own words
    (without the names and figures it shares with the source) once it has
    MIN_WORDS_FOR_DETECTION of them: reading as the source language is untranslated; reading
    confidently as a third language is the wrong language (Indonesian and Malay, too close
    to tell apart on one sentence, are not told apart here).
    """
    if same_language(src, tgt):
        return None
    lower_source = [w.lower() for w in words(source) if w.islower()]
    if len(lower_source) >= 3 and fold(" ".join(source.split())) == fold(" ".join(target.split())):
        return "the target is the source, unchanged"
    target_set = {w.lower() for w in words(target)}
    overlap = sum(1 for w in lower_source if w in target_set) / max(1, len(lower_source))
    if len(lower_source) >= 3 and overlap >= 0.5:  # most of the source's words are still there
        detected = detect_language(target)
        if detected and same_language(src, detected) and not same_language(tgt, detected):
            return (
                f"the target reads as {src}, not {tgt} ({overlap:.0%} of the source's words kept)"
            )
    # names and figures copied from the source say nothing about the target's language
    _, own = translatable_part(source, target)
    if len(words(own)) < MIN_WORDS_FOR_DETECTION:
        return None
    detected = detect_language(own)
    if detected is None or same_language(tgt, detected):
        return None
    if same_language(src, detected):
        return f"the target reads as {src}, not {tgt} ({overlap:.0%} of the source's words kept)"
    if {base(detected), base(tgt)} == {"id", "ms"}:
        return None
    return f"the target reads as {detected}, not {tgt}"


class Untranslated(Rule):
    """The target is still in the source language (or in a third one): the name and subject
    checks after it mean nothing on such a sentence."""

    name = "untranslated"
    kind = "untranslated"
    stops = True

    def check(self, pair: SentencePair) -> str | None:
        return untranslated(pair.source, pair.target, pair.src, pair.tgt)
