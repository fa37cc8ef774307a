"""What the gate reads from a document's source sentences alone, before any translation.

`read_sources` reads them at once. `SourceReader` reads them sentence by sentence, shared
by two threads: the pipeline lets a low-priority thread read ahead while the engine
translates (`read_ahead`), and then takes whatever is left itself (`reading`), so a reader
thread starved of CPU on a busy machine never holds up a translation: the caller never waits
for it, and reads a sentence that thread is still on again rather than wait (reading is
pure: both give the same result)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from newswire.translate.facts import extract, quote_marks
from newswire.translate.glossary import Glossary
from newswire.translate.names.recognize import known_names
from newswire.translate.plain import link_targets, plain_text
from newswire.translate.qa.language import name_words
from newswire.translate.qa.rule import SourceSide, glossary_spans
from newswire.translate.sentences import sentence_spans

__all__ = ["SourceReader", "SourceReading", "read_sources"]


@dataclass(frozen=True)
class SourceReading:
    """What the gate reads from a document's source sentences alone, in their order."""

    plain: list[str]
    links: list[list[str]]
    known: frozenset[str]
    sides: list[SourceSide]


_Read = tuple[str, list[str], SourceSide]  # one sentence's plain text, links and side


class SourceReader:
    """Reads source sentences (inline Markdown allowed) for `check_segments`, shared between
    a thread that reads ahead and the caller that needs the result."""

    def __init__(
        self,
        sources: Sequence[str],
        src: str,
        *,
        glossary: Glossary | None = None,
        context: Sequence[str] | None = None,
    ) -> None:
        self._sources = list(sources)
        self._src = src
        self._glossary = glossary
        self._context = context
        self._known: frozenset[str] | None = None
        self._read: list[_Read | None] = [None] * len(self._sources)
        self._stopped = False

    def read_ahead(self) -> None:
        """Read sentences in order until none is left or the caller took over."""
        known = self._known_names()
        for index in range(len(self._sources)):
            if self._stopped:
                return
            if self._read[index] is None:
                self._read[index] = self._read_one(index, known)

    def stop(self) -> None:
        """The caller needs no more: a thread reading ahead stops after its sentence."""
        self._stopped = True

    def reading(self) -> SourceReading:
        """Every sentence read: those read ahead as they are, the rest read here, now."""
        self.stop()
        known = self._known_names()
        done = [read or self._read_one(n, known) for n, read in enumerate(self._read)]
        return SourceReading(
            [plain for plain, _, _ in done],
            [links for _, links, _ in done],
            known,
            [side for _, _, side in done],
        )

    def _known_names(self) -> frozenset[str]:
        if self._known is None:
            context = self._context
            if context is None:
                context = [plain_text(s) for s in self._sources]
            self._known = known_names(context)
        return self._known

    def _read_one(self, index: int, known: frozenset[str]) -> _Read:
        source = self._sources[index]
        text = plain_text(source)
        return text, link_targets(source), source_side(text, self._src, known, self._glossary)


def read_sources(
    sources: Sequence[str],
    src: str,
    *,
    glossary: Glossary | None = None,
    context: Sequence[str] | None = None,
) -> SourceReading:
    """Read source sentences (inline Markdown allowed) for `check_segments`: needs no
    translation, so it can run while the engine translates. `context` as in
    `check_segments`."""
    return SourceReader(sources, src, glossary=glossary, context=context).reading()


def source_side(
    text: str, src: str, known: frozenset[str], glossary: Glossary | None
) -> SourceSide:
    """What the rules read from one source sentence (plain text) alone."""
    spans = glossary_spans(glossary, text, src)
    return SourceSide(
        facts=extract(text, src),
        name_words=name_words(text, known, spans, src),
        glossary_spans=spans,
        quote_marks=quote_marks(text),
        sentences=len(sentence_spans(text, src)),
    )
