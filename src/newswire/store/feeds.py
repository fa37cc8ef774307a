"""What a pull feed shows, and which feeds a new version changes.

A feed is a `FeedQuery` (`newswire.store.feed_query`): industry, region, language and issuer,
each optional, in any combination. It shows the latest published version of every public
release that matches, most recently updated first (a correction or retraction moves its
release to the top, so that readers polling the first page see it), in pages of `PAGE_SIZE`.

Matching is `FeedQuery.matches`, the same rules everywhere (see `newswire.store.feed_query`).

Only versions exist publicly: a release has a version row only once it is published, and the
queries below also require a public state, so nothing scheduled or embargoed can appear.

Editions. A feed filtered by language also shows the approved editions (translations) in that
language of public releases, each as its own entry: the current version with the edition's text,
dated by when it went out (its publication, or its approval when that came later). An edition
is approved once it is fit to distribute, so the feed shows what its readers were sent.

Change tracking. Versions are append-only and their ids grow, so ``max(release_versions.id)``
(one primary-key lookup) is a publication sequence: a feed cache remembers the sequence it has
seen and, when it moves, reads the versions published since (`changes_since`) and drops only
the feeds those versions match, before or after the change. In this process every commit that
adds a version also bumps an in-memory generation (`publication_generation`, see
`invalidate_for`), so caches here notice at once; other processes are seen on the next check.
Editions change in place, so they are followed by their ``updated_at`` instead
(`edition_mark`, `edition_changes_since`); a commit that touches an edition bumps the same
generation.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, event, or_, select
from sqlalchemy.orm import Session

from newswire import taxonomy
from newswire.domain.lifecycle import PUBLIC_STATES
from newswire.store.feed_query import EntryFacts, FeedQuery, facts_of
from newswire.store.models import Edition, Organization, Release, ReleaseVersion

PAGE_SIZE = 20
MAX_PAGE = 500
SCAN_BATCH = 500
CHANGES_LIMIT = 1000  # more new versions than this at once: drop every cached feed instead
GAP_WINDOW = 64  # ids below the last seen that are read again (commits out of id order)
EDITION_WINDOW = timedelta(seconds=30)  # edition changes read again (commits out of time order)

_PUBLIC = [s.value for s in PUBLIC_STATES]


# --- reading a page -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedItem:
    """The latest published version of one release, with what a feed entry needs."""

    version_id: int
    release_id: str
    number: int
    kind: str
    content: dict[str, Any]
    article_html: str
    reason: str | None
    published_at: datetime  # this version
    first_published_at: datetime  # the release
    issuer_name: str
    issuer_slug: str
    issuer_website: str | None
    edition_id: int | None = None  # set when the entry is a translation: this edition's row
    edition_language: str | None = None


@dataclass(frozen=True)
class FeedPage:
    items: list[FeedItem]
    page: int
    has_next: bool
    sequence: int  # the publication sequence this page was read at (see `publication_mark`)
    latest_published_at: datetime | None  # when the version at that sequence was published
    edition_mark: datetime | None = None  # for a language feed: `edition_mark` when read


def publication_mark(db: Session) -> tuple[int, datetime | None]:
    """The id and publication time of the newest version: one primary-key lookup."""
    row = db.execute(
        select(ReleaseVersion.id, ReleaseVersion.published_at)
        .order_by(ReleaseVersion.id.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, None)


def issuer_name(db: Session, slug: str) -> str | None:
    """The name of the organization with this slug, or None when there is none."""
    return db.scalar(select(Organization.name).where(Organization.slug == slug))


def _current() -> Any:
    """Public releases joined to their current version and their organization."""
    return (
        select(
            ReleaseVersion.id,
            ReleaseVersion.published_at,
            ReleaseVersion.content,
            Organization.slug,
        )
        .join(
            Release,
            (Release.id == ReleaseVersion.release_id)
            & (ReleaseVersion.number == Release.current_version),
        )
        .join(Organization, Organization.id == Release.organization_id)
        .where(Release.state.in_(_PUBLIC))
        .order_by(ReleaseVersion.published_at.desc(), ReleaseVersion.id.desc())
    )


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


Found = tuple[datetime, int, int | None]  # (when it went out, version id, edition id or None)


def _originals(db: Session, query: FeedQuery, skip: int, want: int) -> list[Found]:
    """Current versions that match, newest first: issuer and language narrow the scan in SQL;
    industry and region (inside the version's content) are matched here, in batches."""
    stmt = _current()
    if query.issuer is not None:
        stmt = stmt.where(Organization.slug == query.issuer)
    if query.language is not None:
        base = query.language.split("-")[0]
        stmt = stmt.where(or_(Release.language == base, Release.language.like(base + "-%")))
    in_python = query.industry or query.region or (query.language or "").startswith("zh")
    if not in_python:
        rows = db.execute(stmt.offset(skip).limit(want)).all()
        return [(_utc(r[1]), r[0], None) for r in rows]
    found: list[Found] = []
    result = db.execute(stmt.execution_options(yield_per=SCAN_BATCH))
    for version_id, published_at, content, slug in result:
        if not query.matches(facts_of(content, slug)):
            continue
        if skip:
            skip -= 1
            continue
        found.append((_utc(published_at), version_id, None))
        if len(found) == want:
            break
    result.close()
    return found


def _with_current_version(*columns: Any) -> Any:
    """Editions joined to their release's current version and its organization."""
    return (
        select(*columns)
        .join(Release, Release.id == Edition.release_id)
        .join(
            ReleaseVersion,
            (ReleaseVersion.release_id == Release.id)
            & (ReleaseVersion.number == Release.current_version),
        )
        .join(Organization, Organization.id == Release.organization_id)
    )


def _editions(db: Session, query: FeedQuery, want: int) -> list[Found]:
    """Approved editions in the query's language of public releases that match, newest first."""
    stmt = _with_current_version(
        Edition.id,
        Edition.approved_at,
        ReleaseVersion.id,
        ReleaseVersion.published_at,
        ReleaseVersion.content,
        Organization.slug,
    ).where(
        Release.state.in_(_PUBLIC),
        Edition.status == "approved",
        Edition.language == query.language,
    )
    if query.issuer is not None:
        stmt = stmt.where(Organization.slug == query.issuer)
    found: list[Found] = []
    for edition_id, approved_at, version_id, published_at, content, slug in db.execute(stmt):
        facts = replace(facts_of(content, slug), language=str(query.language))
        if query.matches(facts):
            went_out = max(_utc(published_at), _utc(approved_at or published_at))
            found.append((went_out, version_id, edition_id))
    return heapq.nlargest(want, found, key=lambda f: (f[0], f[1], f[2] or 0))


def feed_page(db: Session, query: FeedQuery, *, page: int = 1, size: int | None = None) -> FeedPage:
    """One page of a feed, newest first (with the editions in its language, when it has one);
    only the entries on the page are then read in full."""
    size = size or PAGE_SIZE
    sequence, latest = publication_mark(db)
    marked = edition_mark(db) if query.language is not None else None
    skip, want = (page - 1) * size, size + 1
    if query.language is None:
        found = _originals(db, query, skip, want)
    else:
        merged = heapq.merge(
            _originals(db, query, 0, skip + want),
            _editions(db, query, skip + want),
            key=lambda f: (f[0], f[1], f[2] or 0),
            reverse=True,
        )
        found = list(itertools.islice(merged, skip, skip + want))
    items = _load(db, found[:size])
    return FeedPage(items, page, len(found) > size, sequence, latest, marked)


def _load(db: Session, found: list[Found]) -> list[FeedItem]:
    if not found:
        return []
    rows = db.execute(
        select(ReleaseVersion, Release.first_published_at, Organization)
        .join(Release, Release.id == ReleaseVersion.release_id)
        .join(Organization, Organization.id == Release.organization_id)
        .where(ReleaseVersion.id.in_({version_id for _, version_id, _ in found}))
    ).all()
    languages = dict(
        db.execute(
            select(Edition.id, Edition.language).where(
                Edition.id.in_({e for _, _, e in found if e is not None})
            )
        ).all()
    )
    by_id = {v.id: (v, first, org) for v, first, org in rows}
    items = []
    for went_out, version_id, edition_id in found:
        if version_id not in by_id:
            continue
        v, first, org = by_id[version_id]
        items.append(
            FeedItem(
                version_id=v.id,
                release_id=v.release_id,
                number=v.number,
                kind=v.kind,
                content=v.content,
                article_html=v.article_html,
                reason=v.reason,
                published_at=went_out,
                first_published_at=first or v.published_at,
                issuer_name=org.name,
                issuer_slug=org.slug,
                issuer_website=org.website,
                edition_id=edition_id,
                edition_language=languages.get(edition_id) if edition_id else None,
            )
        )
    return items


# --- what changed ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """A version published after some sequence: what it offers now, and what the version it
    amends offered (a correction may change the industries, regions or language)."""

    version_id: int
    published_at: datetime
    now: EntryFacts
    before: EntryFacts | None

    def affects(self, query: FeedQuery) -> bool:
        return query.matches(self.now) or (self.before is not None and query.matches(self.before))


def changes_since(db: Session, sequence: int, *, limit: int = CHANGES_LIMIT) -> list[Change] | None:
    """Versions with an id above `sequence` (and up to GAP_WINDOW below it: the caller skips
    those it has seen), oldest first; None when there are more than `limit`."""
    rows = db.execute(
        select(
            ReleaseVersion.id,
            ReleaseVersion.release_id,
            ReleaseVersion.number,
            ReleaseVersion.content,
            ReleaseVersion.published_at,
            Organization.slug,
        )
        .join(Release, Release.id == ReleaseVersion.release_id)
        .join(Organization, Organization.id == Release.organization_id)
        .where(ReleaseVersion.id > max(0, sequence - GAP_WINDOW))
        .order_by(ReleaseVersion.id)
        .limit(limit + GAP_WINDOW + 1)
    ).all()
    if len(rows) > limit + GAP_WINDOW:
        return None
    earlier = [(r.release_id, r.number - 1) for r in rows if r.number > 1]
    before: dict[tuple[str, int], dict[str, Any]] = {}
    for chunk in _chunks(earlier, 200):
        for release_id, number, content in db.execute(
            select(ReleaseVersion.release_id, ReleaseVersion.number, ReleaseVersion.content).where(
                or_(
                    *(
                        and_(ReleaseVersion.release_id == r, ReleaseVersion.number == n)
                        for r, n in chunk
                    )
                )
            )
        ):
            before[(release_id, number)] = content
    out = []
    for r in rows:
        previous = before.get((r.release_id, r.number - 1))
        out.append(
            Change(
                version_id=r.id,
                published_at=r.published_at,
                now=facts_of(r.content, r.slug),
                before=facts_of(previous, r.slug) if previous is not None else None,
            )
        )
    return out


@dataclass(frozen=True)
class EditionChange:
    """An edition written at or after some time: what its entry offers (its release's current
    version, in the edition's language). Whether it is approved now or was before, the feeds
    in its language that it matches may change."""

    edition_id: int
    updated_at: datetime
    facts: EntryFacts

    @property
    def key(self) -> tuple[int, datetime]:
        return (self.edition_id, self.updated_at)

    def affects(self, query: FeedQuery) -> bool:
        return query.language == self.facts.language and query.matches(self.facts)


def edition_mark(db: Session) -> datetime | None:
    """When an edition was last written."""
    found = db.scalar(select(Edition.updated_at).order_by(Edition.updated_at.desc()).limit(1))
    return _utc(found) if found is not None else None


def edition_changes_since(db: Session, since: datetime) -> list[EditionChange]:
    """Editions written since `since` (and up to EDITION_WINDOW before it: the caller skips the
    ones it has seen), of releases that have a public version."""
    rows = db.execute(
        _with_current_version(
            Edition.id,
            Edition.updated_at,
            Edition.language,
            ReleaseVersion.content,
            Organization.slug,
        ).where(Edition.updated_at >= since - EDITION_WINDOW)
    ).all()
    return [
        EditionChange(
            edition_id,
            _utc(updated_at),
            replace(facts_of(content, slug), language=taxonomy.wire_language(lang) or lang),
        )
        for edition_id, updated_at, lang, content, slug in rows
    ]


def recent_version_ids(db: Session, sequence: int) -> set[int]:
    """The ids `changes_since(sequence)` would read again from below `sequence`: a cache that
    starts at `sequence` has seen them."""
    return set(
        db.scalars(
            select(ReleaseVersion.id).where(
                ReleaseVersion.id > max(0, sequence - GAP_WINDOW), ReleaseVersion.id <= sequence
            )
        )
    )


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# --- the in-process publication generation ----------------------------------------------------

_counter = itertools.count(1)
_generation = 0
_PENDING = "newswire.feeds.new_version"


def publication_generation() -> int:
    """A number that changes whenever this process commits a new version."""
    return _generation


def invalidate_for(version: ReleaseVersion | None = None) -> None:
    """Tell the feed caches of this process that a version was published (call it after the
    commit). Every commit that adds a version already calls it (a SQLAlchemy session hook,
    installed on import of this module), so no publish path needs to; it is public for code
    that publishes outside SQLAlchemy sessions. Other processes' publications are picked up
    by the caches' periodic check of `publication_mark`."""
    del version  # any publication triggers a check; the check finds which feeds it touches
    global _generation
    _generation = next(_counter)


@event.listens_for(Session, "after_flush")
def _note_new_versions(session: Session, _context: object) -> None:
    if any(isinstance(obj, ReleaseVersion | Edition) for obj in session.new) or any(
        isinstance(obj, Edition) for obj in session.dirty
    ):
        session.info[_PENDING] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_PENDING, False):
        invalidate_for()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


__all__ = [
    "MAX_PAGE",
    "PAGE_SIZE",
    "Change",
    "EditionChange",
    "FeedItem",
    "FeedPage",
    "changes_since",
    "edition_changes_since",
    "edition_mark",
    "feed_page",
    "invalidate_for",
    "issuer_name",
    "publication_generation",
    "publication_mark",
    "recent_version_ids",
]
