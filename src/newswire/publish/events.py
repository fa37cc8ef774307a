"""Append published versions, and their approved editions, to the stream log in the publishing
transaction.

Edition events: an approved edition (a translation, see `newswire.actions.editions`) goes into
the log as an event of its own, carrying the edition's documents (`freeze.edition_version`: the
version's metadata with the edition's text and language, the same documents webhooks get):

- approved before its release went out: right after the version's own event, in the same
  transaction (and again for each later correction or retraction, in every approved language,
  so that a terminal following one language learns of them);
- approved afterwards: when the desk approves it (`actions.editions.approve_edition`, by the
  API or the desk pages) or the QA gate approves a machine translation
  (`actions.editions.translate_due`), for the release's current version, while the release is
  published or corrected.

An edition event has the version's kind (so its SSE `event` is `release`, `correction` or
`retraction`), the same issuer, industries and countries as the version, and its own language
(`facts["languages"] == [language]`, `facts["edition"] == language`); ids keep increasing with
the log. At most one event per (release, version, edition language).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from newswire import bus, taxonomy
from newswire.channels.streams import Event
from newswire.config import Settings
from newswire.domain.release import ReleaseContent, content_from_json
from newswire.publish.sign import signed_edition
from newswire.store.hooks import after_commit
from newswire.store.models import Edition, Release, ReleaseVersion, StreamEvent

log = logging.getLogger(__name__)

# Called after each commit that appended events, with the events (`channels.streams.Event`) and
# the database's URL: the broadcaster in this process fans them out without reading them back.
listeners: list[Callable[[Sequence[Event] | None, str | None], None]] = []
OUT = ("published", "corrected")  # release states in which a late edition goes out


def industries_with_ancestors(codes: tuple[str, ...]) -> list[str]:
    found: set[str] = set()
    for code in codes:
        current: str | None = code
        while current and current not in found:
            found.add(current)
            try:
                current = taxonomy.get_industry(current).parent
            except KeyError:
                current = None
    return sorted(found)


def countries(regions: tuple[str, ...]) -> list[str]:
    found: set[str] = set()
    for region in regions:
        try:
            found |= taxonomy.expand_region(region)
        except ValueError:
            found.add(region)
    return sorted(found)


def _facts(content: ReleaseContent, language: str) -> dict[str, object]:
    return {
        "industries": industries_with_ancestors(content.industries),
        "countries": countries(content.regions),
        "languages": [language],
    }


def append_event(
    db: Session,
    release: Release,
    content: ReleaseContent,
    number: int,
    kind: str,
    ninjs: str,
    newsml: str,
    *,
    now: datetime,
    settings: Settings | None = None,
) -> None:
    """The version's event, then one per approved edition of the release (rendered with
    `settings`, by default the ones the session came with)."""
    _add(
        db,
        StreamEvent(
            release_id=release.id,
            version_number=number,
            kind=kind,
            issuer=release.organization.slug,
            facts=_facts(content, content.language),
            ninjs=ninjs,
            newsml=newsml,
            created_at=now,
        ),
    )
    settings = settings or _settings(db)
    if settings is None:
        return
    editions = db.scalars(
        select(Edition)
        .where(Edition.release_id == release.id, Edition.status == "approved")
        .order_by(Edition.language)
    )
    version = _version(db, release.id, number)
    for edition in editions:
        if edition.language != content.language and version is not None:
            _append_edition(db, settings, release, version, edition, now=now)


def append_edition_event(
    db: Session, settings: Settings | None, release: Release, language: str, *, now: datetime
) -> bool:
    """An edition approved after its release went out: an event for the current version in
    `language`, if the release is published or corrected and the edition approved (and no such
    event exists yet). Returns whether one was appended. `settings`: by default the session's."""
    settings = settings or _settings(db)
    if settings is None or release.state not in OUT or not release.current_version:
        return False
    edition = db.scalar(
        select(Edition).where(
            Edition.release_id == release.id,
            Edition.language == language,
            Edition.status == "approved",
        )
    )
    version = _version(db, release.id, release.current_version)
    if edition is None or version is None:
        return False
    return _append_edition(db, settings, release, version, edition, now=now)


def _settings(db: Session) -> Settings | None:
    """The settings a `store.db.Database` session carries (for the edition documents' links)."""
    found = db.info.get("settings")
    if found is None:
        log.warning("a session without settings: edition events are not appended")
    return found if isinstance(found, Settings) else None


def _version(db: Session, release_id: str, number: int) -> ReleaseVersion | None:
    return db.scalar(
        select(ReleaseVersion).where(
            ReleaseVersion.release_id == release_id, ReleaseVersion.number == number
        )
    )


def _append_edition(
    db: Session,
    settings: Settings,
    release: Release,
    version: ReleaseVersion,
    edition: Edition,
    *,
    now: datetime,
) -> bool:
    content = content_from_json(version.content)
    if edition.language == content.language:
        return False
    db.flush()  # events appended earlier in this transaction count as existing
    existing = db.scalars(
        select(StreamEvent.facts).where(
            StreamEvent.release_id == release.id, StreamEvent.version_number == version.number
        )
    )
    if any(facts.get("edition") == edition.language for facts in existing):
        return False
    signed = signed_edition(db, settings, release, version, edition, now=now)
    _add(
        db,
        StreamEvent(
            release_id=release.id,
            version_number=version.number,
            kind=version.kind,
            issuer=release.organization.slug,
            facts={**_facts(content, edition.language), "edition": edition.language},
            ninjs=signed.ninjs,
            newsml=signed.newsml,
            created_at=now,
        ),
    )
    return True


def _add(db: Session, row: StreamEvent) -> None:
    appended: list[StreamEvent] | None = db.info.get("stream_events")
    if appended is None:
        if db.get_bind().dialect.name == "postgresql":
            # Numbers must become visible in order: a reader that has seen event n must never
            # find n-1 committed later. Publishing transactions take turns from here to commit.
            db.execute(text("SELECT pg_advisory_xact_lock(7262001)"))
        appended = db.info["stream_events"] = []
        url = db.get_bind().engine.url.render_as_string(hide_password=False)
        after_commit(db, lambda: _committed(db, url))
        after_commit(db, bus.announce_events)  # gateways in other processes
    db.add(row)
    appended.append(row)


def _committed(db: Session, url: str) -> None:
    """Hand what this transaction appended to the listeners (in log order)."""
    rows = db.info.pop("stream_events", [])
    try:
        events: list[Event] | None = sorted((Event.of(r) for r in rows), key=lambda e: e.seq)
    except Exception:  # the rows are no longer readable: listeners read the log instead
        log.debug("stream events not handed over", exc_info=True)
        events = None
    for listener in list(listeners):
        listener(events, url)
