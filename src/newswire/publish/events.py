"""Append a published version to the stream log, in the publishing transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from newswire import bus, taxonomy
from newswire.domain.release import ReleaseContent
from newswire.store.hooks import after_commit
from newswire.store.models import Release, StreamEvent

listeners: list = []  # callables run after the commit that appended events (the broadcaster)


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
) -> None:
    if db.get_bind().dialect.name == "postgresql":
        # Numbers must become visible in order: a reader that has seen event n must never
        # find n-1 committed later. Publishing transactions take turns from here to commit.
        db.execute(text("SELECT pg_advisory_xact_lock(7262001)"))
    db.add(
        StreamEvent(
            release_id=release.id,
            version_number=number,
            kind=kind,
            issuer=release.organization.slug,
            facts={
                "industries": industries_with_ancestors(content.industries),
                "countries": countries(content.regions),
                "languages": [content.language],
            },
            ninjs=ninjs,
            newsml=newsml,
            created_at=now,
        )
    )
    for listener in listeners:
        after_commit(db, listener)
    after_commit(db, bus.announce_events)  # gateways in other processes
