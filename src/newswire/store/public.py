"""What the public may read: published versions only. Nothing scheduled, embargoed or in review
has a version row, and these queries also require a public state, so it cannot leak here."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newswire.domain.lifecycle import PUBLIC_STATES
from newswire.store.models import Organization, Release, ReleaseVersion

_PUBLIC = [s.value for s in PUBLIC_STATES]


def latest_versions(
    db: Session, *, limit: int = 20, offset: int = 0, issuer: str | None = None
) -> list[tuple[Release, ReleaseVersion]]:
    query = (
        select(Release, ReleaseVersion)
        .join(
            ReleaseVersion,
            (ReleaseVersion.release_id == Release.id)
            & (ReleaseVersion.number == Release.current_version),
        )
        .where(Release.state.in_(_PUBLIC))
        .order_by(Release.first_published_at.desc(), Release.id)
        .limit(limit)
        .offset(offset)
    )
    if issuer:
        query = query.join(Organization).where(Organization.slug == issuer)
    return [(r, v) for r, v in db.execute(query).all()]


def count_public(db: Session) -> int:
    return (
        db.scalar(select(func.count()).select_from(Release).where(Release.state.in_(_PUBLIC))) or 0
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
