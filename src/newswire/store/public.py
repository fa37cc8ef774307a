"""What the public may read: published versions only. Nothing scheduled, embargoed or in review
has a version row, and these queries also require a public state, so it cannot leak here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from newswire import taxonomy
from newswire.domain.lifecycle import PUBLIC_STATES, State
from newswire.domain.query import Query
from newswire.domain.release import Section
from newswire.domain.tokens import Doc, analyze
from newswire.store.feed_query import FeedQuery, facts_of
from newswire.store.models import Edition, Organization, Release, ReleaseVersion, Signature

_PUBLIC = [s.value for s in PUBLIC_STATES]


def _current_public() -> Select[tuple[Release, ReleaseVersion]]:
    """Public releases with their current version, newest first."""
    return (
        select(Release, ReleaseVersion)
        .join(
            ReleaseVersion,
            (ReleaseVersion.release_id == Release.id)
            & (ReleaseVersion.number == Release.current_version),
        )
        .where(Release.state.in_(_PUBLIC))
        .order_by(Release.first_published_at.desc(), Release.id)
    )


def public_versions(db: Session, release_id: str) -> list[ReleaseVersion]:
    """All versions of a public release, oldest first; empty if it is not public."""
    release = db.get(Release, release_id)
    if release is None or release.state not in _PUBLIC:
        return []
    return list(
        db.scalars(
            select(ReleaseVersion)
            .where(ReleaseVersion.release_id == release_id)
            .order_by(ReleaseVersion.number)
        )
    )


# --- the newsroom: filters, full-text search, editions -------------------------------------------
#
# Filters are `newswire.store.feed_query.FeedQuery` (the feeds' rules: industries include those
# below them, region groups expand to their countries, languages compare as wire languages),
# except that a language also matches a release that has an approved edition in it.
#
# Full-text search uses the query language and tokenizer of the targeting engine
# (`newswire.domain.query`, `newswire.domain.tokens`): the same normalization (case, accents,
# NFKC) and the same tokens on SQLite and PostgreSQL, whole words for spaced scripts and
# substring matching for CJK and Thai, which neither SQLite FTS nor PostgreSQL's text search
# give for all 15 languages without per-language dictionaries. It scans the public releases,
# newest first, in batches (issuer narrowed in SQL), over the headline, subheadline, body,
# keywords and issuer name of the current version and of every approved edition. That is a
# linear scan: fine for a self-hosted wire's archive (tens of thousands of releases); a large
# archive would want an index table of `tokens.analyze` keys.

SCAN_BATCH = 500


@dataclass(frozen=True)
class NewsroomItem:
    release: Release
    version: ReleaseVersion
    language: str  # the language the item is shown in (an edition's when matched through one)
    headline: str
    summary: str
    edition: bool  # True when shown through an approved edition


def _approved_editions(db: Session, release_ids: list[str]) -> dict[str, list[Edition]]:
    out: dict[str, list[Edition]] = {}
    if not release_ids:
        return out
    rows = db.scalars(
        select(Edition)
        .where(Edition.release_id.in_(release_ids), Edition.status == "approved")
        .order_by(Edition.language)
    )
    for e in rows:
        out.setdefault(e.release_id, []).append(e)
    return out


def _text_of(content: Mapping[str, Any], body_key: str, issuer: str) -> Doc:
    return analyze(
        str(content.get("headline") or ""),
        str(content.get("subheadline") or ""),
        str(content.get(body_key) or ""),
        " ".join(content.get("keywords") or ()),
        issuer,
    )


def newsroom_page(
    db: Session,
    filters: FeedQuery,
    text: Query | None = None,
    *,
    page: int = 1,
    size: int = 20,
) -> tuple[list[NewsroomItem], bool]:
    """One page of the newsroom, newest first, and whether there is a next one."""
    stmt = _current_public()
    if filters.issuer is not None:
        stmt = stmt.join(Organization, Organization.id == Release.organization_id).where(
            Organization.slug == filters.issuer
        )
    skip, want = (page - 1) * size, size + 1
    found: list[NewsroomItem] = []
    offset = 0
    while len(found) < want:
        batch = db.execute(stmt.offset(offset).limit(SCAN_BATCH)).all()
        if not batch:
            break
        offset += len(batch)
        editions = _approved_editions(db, [r.id for r, _ in batch])
        for release, version in batch:
            item = _match(release, version, editions.get(release.id, []), filters, text)
            if item is None:
                continue
            if skip:
                skip -= 1
                continue
            found.append(item)
            if len(found) == want:
                break
    return found[:size], len(found) > size


def _match(
    release: Release,
    version: ReleaseVersion,
    editions: list[Edition],
    filters: FeedQuery,
    text: Query | None,
) -> NewsroomItem | None:
    content = version.content
    issuer = release.organization.name
    facts = facts_of(content, release.organization.slug)
    by_language = FeedQuery(filters.industry, filters.region, None, filters.issuer)
    if not by_language.matches(facts):
        return None
    original = NewsroomItem(
        release,
        version,
        release.language,
        content["headline"],
        content.get("subheadline") or "",
        edition=False,
    )
    candidates: list[tuple[NewsroomItem, Mapping[str, Any], str]] = [
        (original, content, "body_markdown")
    ]
    for e in editions:
        item = NewsroomItem(
            release,
            version,
            e.language,
            e.content.get("headline") or content["headline"],
            e.content.get("subheadline") or "",
            edition=True,
        )
        candidates.append((item, {**e.content, "keywords": content.get("keywords")}, "body"))
    if filters.language is not None:
        candidates = [
            c
            for c in candidates
            if (taxonomy.wire_language(c[0].language) or c[0].language) == filters.language
        ]
    for item, fields, body_key in candidates:
        if text is None or text.evaluate(_text_of(fields, body_key, issuer)):
            return item
    return None


# --- the front page: the desk's placement -----------------------------------------------------

FRONT_SCAN = 200


@dataclass(frozen=True)
class FrontPage:
    """The desk's top story (None when none is placed) and, per section, its newest releases."""

    lead: NewsroomItem | None
    sections: list[tuple[str, list[NewsroomItem]]]


def newsroom_front(db: Session, *, per_section: int = 3, scan: int = FRONT_SCAN) -> FrontPage:
    """The front page among the newest `scan` public releases, retractions left out: the newest
    version the desk placed as top story leads; the sections (in the desk's order, the top
    story's own section aside) hold up to `per_section` others each, newest first."""
    stmt = _current_public().where(Release.state != State.RETRACTED.value).limit(scan)
    lead: NewsroomItem | None = None
    grouped: dict[str, list[NewsroomItem]] = {
        s.value: [] for s in Section if s is not Section.TOP_STORY
    }
    for release, version in db.execute(stmt).all():
        content = version.content
        item = NewsroomItem(
            release,
            version,
            release.language,
            content["headline"],
            content.get("subheadline") or "",
            edition=False,
        )
        if lead is None and version.top_story:
            lead = item
            continue
        for section in (version.sections or {}).get("sections", []):
            if len(grouped.get(section, [])) < per_section:
                grouped[section].append(item)
    return FrontPage(lead, [(name, items) for name, items in grouped.items() if items])


def issuer_by_slug(db: Session, slug: str) -> Organization | None:
    return db.scalar(select(Organization).where(Organization.slug == slug))


def issuers(db: Session) -> list[Organization]:
    """Issuers with at least one public release, by name."""
    has_public = (
        select(Release.id)
        .where(Release.organization_id == Organization.id, Release.state.in_(_PUBLIC))
        .exists()
    )
    return list(db.scalars(select(Organization).where(has_public).order_by(Organization.name)))


def public_release(db: Session, release_id: str) -> Release | None:
    release = db.get(Release, release_id)
    if release is None or release.state not in _PUBLIC:
        return None
    return release


def approved_editions(db: Session, release_id: str) -> list[Edition]:
    """The approved editions of a public release, by language; empty if it is not public."""
    if public_release(db, release_id) is None:
        return []
    return _approved_editions(db, [release_id]).get(release_id, [])


@dataclass(frozen=True)
class SitemapEntry:
    release_id: str
    language: str
    headline: str
    first_published_at: datetime
    modified_at: datetime
    editions: list[tuple[str, str, datetime]]  # (language, headline, modified)


def sitemap_entries(db: Session, *, since: datetime | None = None) -> list[SitemapEntry]:
    """Every public release (first published at or after `since`, if given), newest first."""
    stmt = _current_public()
    if since is not None:
        stmt = stmt.where(Release.first_published_at >= since)
    out: list[SitemapEntry] = []
    offset = 0
    while True:
        batch = db.execute(stmt.offset(offset).limit(SCAN_BATCH)).all()
        if not batch:
            return out
        offset += len(batch)
        editions = _approved_editions(db, [r.id for r, _ in batch])
        for release, version in batch:
            eds = [
                (
                    e.language,
                    e.content.get("headline") or version.content["headline"],
                    max(version.published_at, e.approved_at or e.updated_at),
                )
                for e in editions.get(release.id, [])
                if e.language != release.language
            ]
            first = release.first_published_at or version.published_at
            out.append(
                SitemapEntry(
                    release.id,
                    release.language,
                    version.content["headline"],
                    first,
                    version.published_at,
                    eds,
                )
            )


# --- provenance: the wire's signatures over public documents ------------------------------------


def public_signature(
    db: Session, release_id: str, number: int, language: str | None = None
) -> Signature | None:
    """The signature of a public release's version (`language` None: the version itself) or of
    its edition in `language`; None when there is none to show."""
    release = db.get(Release, release_id)
    if release is None or release.state not in _PUBLIC:
        return None
    stmt = select(Signature).where(
        Signature.release_id == release_id, Signature.version_number == number
    )
    if language is None:
        stmt = stmt.where(Signature.edition.is_(False))
    else:
        stmt = stmt.where(Signature.language == language, Signature.edition.is_(True))
    return db.scalar(stmt)


def signatures_newest_first(db: Session, *, offset: int, limit: int) -> list[Signature]:
    """Signatures of public releases, newest first (the /verify text search scans these)."""
    return list(
        db.scalars(
            select(Signature)
            .join(Release, Release.id == Signature.release_id)
            .where(Release.state.in_(_PUBLIC))
            .order_by(Signature.id.desc())
            .offset(offset)
            .limit(limit)
        )
    )
