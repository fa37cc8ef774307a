"""The translate stage's state as stored: the translation memory kept in the database
(`DatabaseMemory`) and the languages of a release whose editions are approved. The actions that
request, translate, post-edit and approve editions are in `newswire.actions.editions`."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire.store.models import Edition, MemorySegment
from newswire.translate.memory import memory_key


class DatabaseMemory:
    """The translation memory kept in `translation_memory` (approved segments only)."""

    def __init__(self, db: Session) -> None:
        self.db = db

    @staticmethod
    def _hash(src: str, tgt: str, text: str) -> str:
        return hashlib.sha256("\x00".join(memory_key(src, tgt, text)).encode()).hexdigest()

    def lookup(self, src_lang: str, tgt_lang: str, segment_text: str) -> str | None:
        return self.db.scalar(
            select(MemorySegment.target).where(
                MemorySegment.source_hash == self._hash(src_lang, tgt_lang, segment_text)
            )
        )

    def store(self, src_lang: str, tgt_lang: str, segment_text: str, translation: str) -> None:
        digest = self._hash(src_lang, tgt_lang, segment_text)
        row = self.db.scalar(select(MemorySegment).where(MemorySegment.source_hash == digest))
        if row is None:
            self.db.add(
                MemorySegment(
                    source_lang=src_lang,
                    target_lang=tgt_lang,
                    source_hash=digest,
                    source=segment_text,
                    target=translation,
                    created_at=datetime.now(UTC),
                )
            )
        else:
            row.target = translation


def approved_languages(db: Session, release_id: str) -> Sequence[str]:
    return list(
        db.scalars(
            select(Edition.language).where(
                Edition.release_id == release_id, Edition.status == "approved"
            )
        )
    )
