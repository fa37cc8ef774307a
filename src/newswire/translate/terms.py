"""The terms a human translator should keep as written in one source sentence: what the pipeline
protects from an engine (URLs, e-mail addresses, inline code, images, HTML tags: the literal
placeholders of `newswire.translate.inline.protect`) and the names `newswire.translate.names`
finds in it. There is no per-organization glossary stored today, so these are the terms marked
on the translator's page; a `Glossary` given adds its entries (with their agreed form)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from newswire.translate.glossary import Glossary
from newswire.translate.inline import Protected, protect
from newswire.translate.names.recognize import source_names
from newswire.translate.plain import plain_text

__all__ = ["MarkedTerm", "marked_terms"]

_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>$")


@dataclass(frozen=True, slots=True)
class MarkedTerm:
    text: str  # as written in the source
    kind: str  # "name", "protected" (kept by the pipeline) or "glossary"
    target: str = ""  # the agreed translation, for a glossary entry that has one


def _literals(protected: Protected) -> Iterable[str]:
    for slot in protected.slots:
        if slot.inner is None:
            yield slot.before
        else:
            yield from _literals(slot.inner)


def marked_terms(
    sentence: str,
    src: str,
    tgt: str,
    *,
    known: frozenset[str] = frozenset(),
    glossary: Glossary | None = None,
) -> list[MarkedTerm]:
    """The terms of one Markdown sentence, each once, in the order found. `known`: the names
    seen inside sentences elsewhere in the document (`names.known_names`)."""
    found: dict[str, MarkedTerm] = {}
    if glossary:
        for start, end, entry in glossary.find(sentence, src):
            target = "" if entry.keep else entry.target_for(tgt)
            found.setdefault(
                sentence[start:end], MarkedTerm(sentence[start:end], "glossary", target)
            )
    for literal in _literals(protect(sentence, glossary=None, src=src, tgt=tgt)):
        if literal.strip() and not _HTML_TAG.match(literal) and not literal.startswith("\\"):
            found.setdefault(literal, MarkedTerm(literal, "protected"))
    for name in source_names(plain_text(sentence), known=known):
        found.setdefault(name.text, MarkedTerm(name.text, "name"))
    return list(found.values())
