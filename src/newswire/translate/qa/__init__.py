"""The QA gate: what a desk editor should look at in a translation, with a reason for each.

`check_pair(source_text, target_text, src, tgt)` checks two whole texts (Markdown or plain):
both are cut into sentences (`newswire.translate.segment`), the sentences are aligned
(within each block when both texts have the same blocks, else over the whole text) by a
length-and-anchor dynamic programme that allows a sentence to be dropped, added, merged or
split, and every aligned pair goes through the sentence checks. `check_segments(pairs, ...)`
checks pairs whose alignment is already known (the pipeline's segments); what it reads from
the sources alone (`read_sources`: plain text, links, facts, names) may be read beforehand,
which the pipeline does while the engine translates.

The gate is a list of rules run in order (`RULES`, as GNU Mailman runs a pipeline of named
handlers): each rule (`rule.Rule`) has a name, the kind of flag it raises, the target
languages it applies to and a `check`; a rule that stops (no translation at all, an
untranslated sentence) ends the checks of its pair when it flags it. The rules, by family:
`numbers` (numbers and dates), `structure` (sentences, URLs, e-mail addresses, quotation
marks, length), `language` (untranslated), `names` (glossary terms, names, subjects); the
alignment is `align`.

Flag kinds, one flag per kind and sentence, each with the segment and a reason:

| kind            | what                                                                 |
| --------------- | -------------------------------------------------------------------- |
| numbers         | a number or amount missing, added, changed, or in the wrong locale format |
|                 | (Babel: 6,500 en = 6.500 de; 2.6 = 2,6; 6.5 billion = 6,5 Milliarden)   |
| dates           | a date, weekday or time of day missing or changed                    |
| urls            | a URL missing, changed or added                                      |
| emails          | an e-mail address missing, changed or added                          |
| glossary        | a glossary term not in its agreed form                               |
| quotes          | quotation marks lost or added (a quote became indirect speech)      |
| sentence_count  | a sentence dropped, added, merged or split                           |
| entity_missing  | a name in the source sentence with no counterpart in its translation |
| missing_subject | the target sentence has a verb and an object but no subject          |
| untranslated    | the target is still in the source language                           |
| length_ratio    | the target is far shorter or longer than such translations are       |
| markup          | (pipeline only) the engine lost a placeholder: protected text is gone |
| round_trip      | (pipeline only, with a reverse engine) translated back, the sentence's |
|                 | numbers, dates or names differ from the source's (`qa.roundtrip`)      |

Not every rule applies to every target language: each rule declares where it does not, and
why (`Rule.not_for`, by script or language; `not_applicable(rule, lang)`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from newswire.translate.glossary import Glossary
from newswire.translate.names.recognize import known_names
from newswire.translate.plain import link_targets, plain_text
from newswire.translate.qa.align import align
from newswire.translate.qa.language import Untranslated, languages_ahead
from newswire.translate.qa.names import EntityMissing, GlossaryTerms, MissingSubject
from newswire.translate.qa.numbers import Dates, Numbers
from newswire.translate.qa.reading import SourceReader, SourceReading, read_sources
from newswire.translate.qa.rule import Rule, SentencePair, SourceSide
from newswire.translate.qa.structure import (
    Emails,
    LengthRatio,
    NoTranslation,
    Quotes,
    SentenceCount,
    Urls,
    bead_reason,
)
from newswire.translate.segment import segment, translatable

__all__ = [
    "KINDS",
    "RULES",
    "QAFlag",
    "SourceReader",
    "SourceReading",
    "check_pair",
    "check_segments",
    "check_sentence",
    "read_sources",
]

KINDS = (
    "numbers",
    "dates",
    "urls",
    "emails",
    "glossary",
    "quotes",
    "sentence_count",
    "entity_missing",
    "missing_subject",
    "untranslated",
    "length_ratio",
    "markup",
    "round_trip",
)

# The sentence checks, in the order they run (and their flags come).
RULES: tuple[Rule, ...] = (
    NoTranslation(),
    Numbers(),
    Dates(),
    Urls(),
    Emails(),
    GlossaryTerms(),
    Quotes(),
    SentenceCount(),
    Untranslated(),
    EntityMissing(),
    MissingSubject(),
    LengthRatio(),
)


@dataclass(frozen=True, slots=True)
class QAFlag:
    """One doubt about one segment. `segment_index` counts source sentences (segments) from
    0; a target sentence with no source counterpart gets the index of the source sentence
    before it, and an empty `source`."""

    kind: str
    segment_index: int
    source: str
    target: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "segment": self.segment_index,
            "source": self.source,
            "target": self.target,
            "reason": self.reason,
        }


def check_sentence(
    source: str,
    target: str,
    src: str,
    tgt: str,
    *,
    index: int = 0,
    glossary: Glossary | None = None,
    known: frozenset[str] = frozenset(),
    count_sentences: bool = True,
    links: tuple[list[str], list[str]] = ([], []),
    side: SourceSide | None = None,
) -> list[QAFlag]:
    """Every rule on one aligned pair of plain-text sentences (or short passages).

    `links` holds the link destinations of the source and the target when they were
    Markdown (plain text has lost them); they are checked with the URLs. `side`: what was
    read from the source beforehand (`read_sources`).
    """
    pair = SentencePair(source, target, src, tgt, glossary, known, count_sentences, links, side)
    return _checked(pair, index)


def _checked(pair: SentencePair, index: int) -> list[QAFlag]:
    flags: list[QAFlag] = []
    for rule in RULES:
        if not rule.applies(pair):
            continue
        reason = rule.check(pair)
        if reason:
            flags.append(QAFlag(rule.kind, index, pair.source, pair.target, reason))
            if rule.stops:
                break
    return flags


def check_segments(
    pairs: Sequence[tuple[str, str]],
    src: str,
    tgt: str,
    *,
    glossary: Glossary | None = None,
    indices: Sequence[int] | None = None,
    context: Sequence[str] | None = None,
    reading: SourceReading | None = None,
) -> list[QAFlag]:
    """Check aligned (source, target) pairs; `indices` numbers them (default 0, 1, ...).

    Pairs may hold inline Markdown; it is read as plain text. `context` is the whole
    source document's sentences, for telling names from ordinary capitalized words (by
    default, the sources of `pairs`). `reading`: the sources of `pairs`, read beforehand
    with `read_sources` (with the same glossary and context).
    """
    if reading is None:
        reading = read_sources([s for s, _ in pairs], src, glossary=glossary, context=context)
    languages: dict[str, str | None] = {}  # filled below, once every pair is built
    built = [
        SentencePair(
            reading.plain[n],
            plain_text(target),
            src,
            tgt,
            glossary,
            reading.known,
            links=(reading.links[n], link_targets(target)),
            side=reading.sides[n],
            languages=languages,
        )
        for n, (_, target) in enumerate(pairs)
    ]
    languages.update(languages_ahead(built))
    flags: list[QAFlag] = []
    for n, pair in enumerate(built):
        flags += _checked(pair, indices[n] if indices is not None else n)
    return flags


def check_pair(
    source_text: str,
    target_text: str,
    src: str,
    tgt: str,
    *,
    glossary: Glossary | None = None,
) -> list[QAFlag]:
    """Check a whole translation against its source; see the module docstring."""
    s_segs = translatable(segment(source_text, src))
    t_segs = translatable(segment(target_text, tgt))
    s_plain = [s.plain for s in s_segs]
    t_plain = [t.plain for t in t_segs]
    known = known_names(s_plain)
    s_blocks = [s.block for s in s_segs]
    t_blocks = [t.block for t in t_segs]
    groups: list[tuple[list[int], list[int]]]
    if sorted(set(s_blocks)) == sorted(set(t_blocks)):
        groups = [
            (
                [i for i, b in enumerate(s_blocks) if b == block],
                [j for j, b in enumerate(t_blocks) if b == block],
            )
            for block in sorted(set(s_blocks))
        ]
    else:
        groups = [(list(range(len(s_plain))), list(range(len(t_plain))))]
    flags: list[QAFlag] = []
    for s_idx, t_idx in groups:
        beads = align([s_plain[i] for i in s_idx], [t_plain[j] for j in t_idx], src, tgt)
        last = s_idx[0] if s_idx else max(0, len(s_plain) - 1)
        for bs, bt in beads:
            si = [s_idx[i] for i in bs]
            ti = [t_idx[j] for j in bt]
            source = " ".join(s_plain[i] for i in si)
            target = " ".join(t_plain[j] for j in ti)
            reason = bead_reason(len(si), len(ti))
            if not si:
                flags.append(QAFlag("sentence_count", last, "", target, reason or ""))
                continue
            last = si[0]
            if reason:
                flags.append(QAFlag("sentence_count", last, source, target, reason))
            if not ti:
                continue
            flags += check_sentence(
                source,
                target,
                src,
                tgt,
                index=last,
                glossary=glossary,
                known=known,
                count_sentences=False,
                links=(
                    [u for i in si for u in link_targets(s_segs[i].text)],
                    [u for j in ti for u in link_targets(t_segs[j].text)],
                ),
            )
    return flags
