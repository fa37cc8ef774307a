"""Human translators' work on editions (design: docs/translate.md, "Human translators").

A translator (role `translator`, limited to some wire languages or none: every language) has a
queue: the editions that need a translator or post-editing (`needs_translator`,
`needs_review`) in their languages, of releases the desk approved and that are not withdrawn or
retracted. They see nothing else: an edition outside their queue is "not found", whether it
exists or not, so that a release under embargo or another language's draft does not show.

The work on one edition is sentence by sentence: each translatable sentence of the source
(`newswire.translate.segment`) gets a target, pre-filled from the translator's saved draft,
else the translation last submitted, else the translation memory, else the machine draft.
Saving a draft keeps the text and who saved it, and changes nothing else. Submitting runs the
QA gate on the human translation (`check_segments`, the same rules as for an engine); with
flags, nothing is submitted until the translator confirms having seen them. A submitted
edition waits for the desk (`needs_review`), or, when the operator trusts the translator, is
approved through `editions.approve`, the same path as the desk's approval (the memory learns
its sentences; it is distributed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire.actions import editions
from newswire.actions.actor import Actor
from newswire.domain.errors import Forbidden, IllegalTransition, NewswireError, NotFound
from newswire.domain.lifecycle import Role, State
from newswire.domain.release import ReleaseContent, content_from_json
from newswire.store.models import Edition, Release, User
from newswire.taxonomy.languages import wire_language
from newswire.translate.names.recognize import known_names
from newswire.translate.qa import check_segments
from newswire.translate.segment import Segment, reassemble, segment, translatable
from newswire.translate.stored import DatabaseMemory
from newswire.translate.terms import MarkedTerm, marked_terms

QUEUE_STATUSES = ("needs_translator", "needs_review")

OPEN_RELEASES = (
    State.APPROVED,
    State.SCHEDULED,
    State.EMBARGOED,
    State.PUBLISHED,
    State.CORRECTED,
)
"""Releases whose editions a translator works on (the desk approved them; still live)."""

FIELDS = editions.FIELDS


class InvalidTranslation(NewswireError):
    status = 422
    code = "invalid_input"


@dataclass(frozen=True)
class Sentence:
    index: int  # among the field's translatable sentences
    source: str  # Markdown, as in the source
    target: str  # what the form shows
    origin: str  # where `target` came from: "draft", "submitted", "memory", "machine" or ""
    terms: list[MarkedTerm]


@dataclass(frozen=True)
class FieldWork:
    name: str  # headline, subheadline or body
    sentences: list[Sentence]


@dataclass(frozen=True)
class Work:
    edition: Edition
    release: Release
    source: ReleaseContent
    fields: list[FieldWork]
    draft_by: str | None  # who saved the draft shown, if any


@dataclass(frozen=True)
class Submission:
    flags: list[dict[str, Any]] = field(default_factory=list)
    submitted: bool = False
    approved: bool = False


def translator_of(db: Session, actor: Actor) -> User:
    """The translator behind ``actor`` (refused for any other role)."""
    user = db.get(User, actor.user_id) if actor.user_id is not None else None
    if actor.role is not Role.TRANSLATOR or user is None or user.role != Role.TRANSLATOR:
        raise Forbidden("the translation pages are for translators")
    return user


def covers(user: User, language: str) -> bool:
    """True when the translator works into ``language`` (no languages: every language)."""
    chosen = user.language_list
    return not chosen or wire_language(language) in chosen


def queue(db: Session, actor: Actor, *, limit: int = 200) -> list[tuple[Edition, Release]]:
    """The translator's editions: oldest release time first (the most urgent), then oldest."""
    user = translator_of(db, actor)
    rows = db.execute(
        select(Edition, Release)
        .join(Release, Release.id == Edition.release_id)
        .where(
            Edition.status.in_(QUEUE_STATUSES),
            Release.state.in_([s.value for s in OPEN_RELEASES]),
        )
        .order_by(Release.release_time, Edition.updated_at, Edition.id)
    )
    return [(e, r) for e, r in rows if covers(user, e.language)][:limit]


def _queued(
    db: Session, actor: Actor, edition_id: int | str, *, statuses: tuple[str, ...] = QUEUE_STATUSES
) -> tuple[User, Edition, Release]:
    """The edition if it is in the translator's queue (an id as typed in a URL is welcome);
    `statuses`: also one being translated again after a correction, for keeping a draft."""
    user = translator_of(db, actor)
    wanted = str(edition_id)
    edition = db.get(Edition, int(wanted)) if wanted.isdigit() and len(wanted) < 12 else None
    release = db.get(Release, edition.release_id) if edition is not None else None
    if (
        edition is None
        or release is None
        or edition.status not in statuses
        or release.state not in {s.value for s in OPEN_RELEASES}
        or not covers(user, edition.language)
    ):
        raise NotFound(f"no edition {edition_id} in your translation queue")
    return user, edition, release


def _source_texts(content: ReleaseContent) -> dict[str, str]:
    return {
        "headline": content.headline,
        "subheadline": content.subheadline or "",
        "body": content.body_markdown,
    }


def _sentences(content: ReleaseContent) -> dict[str, list[Segment]]:
    texts = _source_texts(content)
    return {name: segment(texts[name], content.language) for name in FIELDS if texts[name]}


def open_work(db: Session, actor: Actor, edition_id: int | str) -> Work:
    """One edition of the queue, sentence by sentence, pre-filled."""
    _user, edition, release = _queued(db, actor, edition_id)
    content = content_from_json(release.content)
    src, tgt = content.language, edition.language
    memory = DatabaseMemory(db)
    draft = (edition.draft or {}).get("fields", {})
    segmented = _sentences(content)
    known = known_names(s.plain for segs in segmented.values() for s in translatable(segs))
    work = []
    for name, segs in segmented.items():
        stored = (edition.segments or {}).get(name, [])
        machine = {str(s): str(t) for s, t, origin in stored if origin != "human"}
        submitted = {str(s): str(t) for s, t, origin in stored if origin == "human"}
        saved = draft.get(name, {})
        sentences = []
        for i, seg in enumerate(translatable(segs)):
            target, origin = "", ""
            for candidate, where in (
                (saved.get(seg.text), "draft"),
                (submitted.get(seg.text), "submitted"),
                (memory.lookup(src, tgt, seg.text), "memory"),
                (machine.get(seg.text), "machine"),
            ):
                if candidate:
                    target, origin = candidate, where
                    break
            terms = marked_terms(seg.text, src, tgt, known=known)
            sentences.append(Sentence(i, seg.text, target, origin, terms))
        work.append(FieldWork(name, sentences))
    by = (edition.draft or {}).get("by")
    return Work(edition, release, content, work, by)


def _texts(
    segmented: dict[str, list[Segment]], targets: dict[str, list[str]]
) -> dict[str, list[str]]:
    """The posted targets, one per source sentence of each field (refused when they do not
    line up: the page is out of date)."""
    out: dict[str, list[str]] = {}
    for name, segs in segmented.items():
        wanted = len(translatable(segs))
        given = [" ".join(t.split()) for t in targets.get(name, [])]
        if len(given) != wanted:
            raise InvalidTranslation(
                f"the {name} has {wanted} sentence(s) to translate but {len(given)} came with "
                "the form; reload the page (the release may have been corrected)"
            )
        out[name] = given
    return out


def _keep_draft(
    edition: Edition,
    segmented: dict[str, list[Segment]],
    texts: dict[str, list[str]],
    by: str,
    now: datetime,
) -> None:
    fields = {
        name: {
            seg.text: t for seg, t in zip(translatable(segmented[name]), given, strict=True) if t
        }
        for name, given in texts.items()
    }
    edition.draft = {"by": by, "at": now.isoformat(), "fields": fields}


def save_draft(
    db: Session,
    actor: Actor,
    edition_id: int | str,
    targets: dict[str, list[str]],
    *,
    now: datetime,
) -> Edition:
    """Keep the translator's text as it is (empty sentences allowed); nothing else changes. Also
    while the edition is translated again after a correction: the sentences that did not
    change find their text again (a draft is matched by source sentence)."""
    _user, edition, release = _queued(db, actor, edition_id, statuses=(*QUEUE_STATUSES, "pending"))
    segmented = _sentences(content_from_json(release.content))
    _keep_draft(edition, segmented, _texts(segmented, targets), actor.label, now)
    return edition


def submit_translation(
    db: Session,
    actor: Actor,
    edition_id: int | str,
    targets: dict[str, list[str]],
    *,
    confirmed: bool,
    now: datetime,
) -> Submission:
    """Run the QA gate on the translation; submit it when it raised nothing or the translator
    confirmed its flags. Until then the text is kept as a draft, so nothing typed is lost."""
    user, edition, release = _queued(db, actor, edition_id, statuses=(*QUEUE_STATUSES, "pending"))
    if edition.status == "pending":
        raise IllegalTransition(
            "the release was corrected and this edition is being translated again; save your "
            "text as a draft and open the edition again when it is back in your queue"
        )
    content = content_from_json(release.content)
    segmented = _sentences(content)
    texts = _texts(segmented, targets)
    _keep_draft(edition, segmented, texts, actor.label, now)
    for name, given in texts.items():
        missing = [str(i + 1) for i, t in enumerate(given) if not t]
        if missing:
            raise InvalidTranslation(
                f"the {name} is not translated yet: sentence(s) {', '.join(missing)} are empty"
            )
    src, tgt = content.language, edition.language
    context = [s.plain for segs in segmented.values() for s in translatable(segs)]
    flags: list[dict[str, Any]] = []
    for name, given in texts.items():
        pairs = list(zip([s.text for s in translatable(segmented[name])], given, strict=True))
        found = check_segments(pairs, src, tgt, context=context)
        flags += [{**f.as_dict(), "field": name} for f in found]
    if flags and not confirmed:
        return Submission(flags=flags)
    edition.content = {name: reassemble(segmented[name], given) for name, given in texts.items()}
    edition.segments = {
        name: [
            [s.text, t, "human"] for s, t in zip(translatable(segmented[name]), given, strict=True)
        ]
        for name, given in texts.items()
    }
    edition.flags = {"flags": flags}
    edition.translated_by, edition.post_edited, edition.draft = actor.label, True, {}
    edition.status, edition.updated_at = "needs_review", now
    edition.reason = f"translated by {actor.label}" + (
        f"; the translator confirmed {len(flags)} QA flag(s)" if flags else ""
    )
    if user.trusted:
        editions.approve(db, edition, by=actor.label, now=now)
        return Submission(flags=flags, submitted=True, approved=True)
    return Submission(flags=flags, submitted=True)
