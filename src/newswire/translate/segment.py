"""Split a Markdown document into sentences to translate, and put it back together.

`segment(markdown, lang)` cuts the document into a list of `Segment` pieces that, joined in
order, give back the document exactly. Pieces are either *translatable* (one sentence of a
paragraph, heading, list item, block quote or table cell, inline markup included) or
*literal* (everything a translator must not touch: block markers such as "## ", "- ",
"> ", "|", fenced code, HTML blocks, blank lines, the spaces between sentences, and
sentences with no words, such as a bare URL or a phone number).

`reassemble(segments, translations)` replaces the translatable pieces, in order, by their
translations. So `reassemble(segs, [s.text for s in translatable(segs)]) == markdown`.

Where the blocks are is `newswire.translate.blocks`; the sentences of a block,
language by language, `newswire.translate.sentences`. A dateline that opens a paragraph
("**BERLIN, March 3, 2025** – ") is a sentence of its own, and the dash after it is literal.
Inside a paragraph a line break is a soft wrap, not a boundary (except in Thai); a sentence
that spans lines keeps the line break and any continuation prefix ("> ", indentation) in its
text, and `newswire.translate.plain.plain_text` / the pipeline treat them as one space.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from newswire.translate.blocks import blocks
from newswire.translate.plain import plain_text
from newswire.translate.sentences import sentence_spans

__all__ = [
    "Segment",
    "reassemble",
    "segment",
    "translatable",
]


@dataclass(frozen=True, slots=True)
class Segment:
    """One piece of a document: a sentence to translate, or literal text to keep.

    `block` numbers the Markdown block (paragraph, heading, list item, table cell) the piece
    belongs to, counted from 0 over the whole document; literal pieces between blocks carry
    the number of the block before them (-1 at the start). `kind` is "paragraph", "heading",
    "list_item", "table_cell" or "literal".
    """

    text: str
    translatable: bool
    block: int
    kind: str

    @property
    def plain(self) -> str:
        """The text without inline Markdown, whitespace collapsed (what QA looks at)."""
        return plain_text(self.text)


def translatable(segments: Iterable[Segment]) -> list[Segment]:
    """The translatable pieces, in order."""
    return [s for s in segments if s.translatable]


def reassemble(segments: Sequence[Segment], translations: Sequence[str]) -> str:
    """The document with each translatable piece replaced by its translation, in order.

    `translations` has one string per translatable piece; a translation that spans lines
    has its line breaks turned into spaces, so it cannot break the block it sits in.
    """
    parts: list[str] = []
    it = iter(translations)
    count = 0
    for seg in segments:
        if not seg.translatable:
            parts.append(seg.text)
            continue
        try:
            target = next(it)
        except StopIteration:
            raise ValueError(
                f"{count} translations for {len(translatable(segments))} segments"
            ) from None
        count += 1
        if target != seg.text and ("\n" in target or "\r" in target):
            target = " ".join(target.split())
        parts.append(target)
    if next(it, None) is not None:
        raise ValueError(f"more translations than the {count} segments")
    return "".join(parts)


_URL_OR_EMAIL = re.compile(
    r"(?:https?://|www\.)[^\s<>()\[\]]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|`[^`]*`", re.IGNORECASE
)


_LETTER = re.compile(r"[^\W\d_]")


def _has_words(text: str) -> bool:
    return _LETTER.search(_URL_OR_EMAIL.sub(" ", plain_text(text))) is not None


# "BERLIN, March 3, 2025 – ", "**HAMBURG, 3. März 2025** – ": a dateline opening a paragraph
# is a segment of its own (engines tend to drop or garble it when it leads a sentence).
_DATELINE = re.compile(
    r"((?:\*\*|__)?[A-ZÀ-Ý][^\n–—*_]{1,40},[^\n–—*_]{0,40}\d[^\n–—*_]{0,20}?(?:\*\*|__)?)"
    r"[ \t]+(?:[–—]|--?)[ \t]+(?=\S)"
)


def segment(text_markdown: str, lang: str) -> list[Segment]:
    """Cut a Markdown document into sentences to translate and literal text to keep."""
    text = text_markdown
    out: list[Segment] = []
    pos = 0
    last_block = -1

    def literal(upto: int) -> None:
        nonlocal pos
        if upto > pos:
            if out and not out[-1].translatable:
                prev = out[-1]
                out[-1] = Segment(prev.text + text[pos:upto], False, prev.block, "literal")
            else:
                out.append(Segment(text[pos:upto], False, last_block, "literal"))
            pos = upto

    for number, block in enumerate(blocks(text)):
        content = text[block.start : block.end]
        spans = sentence_spans(content, lang)
        if spans and block.kind == "paragraph":
            m = _DATELINE.match(content, spans[0][0], spans[0][1])
            if m and m.end() < spans[0][1]:
                spans[0:1] = [(spans[0][0], spans[0][0] + len(m.group(1))), (m.end(), spans[0][1])]
        for a, b in spans:
            piece = content[a:b]
            if not _has_words(piece):
                continue
            literal(block.start + a)
            out.append(Segment(piece, True, number, block.kind))
            pos = block.start + b
        last_block = number
    literal(len(text))
    return out
