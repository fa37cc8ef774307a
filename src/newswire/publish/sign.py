"""Sign each document once, when it is frozen: a published version in the publishing
transaction, an approved edition when it first goes out with a version (its stream event).

The `Signature` row keeps the document exactly as signed; every channel serves an edition from
it, so what a reader gets is what the wire signed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import literal, select, union_all
from sqlalchemy.orm import Session

from newswire.config import Settings
from newswire.provenance.keys import key_ring
from newswire.provenance.log import integrate_soon
from newswire.provenance.signing import sign
from newswire.provenance.statement import build_statement
from newswire.provenance.terms import iso_ms
from newswire.publish.freeze import edition_version, version_url
from newswire.render.newsml import render_newsml
from newswire.render.ninjs import URN_PREFIX, ninjs_bytes
from newswire.store.models import (
    Edition,
    OrganizationDomain,
    OrganizationTicker,
    Release,
    ReleaseVersion,
    Signature,
)


def issuer_claims(db: Session, organization_id: int) -> tuple[list[str], list[str]]:
    """The domains an organization has proved and the tickers the desk confirmed for it (one
    query: it runs in every publishing transaction)."""
    domains = select(
        literal("domain").label("kind"), OrganizationDomain.domain.label("value")
    ).where(
        OrganizationDomain.organization_id == organization_id,
        OrganizationDomain.status == "verified",
    )
    tickers = select(literal("ticker"), OrganizationTicker.symbol).where(
        OrganizationTicker.organization_id == organization_id,
        OrganizationTicker.status == "confirmed",
    )
    rows = db.execute(union_all(domains, tickers)).all()
    return (
        sorted(v for k, v in rows if k == "domain"),
        sorted(v for k, v in rows if k == "ticker"),
    )


def _issuer(db: Session, release: Release) -> dict[str, Any]:
    org = release.organization
    domains, tickers = issuer_claims(db, org.id)
    return {
        "name": org.name,
        "slug": org.slug,
        "website": org.website,
        "domains": domains,
        "tickers": tickers,
    }


def find_signature(db: Session, release_id: str, number: int, language: str) -> Signature | None:
    return db.scalar(
        select(Signature).where(
            Signature.release_id == release_id,
            Signature.version_number == number,
            Signature.language == language,
        )
    )


def _reference(db: Session, release_id: str, number: int | None, language: str) -> Any:
    if number is None:
        return None
    found = find_signature(db, release_id, number, language)
    if found is None:
        return {"version": number, "ninjs_sha256": None}
    return {"version": number, "ninjs_sha256": found.statement["documents"]["ninjs"]["sha256"]}


def _record(
    db: Session,
    settings: Settings,
    release: Release,
    *,
    number: int,
    kind: str,
    language: str,
    url: str,
    published_at: datetime,
    amends: int | None,
    ninjs: str,
    newsml: str,
    edition: bool,
    original_language: str,
    now: datetime,
) -> Signature:
    key = key_ring(settings.data_dir).active()
    statement = build_statement(
        wire_name=settings.wire_name,
        wire_url=settings.base_url,
        release_id=release.id,
        uri=f"{URN_PREFIX}release:{release.id}",
        version=number,
        kind=kind,
        language=language,
        edition=edition,
        url=url,
        issuer=_issuer(db, release),
        published_at=iso_ms(published_at),
        signed_at=iso_ms(now),
        amends=_reference(db, release.id, amends, original_language),
        original=_reference(db, release.id, number, original_language) if edition else None,
        ninjs=ninjs,
        newsml=newsml,
    )
    row = Signature(
        release_id=release.id,
        version_number=number,
        language=language,
        edition=edition,
        kind=kind,
        ninjs=ninjs,
        newsml=newsml,
        statement=statement,
        jws=sign(statement, key),
        kid=key.kid,
        signed_at=now,
    )
    db.add(row)
    integrate_soon(db, settings)  # into the transparency log, once this commits
    return row


def sign_version(
    db: Session, settings: Settings, release: Release, version: ReleaseVersion, *, now: datetime
) -> Signature:
    """The signature of a version just frozen (in its publishing transaction)."""
    language = version.content["language"]
    return _record(
        db,
        settings,
        release,
        number=version.number,
        kind=version.kind,
        language=language,
        url=version_url(settings, release.id, version.number),
        published_at=version.published_at,
        amends=version.amends,
        ninjs=version.ninjs,
        newsml=version.newsml,
        edition=False,
        original_language=language,
        now=now,
    )


def signed_edition(
    db: Session,
    settings: Settings,
    release: Release,
    version: ReleaseVersion,
    edition: Edition,
    *,
    now: datetime | None = None,
) -> Signature:
    """The approved edition of `version`, frozen and signed: the row made when it first went
    out, or made now. Every channel serves an edition's documents from here."""
    found = find_signature(db, release.id, version.number, edition.language)
    if found is not None:
        return found
    frozen = edition_version(settings, release, version, edition)
    original = version.content.get("language") or release.language
    return _record(
        db,
        settings,
        release,
        number=version.number,
        kind=version.kind,
        language=edition.language,
        url=frozen.canonical_url,
        published_at=version.published_at,
        amends=version.amends,
        ninjs=ninjs_bytes(frozen).decode(),
        newsml=render_newsml(frozen).decode(),
        edition=True,
        original_language=original,
        now=now or datetime.now(UTC),
    )


def sign_backlog(db: Session, settings: Settings, *, now: datetime | None = None) -> int:
    """Sign what a wire published before it signed its documents (an upgraded wire, once):
    every version without a signature, then every approved edition of a published release's
    current version. The statement's ``signed_at`` says when; ``published_at`` stays the
    version's. Returns how many were signed."""
    now = now or datetime.now(UTC)
    signed = 0
    unsigned = db.scalars(
        select(ReleaseVersion)
        .outerjoin(
            Signature,
            (Signature.release_id == ReleaseVersion.release_id)
            & (Signature.version_number == ReleaseVersion.number)
            & Signature.edition.is_(False),
        )
        .where(Signature.id.is_(None))
        .order_by(ReleaseVersion.id)
    ).all()
    for version in unsigned:
        release = db.get(Release, version.release_id)
        assert release is not None
        sign_version(db, settings, release, version, now=now)
        signed += 1
    editions = db.execute(
        select(Edition, Release, ReleaseVersion)
        .join(Release, Release.id == Edition.release_id)
        .join(
            ReleaseVersion,
            (ReleaseVersion.release_id == Release.id)
            & (ReleaseVersion.number == Release.current_version),
        )
        .where(Edition.status == "approved", Edition.language != Release.language)
    ).all()
    for edition, release, version in editions:
        if find_signature(db, release.id, version.number, edition.language) is None:
            signed_edition(db, settings, release, version, edition, now=now)
            signed += 1
    return signed
