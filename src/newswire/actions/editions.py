"""Editions in the database, the actions of the translate stage (design: docs/translate.md):
requested when the desk approves a release, translated by the translate job, reviewed and
post-edited by the desk, approved. Approved segments feed the translation memory. A failing
engine never loses an edition: it is retried with backoff and then handed to a human translator
with the reason. An approved edition is handed to the deliver stage after commit."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire.actions.actor import Actor
from newswire.deliver.fanout import distribute_edition
from newswire.domain.errors import Forbidden, IllegalTransition, NotFound
from newswire.domain.release import content_from_json
from newswire.intake.validate import refuse_control_characters
from newswire.publish import events
from newswire.store.db import Database
from newswire.store.models import Edition, Release
from newswire.translate.engines import EngineRegistry
from newswire.translate.pipeline import translate_edition
from newswire.translate.segment import segment
from newswire.translate.stored import DatabaseMemory

log = logging.getLogger(__name__)


MAX_ATTEMPTS = 5


FIELDS = ("headline", "subheadline", "body")


def request_editions(db: Session, release: Release, *, now: datetime) -> list[Edition]:
    """One pending edition per target language (none twice)."""
    content = content_from_json(release.content)
    existing = {
        e.language for e in db.scalars(select(Edition).where(Edition.release_id == release.id))
    }
    made = []
    for lang in content.target_languages:
        if lang in existing or lang == content.language:
            continue
        edition = Edition(
            release_id=release.id, language=lang, status="pending", content={}, segments={},
            flags={}, attempts=0, next_attempt_at=now, created_at=now, updated_at=now,
        )  # fmt: skip
        db.add(edition)
        made.append(edition)
    return made


def retranslate_editions(db: Session, release: Release, *, now: datetime) -> list[Edition]:
    """After a correction: every edition translates the corrected text again (the sentences
    that did not change come back from the translation memory), and waits for the QA gate or the
    desk as a new one would; its old text is never sent with the corrected version. Languages
    the correction added get an edition of their own."""
    editions = list(db.scalars(select(Edition).where(Edition.release_id == release.id)))
    for edition in editions:
        edition.status, edition.reason = "pending", "the release was corrected: translating again"
        edition.attempts, edition.next_attempt_at, edition.updated_at = 0, now, now
        edition.approved_by, edition.approved_at = None, None
        edition.post_edited = False
        edition.translated_by = None
    return editions + request_editions(db, release, now=now)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 2 ** (attempts - 1)))


def translate_one(
    db: Session, edition: Edition, registry: EngineRegistry, *, now: datetime
) -> None:
    release = db.get(Release, edition.release_id)
    assert release is not None
    content = content_from_json(release.content)
    memory = DatabaseMemory(db)
    texts = {
        "headline": content.headline,
        "subheadline": content.subheadline or "",
        "body": content.body_markdown,
    }
    translated: dict[str, str] = {}
    segments: dict[str, list[list[str]]] = {}
    flags: list[dict[str, Any]] = []
    statuses = []
    for name in FIELDS:
        if not texts[name]:
            continue
        draft = translate_edition(
            texts[name], content.language, edition.language, registry=registry,
            machine_translation_allowed=content.allow_machine_translation, memory=memory,
        )  # fmt: skip
        edition.engine = draft.engine
        if draft.status == "engine_failed":
            edition.attempts += 1
            retryable = bool(draft.error and draft.error.retryable)
            if retryable and edition.attempts < MAX_ATTEMPTS:
                edition.next_attempt_at = now + _backoff(edition.attempts)
                edition.reason = (
                    f"engine failed (attempt {edition.attempts}), will retry: {draft.reason}"
                )
            else:
                edition.status, edition.next_attempt_at = "needs_translator", None
                edition.reason = f"the engine failed {edition.attempts} time(s): {draft.reason}"
            edition.updated_at = now
            return
        if draft.status == "needs_translator":
            edition.status, edition.reason, edition.next_attempt_at = (
                "needs_translator",
                draft.reason,
                None,
            )
            edition.updated_at = now
            return
        assert draft.result is not None
        translated[name] = draft.result.text
        segments[name] = [[s.source, s.target, s.origin] for s in draft.result.segments]
        flags += [{**f.as_dict(), "field": name} for f in draft.result.flags]
        statuses.append((draft.status, draft.reason))
    edition.content = translated
    edition.segments = segments
    edition.flags = {"flags": flags}
    edition.machine_translated = True
    edition.next_attempt_at = None
    edition.updated_at = now
    if all(status == "auto_approved" for status, _ in statuses):
        edition.status, edition.reason = "approved", "machine translation with no QA flags"
        edition.approved_by, edition.approved_at = "QA gate", now
    else:
        edition.status = "needs_review"
        edition.reason = _review_reason(flags, [r for st, r in statuses if st != "auto_approved"])


def _review_reason(flags: list[dict[str, Any]], reasons: list[str]) -> str:
    """One line for the desk: the QA flags of all fields together, then any other reason
    (a draft-quality engine, machine translation not allowed unreviewed)."""
    parts = []
    if flags:
        kinds = ", ".join(sorted({str(f["kind"]) for f in flags}))
        parts.append(f"{len(flags)} QA flag(s): {kinds}")
    parts += sorted({p for r in reasons for p in r.split("; ") if "QA flag(s)" not in p})
    return "; ".join(parts)


def translate_due(db: Database, registry: EngineRegistry, *, now: datetime) -> int:
    """The translate job's step: every pending edition that is due, each in its own transaction."""
    with db.session() as s:
        due = list(
            s.scalars(
                select(Edition.id).where(
                    Edition.status == "pending", Edition.next_attempt_at <= now
                )
            )
        )
    for edition_id in due:
        try:
            with db.session() as s:
                edition = s.get(Edition, edition_id)
                if edition is not None and edition.status == "pending":
                    translate_one(s, edition, registry, now=now)
                    if edition.status == "approved":  # by the QA gate
                        release = s.get(Release, edition.release_id)
                        assert release is not None
                        went_out(s, release, edition.language, now=now)
        except Exception:
            log.exception("translating edition %s failed", edition_id)
    return len(due)


def editions_of(db: Session, release_id: str) -> list[Edition]:
    return list(
        db.scalars(
            select(Edition).where(Edition.release_id == release_id).order_by(Edition.language)
        )
    )


def _edition(db: Session, release_id: str, language: str) -> Edition:
    edition = db.scalar(
        select(Edition).where(Edition.release_id == release_id, Edition.language == language)
    )
    if edition is None:
        raise NotFound(f"release '{release_id}' has no {language} edition")
    return edition


def _desk(actor: Actor) -> None:
    if not actor.is_desk:
        raise Forbidden("editions are reviewed by the desk (editor or admin)")


def post_edit(
    db: Session,
    actor: Actor,
    release_id: str,
    language: str,
    changes: dict[str, str],
    *,
    now: datetime,
) -> Edition:
    """The desk corrects an edition (any of headline, subheadline, body)."""
    _desk(actor)
    refuse_control_characters(changes)
    edition = _edition(db, release_id, language)
    if edition.status == "approved":
        raise IllegalTransition(f"the {language} edition is already approved")
    if edition.status == "pending":
        raise IllegalTransition(f"the {language} edition is still being translated")
    edition.content = {**edition.content, **{k: v for k, v in changes.items() if v is not None}}
    edition.post_edited = True
    edition.status = "needs_review"
    edition.updated_at = now
    return edition


def approve_edition(
    db: Session, actor: Actor, release_id: str, language: str, *, now: datetime
) -> Edition:
    """Approve an edition for distribution; its sentences go into the translation memory."""
    _desk(actor)
    return approve(db, _edition(db, release_id, language), by=actor.label, now=now)


def approve(db: Session, edition: Edition, *, by: str, now: datetime) -> Edition:
    """The one way a person approves an edition (the desk, or a trusted translator through
    `newswire.actions.translation_work`): the memory learns its sentences and it goes out."""
    release_id, language = edition.release_id, edition.language
    if edition.status == "pending":
        raise IllegalTransition(f"the {language} edition is still being translated")
    if not edition.content.get("headline") or not edition.content.get("body"):
        raise IllegalTransition(f"the {language} edition has no translated headline and body yet")
    release = db.get(Release, release_id)
    assert release is not None
    source = content_from_json(release.content)
    _remember(db, source.language, language, source.body_markdown, edition.content["body"])
    _remember(db, source.language, language, source.headline, edition.content["headline"])
    edition.status, edition.approved_by, edition.approved_at = "approved", by, now
    edition.updated_at = now
    went_out(db, release, language, now=now)
    return edition


def went_out(db: Session, release: Release, language: str, *, now: datetime) -> None:
    """An edition just approved, by the desk or the QA gate: when its release is already out,
    it goes to the terminal streams, and on its own to the real-time recipients who read its
    language (before publication, the publication takes it along). Idempotent."""

    events.append_edition_event(db, None, release, language, now=now)
    settings = db.info.get("settings")
    if settings is not None:
        distribute_edition(db, settings, release, language, now=now)


def _remember(db: Session, src: str, tgt: str, source_text: str, target_text: str) -> None:
    """Store sentence pairs when the two sides segment into the same number of sentences."""
    sources = [s.text for s in segment(source_text, src) if s.translatable]
    targets = [s.text for s in segment(target_text, tgt) if s.translatable]
    if len(sources) != len(targets):
        return
    memory = DatabaseMemory(db)
    for a, b in zip(sources, targets, strict=True):
        memory.store(src, tgt, a, b)
