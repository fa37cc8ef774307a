"""What a QA rule is, and the sentence pair it looks at (the translate stage's QA gate).

A rule has a `name`, the `kind` of flag it raises, and a `check` that returns the reason for
its flag, or None. A rule works in every target language unless it declares otherwise:
`not_for` maps a script ("Cyrillic", "Han", ...; `text.SCRIPTS`) or a base language ("en") to
why the rule does not apply there, and `partly_for` says where it checks less, and why
(`not_applicable(rule, lang)`; docs/translate.md shows both tables). A rule that `stops`
ends the checks of a pair when it flags it (the rules after it would mean nothing there).
The gate (`newswire.translate.qa`) runs its list of rules in order, as GNU Mailman runs a
pipeline of named handlers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar

from newswire.translate.base import base_lang
from newswire.translate.facts import Facts, extract, quote_marks
from newswire.translate.glossary import Glossary, GlossaryEntry
from newswire.translate.qa.text import script_of, translatable_part
from newswire.translate.sentences import sentence_spans

__all__ = [
    "GlossarySpan",
    "Rule",
    "SentencePair",
    "SourceSide",
    "applicability",
    "glossary_spans",
    "not_applicable",
]


GlossarySpan = tuple[int, int, GlossaryEntry]


def glossary_spans(glossary: Glossary | None, text: str, src: str) -> tuple[GlossarySpan, ...]:
    """Where the glossary's terms are in `text` (none without a glossary)."""
    return tuple(glossary.find(text, src)) if glossary else ()


@dataclass(frozen=True)
class SourceSide:
    """What the rules read from a source sentence alone (`qa.read_sources`): known before
    its translation exists, so the pipeline reads it while the engine translates."""

    facts: Facts
    name_words: frozenset[str]  # the folded words a translation may keep as they are
    glossary_spans: tuple[GlossarySpan, ...] = ()
    quote_marks: int = 0
    sentences: int = 1


@dataclass(frozen=True)
class SentencePair:
    """One aligned pair of plain-text sentences (or short passages) and what the rules need.

    `known`: the words seen capitalized inside the document's sentences (names); `links`: the
    link destinations of the source and the target when they were Markdown (plain text has
    lost them); `count_sentences`: whether the two sides must have as many sentences;
    `languages`: the languages of texts the rules will ask about, found beforehand for all of
    a document's pairs at once (`language.languages_ahead`).
    """

    source: str
    target: str
    src: str
    tgt: str
    glossary: Glossary | None = None
    known: frozenset[str] = frozenset()
    count_sentences: bool = True
    links: tuple[list[str], list[str]] = ([], [])
    side: SourceSide | None = None  # the source read beforehand, if it was
    languages: Mapping[str, str | None] = field(default_factory=dict)

    @cached_property
    def source_facts(self) -> Facts:
        return self.side.facts if self.side is not None else extract(self.source, self.src)

    @cached_property
    def source_glossary_spans(self) -> tuple[GlossarySpan, ...]:
        if self.side is not None:
            return self.side.glossary_spans
        return glossary_spans(self.glossary, self.source, self.src)

    @cached_property
    def source_quote_marks(self) -> int:
        return self.side.quote_marks if self.side is not None else quote_marks(self.source)

    @cached_property
    def source_sentences(self) -> int:
        if self.side is not None:
            return self.side.sentences
        return len(sentence_spans(self.source, self.src))

    @cached_property
    def target_facts(self) -> Facts:
        return extract(self.target, self.tgt)

    @cached_property
    def translatable(self) -> tuple[str, str]:
        """Both sides without what a translation keeps (`text.translatable_part`)."""
        return translatable_part(self.source, self.target)


class Rule:
    """One check of the gate; subclasses set the class attributes and `check`."""

    name: ClassVar[str]
    kind: ClassVar[str]
    not_for: ClassVar[Mapping[str, str]] = {}
    partly_for: ClassVar[Mapping[str, str]] = {}
    stops: ClassVar[bool] = False

    def applies(self, pair: SentencePair) -> bool:
        return not_applicable(self, pair.tgt) is None

    def check(self, pair: SentencePair) -> str | None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<rule {self.name}: {self.kind}>"


def _lookup(table: Mapping[str, str], lang: str) -> str | None:
    return table.get(base_lang(lang)) or table.get(script_of(lang) or "")


_NOT_APPLICABLE: dict[tuple[type[Rule], str], str | None] = {}


def not_applicable(rule: Rule, lang: str) -> str | None:
    """Why `rule` does not apply to targets in `lang`, or None when it does (remembered per
    kind of rule and language: the gate asks for every sentence)."""
    key = (type(rule), lang)
    if key not in _NOT_APPLICABLE:
        _NOT_APPLICABLE[key] = _lookup(rule.not_for, lang)
    return _NOT_APPLICABLE[key]


def applicability(rule: Rule, lang: str) -> tuple[str, str | None]:
    """("runs" | "partly" | "not applicable", why) for `rule` on targets in `lang`."""
    reason = not_applicable(rule, lang)
    if reason:
        return "not applicable", reason
    partly = _lookup(rule.partly_for, lang)
    return ("partly", partly) if partly else ("runs", None)
