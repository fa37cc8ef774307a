"""What a QA rule is, and the sentence pair it looks at (the translate stage's QA gate).

A rule has a `name`, the `kind` of flag it raises, the target languages it applies to
(`languages`, by base language; None for all) and a `check` that returns the reason for its
flag, or None. A rule that `stops` ends the checks of a pair when it flags it (the rules
after it would mean nothing there). The gate (`newswire.translate.qa`) runs its list of
rules in order, as GNU Mailman runs a pipeline of named handlers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

from newswire.translate.facts import Facts, extract
from newswire.translate.glossary import Glossary
from newswire.translate.qa.text import base

__all__ = ["Rule", "SentencePair"]


@dataclass(frozen=True)
class SentencePair:
    """One aligned pair of plain-text sentences (or short passages) and what the rules need.

    `known`: the words seen capitalized inside the document's sentences (names); `links`: the
    link destinations of the source and the target when they were Markdown (plain text has
    lost them); `count_sentences`: whether the two sides must have as many sentences.
    """

    source: str
    target: str
    src: str
    tgt: str
    glossary: Glossary | None = None
    known: frozenset[str] = frozenset()
    count_sentences: bool = True
    links: tuple[list[str], list[str]] = ([], [])

    @cached_property
    def source_facts(self) -> Facts:
        return extract(self.source, self.src)

    @cached_property
    def target_facts(self) -> Facts:
        return extract(self.target, self.tgt)


class Rule:
    """One check of the gate; subclasses set the class attributes and `check`."""

    name: ClassVar[str]
    kind: ClassVar[str]
    languages: ClassVar[frozenset[str] | None] = None
    stops: ClassVar[bool] = False

    def applies(self, pair: SentencePair) -> bool:
        return self.languages is None or base(pair.tgt) in self.languages

    def check(self, pair: SentencePair) -> str | None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<rule {self.name}: {self.kind}>"
