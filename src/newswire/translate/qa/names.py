"""Names, subjects and glossary terms: a glossary term not in its agreed form, a name in the
source with no counterpart in the translation, a target sentence with a verb and an object
but no subject (the translate stage's QA gate; the heuristics are `newswire.translate.names`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from newswire.translate.glossary import Glossary
from newswire.translate.names.match import find_counterpart
from newswire.translate.names.recognize import source_names
from newswire.translate.names.subject import missing_subject, source_subject
from newswire.translate.qa.rule import Rule, SentencePair
from newswire.translate.qa.text import listing

__all__ = ["EntityMissing", "GlossaryTerms", "MissingSubject"]

_NOT_WRITTEN = (
    "no subject pattern is written for {lang} (the rule knows German, French, Spanish and "
    "Portuguese word order); a lost named subject is left to entity_missing"
)
_PRO_DROP = (
    "{lang} leaves out a subject the context gives as a matter of course: a sentence with "
    "no subject is no sign of a lost one (a lost named subject is left to entity_missing)"
)
_TRANSLITERATED = (
    "names are transliterated into {script} script and the transliteration is not checked: "
    "only country and language names (Babel's CLDR names), tickers and codes (capitals, "
    "digits) must be found"
)


class GlossaryTerms(Rule):
    """A glossary term not in its agreed form (kept as is, or translated as agreed)."""

    name = "glossary"
    kind = "glossary"

    def check(self, pair: SentencePair) -> str | None:
        glossary = pair.glossary
        if not glossary:
            return None
        problems = []
        seen: set[str] = set()
        for _, _, entry in pair.source_glossary_spans:
            form = entry.target_for(pair.tgt)
            if form in seen:
                continue
            seen.add(form)
            if not Glossary.contains(pair.target, form, case_sensitive=entry.case_sensitive):
                how = "kept as is" if form == entry.term else f"translated as {form!r}"
                problems.append(f"{entry.term!r} must be {how}")
        return "; ".join(problems) or None


class EntityMissing(Rule):
    """A name in the source sentence with no counterpart in its translation (a name the
    glossary covers is the glossary rule's)."""

    name = "entity_missing"
    kind = "entity_missing"
    partly_for: ClassVar[Mapping[str, str]] = {
        script: _TRANSLITERATED.format(script=script)
        for script in ("Cyrillic", "Arabic", "Thai", "Hangul", "Japanese", "Han")
    }

    def check(self, pair: SentencePair) -> str | None:
        source = pair.source
        glossary_spans = [(a, b) for a, b, _ in pair.source_glossary_spans]
        missing = []
        for name in source_names(source, known=pair.known, src=pair.src):
            at = source.find(name.text)
            if any(a <= at < b for a, b in glossary_spans):
                continue  # the glossary rule checks it
            if not find_counterpart(name, pair.target, pair.tgt):
                missing.append(name.text)
        if not missing:
            return None
        return f"{listing(repr(m) for m in missing)} in the source has no counterpart in the target"


class MissingSubject(Rule):
    """The target sentence has an adverbial, a verb and an object but no subject (German and
    French always need one; Spanish and Portuguese only when the source named it)."""

    name = "missing_subject"
    kind = "missing_subject"
    not_for: ClassVar[Mapping[str, str]] = {
        "en": _NOT_WRITTEN.format(lang="English"),
        "vi": _NOT_WRITTEN.format(lang="Vietnamese"),
        "id": _NOT_WRITTEN.format(lang="Indonesian"),
        "ms": _NOT_WRITTEN.format(lang="Malay"),
        "Cyrillic": (
            "Russian shows the subject in the verb's ending and often leaves the pronoun out: "
            "a verb and an object with no subject word is ordinary Russian"
        ),
        "Arabic": (
            "Arabic verbs carry their subject (a pro-drop language): a sentence that opens "
            "with a verb and an object and no subject word is ordinary Arabic"
        ),
        "Japanese": _PRO_DROP.format(lang="Japanese"),
        "Han": _PRO_DROP.format(lang="Chinese"),
        "Hangul": _PRO_DROP.format(lang="Korean"),
        "Thai": _PRO_DROP.format(lang="Thai"),
    }

    def check(self, pair: SentencePair) -> str | None:
        opening = missing_subject(pair.source, pair.target, pair.tgt)
        if not opening:
            return None
        subject = source_subject(pair.source)
        tail = f"; the source's subject is {subject!r}" if subject else ""
        return f"{opening!r} …: adverbial, verb and object with no subject{tail}"
