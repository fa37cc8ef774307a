"""Freeze a version: build the immutable PublishedVersion and render every format once."""

from __future__ import annotations

import hashlib
from datetime import datetime

from newswire.config import Settings
from newswire.domain.release import Issuer, PublishedVersion, ReleaseContent, VersionKind
from newswire.render.html import render_article
from newswire.render.newsml import render_newsml
from newswire.render.ninjs import ninjs_bytes
from newswire.store.models import Release, ReleaseVersion


def version_url(settings: Settings, release_id: str, number: int) -> str:
    return f"{settings.base_url}/releases/{release_id}/v{number}"


def published_version(
    settings: Settings,
    release: Release,
    content: ReleaseContent,
    *,
    number: int,
    kind: VersionKind,
    published_at: datetime,
    first_published_at: datetime,
    reason: str | None = None,
    amends: int | None = None,
) -> PublishedVersion:
    org = release.organization
    return PublishedVersion(
        release_id=release.id,
        number=number,
        kind=kind,
        content=content,
        issuer=Issuer(org.id, org.name, org.slug, org.website),
        published_at=published_at,
        first_published_at=first_published_at,
        sections=tuple(release.sections.get("sections", ())),
        top_story=release.top_story,
        reason=reason,
        amends=amends,
        canonical_url=version_url(settings, release.id, number),
        wire_name=settings.wire_name,
        extra={
            "wire_url": settings.wire_url,
            "release_url": f"{settings.base_url}/releases/{release.id}",
        },
    )


def freeze_version(
    settings: Settings,
    release: Release,
    content: ReleaseContent,
    **version: object,
) -> ReleaseVersion:
    frozen = published_version(settings, release, content, **version)  # type: ignore[arg-type]
    ninjs = ninjs_bytes(frozen)
    return ReleaseVersion(
        release_id=release.id,
        number=frozen.number,
        kind=frozen.kind.value,
        content=content.to_json(),
        sections={"sections": list(frozen.sections)},
        top_story=frozen.top_story,
        reason=frozen.reason,
        amends=frozen.amends,
        published_at=frozen.published_at,
        article_html=render_article(frozen),
        ninjs=ninjs.decode(),
        newsml=render_newsml(frozen).decode(),
        digest=hashlib.sha256(ninjs).hexdigest(),
    )
