"""Translate one Markdown document into one language: the translate stage's pipeline.

    result = translate_document(markdown, "en", "pt", engine=engine,
                                memory=memory, glossary=glossary)
    result.text       # the translated Markdown, block structure and markup intact
    result.segments   # [(source, target, origin)], origin: "memory" | "engine" | "glossary"
    result.flags      # QA flags (newswire.translate.qa); empty: nothing for the desk to see

Steps, in order:

1. `segment`: sentences to translate, and literal Markdown to keep.
2. Translation memory: a sentence approved before is reused as it was approved
   (origin "memory"; the gate does not re-check what a person approved).
3. `inline.protect`: URLs, e-mails, code, images, HTML and glossary terms become
   placeholders; link text and emphasised text become separate engine inputs.
   A sentence that is nothing but glossary terms needs no engine (origin "glossary").
4. The engine translates all remaining inputs of the document in batches of `batch_size`,
   each distinct input once; meanwhile the QA gate reads the sources (`qa.read_sources`:
   their facts and names need no translation) on a thread of the lowest CPU priority, so
   that part of the gate takes only CPU time the engine leaves idle where the engine works
   outside the interpreter (a subprocess, native code, a server); what that thread has not
   read when the engine is done, the caller reads itself (`qa.SourceReader`), never waiting
   for a thread a busy machine may starve.
5. `inline.restore` puts placeholders back; `reassemble` rebuilds the document.
6. The QA gate checks every engine-translated sentence against its source.
7. With a `reverse_engine` (one that translates the target language back into the source
   language), every engine-translated sentence is translated back in one batch and its
   facts compared with the source's (`newswire.translate.qa.roundtrip`): a second opinion
   that may add `round_trip` flags, never clears one. A reverse engine that fails gives no
   second opinion (stats["round_trip_failed"] = 1), never a failed edition.

`translate_edition` wraps this for one edition: it asks an `EngineRegistry` for the pair's
route (one engine, or a chain through English) and says what happens next:
"needs_translator" (no route: a person translates), "auto_approved" (no flags, a
publishable-quality engine, and the issuer allowed machine translation), "needs_review"
(the desk looks first: flags, a draft-quality engine such as Apertium, or no machine
translation allowed), or "engine_failed" (the engine raised a `TranslationError`;
`error.retryable` says whether to try again later).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from newswire.translate.base import TranslationEngine, TranslationError, canonical_tag
from newswire.translate.engines import EngineRegistry
from newswire.translate.glossary import Glossary
from newswire.translate.inline import Protected, protect, restore
from newswire.translate.memory import TranslationMemory
from newswire.translate.plain import plain_text
from newswire.translate.qa import (
    QAFlag,
    SourceReader,
    SourceReading,
    check_segments,
    read_sources,
)
from newswire.translate.qa.roundtrip import KIND as ROUND_TRIP
from newswire.translate.qa.roundtrip import round_trip_findings
from newswire.translate.segment import reassemble, segment, translatable

__all__ = [
    "EditionDraft",
    "EditionStatus",
    "Origin",
    "SegmentTranslation",
    "TranslationResult",
    "translate_document",
    "translate_edition",
]

log = logging.getLogger(__name__)

Origin = Literal["memory", "engine", "glossary"]
EditionStatus = Literal["needs_translator", "auto_approved", "needs_review", "engine_failed"]


class SegmentTranslation(NamedTuple):
    source: str
    target: str
    origin: Origin


@dataclass(frozen=True)
class TranslationResult:
    text: str
    segments: list[SegmentTranslation]
    flags: list[QAFlag]
    engine: str | None = None
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        """True when the QA gate raised nothing."""
        return not self.flags


def _translate_all(
    engine: TranslationEngine, texts: list[str], src: str, tgt: str, batch_size: int
) -> dict[str, str]:
    unique = list(dict.fromkeys(texts))
    out: dict[str, str] = {}
    for start in range(0, len(unique), batch_size):
        batch = unique[start : start + batch_size]
        results = engine.translate_batch(batch, src, tgt)
        if len(results) != len(batch):
            raise TranslationError(
                "unavailable",
                False,
                f"sent {len(batch)} segments, got {len(results)} back",
                getattr(engine, "name", ""),
            )
        out.update(zip(batch, results, strict=True))
    return out


def _lower_priority() -> None:
    """Run the calling thread at the lowest CPU priority (Linux threads have their own), so
    that it gets only the CPU time the engine leaves idle."""
    if sys.platform.startswith("linux"):
        with suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


_reader: ThreadPoolExecutor | None = None
_reader_lock = threading.Lock()


def _reading_pool() -> ThreadPoolExecutor:
    global _reader
    with _reader_lock:
        if _reader is None:
            _reader = ThreadPoolExecutor(1, "qa-reader", initializer=_lower_priority)
        return _reader


def _translate_while_reading(
    engine: TranslationEngine,
    inputs: list[str],
    src: str,
    tgt: str,
    batch_size: int,
    sources: list[str] | None,
    glossary: Glossary | None,
    context: list[str],
) -> tuple[dict[str, str], SourceReading | None]:
    """The engine's translations of `inputs` and, read at the same time on a thread of
    the lowest priority, the gate's reading of `sources` (None: no QA). The engine keeps
    the machine's cores to itself (Apertium's pipeline of processes takes both of two);
    the reading gets what it leaves, and whatever it has not read when the engine is done
    is read here, without waiting for that thread (which a busy machine may starve)."""
    if sources is None:
        return _translate_all(engine, inputs, src, tgt, batch_size), None
    if not inputs:
        return {}, read_sources(sources, src, glossary=glossary, context=context)
    reader = SourceReader(sources, src, glossary=glossary, context=context)
    _reading_pool().submit(reader.read_ahead)
    try:
        translations = _translate_all(engine, inputs, src, tgt, batch_size)
    finally:
        reader.stop()  # on an engine's error too: nobody will need the reading
    return translations, reader.reading()


def translate_document(
    markdown: str,
    src: str,
    tgt: str,
    *,
    engine: TranslationEngine,
    memory: TranslationMemory | None = None,
    glossary: Glossary | None = None,
    qa: bool = True,
    batch_size: int = 64,
    reverse_engine: TranslationEngine | None = None,
) -> TranslationResult:
    """Translate a Markdown document; see the module docstring. Raises TranslationError
    (from `engine`; never from `reverse_engine`)."""
    src, tgt = canonical_tag(src), canonical_tag(tgt)
    if src == tgt:
        raise ValueError(f"source and target are both {src}")
    segments = segment(markdown, src)
    items = translatable(segments)
    targets: list[str | None] = [None] * len(items)
    origins: list[Origin] = ["engine"] * len(items)
    protected: dict[int, Protected] = {}
    inputs: list[str] = []
    for i, item in enumerate(items):
        hit = memory.lookup(src, tgt, item.text) if memory is not None else None
        if hit is not None:
            targets[i], origins[i] = hit, "memory"
            continue
        p = protect(item.text, glossary=glossary, src=src, tgt=tgt)
        needed = p.engine_inputs()
        if not needed:
            origins[i] = "glossary"
        protected[i] = p
        inputs.extend(needed)
    checked = [i for i, o in enumerate(origins) if o == "engine"]
    context = [plain_text(item.text) for item in items]
    translations, reading = _translate_while_reading(
        engine, inputs, src, tgt, batch_size,
        [items[i].text for i in checked] if qa else None, glossary, context,
    )  # fmt: skip
    lost_by_item: dict[int, list[str]] = {}
    for i, p in protected.items():
        outputs = [translations[text] for text in p.engine_inputs()]
        text, lost = restore(p, outputs)
        targets[i] = text
        if lost:
            lost_by_item[i] = [_slot_text(p, token) for token in lost]
    retried = 0
    if lost_by_item and glossary:
        # An engine that drops a glossary placeholder often keeps the term itself: retry
        # those sentences with the terms in plain sight (the QA gate checks their form).
        retry = {i: protect(items[i].text, glossary=None, src=src, tgt=tgt) for i in lost_by_item}
        texts = [t for p in retry.values() for t in p.engine_inputs()]
        again = _translate_all(engine, texts, src, tgt, batch_size) if texts else {}
        retried = len(retry)
        for i, p in retry.items():
            text, lost = restore(p, [again[t] for t in p.engine_inputs()])
            if not lost:
                targets[i] = text
                del lost_by_item[i]
    final = [t if t is not None else "" for t in targets]
    pairs = [
        SegmentTranslation(item.text, target, origin)
        for item, target, origin in zip(items, final, origins, strict=True)
    ]
    flags: list[QAFlag] = []
    round_trip: dict[str, int] = {}
    if qa:
        flags = check_segments(
            [(items[i].text, final[i]) for i in checked],
            src,
            tgt,
            glossary=glossary,
            indices=checked,
            context=context,
            reading=reading,
        )
        for i, lost in lost_by_item.items():
            flags.append(
                QAFlag(
                    "markup",
                    i,
                    items[i].text,
                    final[i],
                    f"the engine lost {', '.join(repr(x) for x in lost)}",
                )
            )
        if reverse_engine is not None:
            more, round_trip = _round_trip(
                reverse_engine,
                [(items[i].text, final[i]) for i in checked],
                checked,
                src,
                tgt,
                context=context,
            )
            flags += more
        flags.sort(key=lambda f: f.segment_index)
    stats = {
        "segments": len(items),
        "memory": origins.count("memory"),
        "glossary": origins.count("glossary"),
        "engine_inputs": len(inputs),
        "engine_calls": len(translations),
        "retried": retried,
        **round_trip,
    }
    return TranslationResult(
        reassemble(segments, final), pairs, flags, getattr(engine, "name", None), stats
    )


def _round_trip(
    engine: TranslationEngine,
    pairs: list[tuple[str, str]],
    indices: list[int],
    src: str,
    tgt: str,
    *,
    context: list[str],
) -> tuple[list[QAFlag], dict[str, int]]:
    """Back-translate the targets in one batch and compare; flags and stats."""
    protected = [protect(target, glossary=None, src=tgt, tgt=src) for _, target in pairs]
    inputs = [text for p in protected for text in p.engine_inputs()]
    try:
        back = _translate_all(engine, inputs, tgt, src, batch_size=len(inputs)) if inputs else {}
    except Exception as exc:  # a second opinion only: its failure must not fail the edition
        log.warning("round trip %s->%s with %s failed: %s", tgt, src, _name(engine), exc)
        return [], {"round_trip": 0, "round_trip_failed": 1}
    backs = [restore(p, [back[t] for t in p.engine_inputs()])[0] for p in protected]
    sources = [plain_text(source) for source, _ in pairs]
    findings = round_trip_findings(
        sources,
        [plain_text(b) for b in backs],
        src,
        context=context,
        tgt=tgt,
        targets=[plain_text(target) for _, target in pairs],
    )
    flags = [
        QAFlag(
            ROUND_TRIP,
            indices[f.position],
            sources[f.position],
            plain_text(pairs[f.position][1]),
            f.reason,
        )
        for f in findings
    ]
    return flags, {"round_trip": len(pairs), "round_trip_failed": 0}


def _name(engine: object) -> str:
    return str(getattr(engine, "name", type(engine).__name__))


def _slot_text(p: Protected, token: str) -> str:
    for slot in p.slots:
        if slot.token == token:
            return slot.before if slot.inner is None else slot.before + "…" + slot.after
    return token


@dataclass(frozen=True)
class EditionDraft:
    """What the translate stage made of one edition, and what should happen next."""

    language: str
    status: EditionStatus
    reason: str
    engine: str | None = None
    result: TranslationResult | None = None
    error: TranslationError | None = None


def translate_edition(
    markdown: str,
    src: str,
    tgt: str,
    *,
    registry: EngineRegistry,
    machine_translation_allowed: bool,
    memory: TranslationMemory | None = None,
    glossary: Glossary | None = None,
    reverse_engine: TranslationEngine | None = None,
) -> EditionDraft:
    """Translate one edition along the route the registry gives the pair (one engine or a
    chain through English); `EditionDraft.engine` records the engine or the chain. With a
    `reverse_engine` (by default the registry's `round_trip_engine` for the pair), the round
    trip of `translate_document` adds its second opinion."""
    route = registry.route(src, tgt)
    engine = route.engine
    if engine is None:
        return EditionDraft(tgt, "needs_translator", route.reason)
    if reverse_engine is None:
        reverse_engine = registry.round_trip_engine(src, tgt)
    try:
        result = translate_document(
            markdown,
            src,
            tgt,
            engine=engine,
            memory=memory,
            glossary=glossary,
            reverse_engine=reverse_engine,
        )
    except TranslationError as exc:
        return EditionDraft(tgt, "engine_failed", str(exc), engine.name, error=exc)
    draft = f"{engine.name} gives draft-quality translations: the desk post-edits every one"
    if result.flags:
        kinds = sorted({f.kind for f in result.flags})
        reason = f"{len(result.flags)} QA flag(s): {', '.join(kinds)}"
        if route.quality == "draft":
            reason += f"; {draft}"
        return EditionDraft(tgt, "needs_review", reason, engine.name, result)
    if route.quality == "draft":
        return EditionDraft(tgt, "needs_review", draft, engine.name, result)
    if not machine_translation_allowed:
        return EditionDraft(
            tgt,
            "needs_review",
            "the issuer did not allow machine translation to go out unreviewed",
            engine.name,
            result,
        )
    return EditionDraft(tgt, "auto_approved", "no QA flags", engine.name, result)
