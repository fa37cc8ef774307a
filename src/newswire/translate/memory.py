"""Translation memory: segments a person approved before, reused before any engine runs.

Only approved translations belong here: the pipeline looks segments up but never stores
what an engine produced. Whoever approves an edition (the desk) stores its segments, e.g.
with `store_approved(memory, result.segments, src, tgt)`.

Keys are the source segment as it appears in the Markdown (inline markup included), with
whitespace collapsed and Unicode in NFC; language tags are compared case-insensitively
("pt-BR" and "pt-br" are the same memory, "pt" is another).
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable
from typing import Protocol, runtime_checkable

__all__ = ["InMemoryTranslationMemory", "TranslationMemory", "memory_key", "store_approved"]


@runtime_checkable
class TranslationMemory(Protocol):
    def lookup(self, src_lang: str, tgt_lang: str, segment: str) -> str | None: ...

    def store(self, src_lang: str, tgt_lang: str, segment: str, translation: str) -> None: ...


def memory_key(src_lang: str, tgt_lang: str, segment: str) -> tuple[str, str, str]:
    """The normalized key under which a segment is remembered."""
    text = " ".join(unicodedata.normalize("NFC", segment).split())
    return src_lang.lower().replace("_", "-"), tgt_lang.lower().replace("_", "-"), text


class InMemoryTranslationMemory:
    """A dict-backed memory for one process (thread-safe)."""

    def __init__(self) -> None:
        self._data: dict[tuple[str, str, str], str] = {}
        self._lock = threading.Lock()

    def lookup(self, src_lang: str, tgt_lang: str, segment: str) -> str | None:
        return self._data.get(memory_key(src_lang, tgt_lang, segment))

    def store(self, src_lang: str, tgt_lang: str, segment: str, translation: str) -> None:
        if not segment.strip() or not translation.strip():
            raise ValueError("a memory entry needs a source segment and a translation")
        with self._lock:
            self._data[memory_key(src_lang, tgt_lang, segment)] = translation

    def __len__(self) -> int:
        return len(self._data)


def store_approved(
    memory: TranslationMemory,
    pairs: Iterable[tuple[str, str, str]] | Iterable[tuple[str, str]],
    src_lang: str,
    tgt_lang: str,
) -> int:
    """Store approved (source, target[, origin]) pairs; returns how many were stored."""
    count = 0
    for pair in pairs:
        source, target = pair[0], pair[1]
        if source.strip() and target.strip():
            memory.store(src_lang, tgt_lang, source, target)
            count += 1
    return count
