"""Freeze a version: build the immutable PublishedVersion and render every format once."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from urllib.parse import quote

from newswire.config import Settings
from newswire.domain.release import (
    Issuer,
    PublishedVersion,
    ReleaseContent,
    VersionKind,
    content_from_json,
)
from newswire.intake.markdown import markdown_to_html
from newswire.render.html import render_article
from newswire.render.newsml import render_newsml
from newswire.render.ninjs import issuer_claims_in_ninjs, ninjs_bytes
from newswire.store.models import Edition, Release, ReleaseVersion


def version_url(settings: Settings, release_id: str, number: int) -> str:
    return f"{settings.base_url}/releases/{release_id}/v{number}"


def document_path(release_id: str, number: int, language: str | None = None) -> str:
    """The path of a frozen document, without extension: a version's, or (with `language`) the
    edition of that version in that language."""
    if language is None:
        return f"/releases/{release_id}/v{number}"
    return f"/releases/{release_id}/{language}/v{number}"


def provenance_links(
    settings: Settings, release_id: str, number: int, language: str | None = None
) -> dict[str, str]:
    """The signature's and the verification's URLs, which the document itself carries."""
    path = document_path(release_id, number, language)
    return {
        "signature_url": f"{settings.base_url}{path}.sig",
        "verify_url": f"{settings.base_url}/verify?url={quote(settings.base_url + path, safe='')}",
    }


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
    claims: tuple[Sequence[str], Sequence[str]] = ((), ()),
) -> PublishedVersion:
    """`claims`: the issuer's verified domains and confirmed tickers at this moment
    (`newswire.publish.sign.issuer_claims`), passed in so that freezing stays pure."""
    org = release.organization
    domains, tickers = claims
    return PublishedVersion(
        release_id=release.id,
        number=number,
        kind=kind,
        content=content,
        issuer=Issuer(org.id, org.name, org.slug, org.website, tuple(domains), tuple(tickers)),
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
            **provenance_links(settings, release.id, number),
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


def edition_version(
    settings: Settings, release: Release, latest: ReleaseVersion, edition: Edition
) -> PublishedVersion:
    """The current version with the edition's text and language in place of the original's."""
    source = content_from_json(latest.content)
    body = edition.content.get("body") or source.body_markdown
    content = replace(
        source,
        headline=edition.content.get("headline") or source.headline,
        subheadline=edition.content.get("subheadline") or None,
        body_markdown=body,
        body_html=markdown_to_html(body),
        language=edition.language,
    )
    org = release.organization
    domains, tickers = issuer_claims_in_ninjs(latest.ninjs)  # as the version was frozen
    return PublishedVersion(
        release_id=release.id,
        number=latest.number,
        kind=VersionKind(latest.kind),
        content=content,
        issuer=Issuer(org.id, org.name, org.slug, org.website, domains, tickers),
        published_at=latest.published_at,
        first_published_at=release.first_published_at or latest.published_at,
        sections=tuple(latest.sections.get("sections", ())),
        top_story=latest.top_story,
        reason=latest.reason,
        amends=latest.amends,
        canonical_url=f"{settings.base_url}/releases/{release.id}/{edition.language}",
        wire_name=settings.wire_name,
        extra={
            "wire_url": settings.wire_url,
            **provenance_links(settings, release.id, latest.number, edition.language),
        },
    )
