"""Feed pages, rendered once: one (feed query, format, page) read from the store and rendered
as RSS, Atom or JSON Feed bytes with everything its HTTP responses need (`CachedFeed`: plain and
gzip bodies, strong ETags, Last-Modified, headers). The web's feed routes (`newswire.web.feeds`)
cache and serve these pages; the WebSub hub's pushes (`newswire.deliver.payloads`) send them."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from markupsafe import escape
from sqlalchemy.orm import Session

from newswire import i18n, taxonomy
from newswire.config import Settings
from newswire.domain.errors import FieldError, NotFound
from newswire.publish.freeze import edition_version, provenance_links
from newswire.render import feeds as render
from newswire.render.html import render_article, translation_note
from newswire.store import feeds as store
from newswire.store.db import Database
from newswire.store.feed_query import FeedQuery, FeedQueryError
from newswire.store.feeds import FeedItem
from newswire.store.models import Edition, Release, ReleaseVersion

CACHE_CONTROL = b"public, max-age=60"


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


Key = tuple[FeedQuery, str, int]  # (query, format, page)


@dataclass(frozen=True)
class CachedFeed:
    """One rendered page with everything its responses need, built once."""

    body: bytes
    gzipped: bytes
    etag: bytes
    etag_gzip: bytes
    last_modified_at: float  # seconds since the epoch, whole
    plain_headers: list[tuple[bytes, bytes]]
    gzip_headers: list[tuple[bytes, bytes]]
    common_headers: list[tuple[bytes, bytes]]  # what a 304 repeats

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped) + 1024


def cached_feed(
    body: bytes, media_type: str, last_modified: datetime, links: list[tuple[str, str]]
) -> CachedFeed:
    digest = hashlib.sha256(body).hexdigest()[:32]
    etag, etag_gzip = f'"{digest}"'.encode(), f'"{digest}-gz"'.encode()
    last_modified = last_modified.astimezone(UTC).replace(microsecond=0)
    link = ", ".join(f'<{href}>; rel="{rel}"' for rel, href in links).encode()
    common = [
        (b"last-modified", format_datetime(last_modified, usegmt=True).encode()),
        (b"cache-control", CACHE_CONTROL),
        (b"link", link),
        (b"vary", b"accept-encoding"),
        (b"access-control-allow-origin", b"*"),
    ]
    zipped = gzip.compress(body, compresslevel=6, mtime=0)
    typed = [(b"content-type", media_type.encode()), (b"x-content-type-options", b"nosniff")]
    return CachedFeed(
        body=body,
        gzipped=zipped,
        etag=etag,
        etag_gzip=etag_gzip,
        last_modified_at=last_modified.timestamp(),
        plain_headers=[
            *typed,
            (b"content-length", str(len(body)).encode()),
            (b"etag", etag),
            *common,
        ],
        gzip_headers=[
            *typed,
            (b"content-encoding", b"gzip"),
            (b"content-length", str(len(zipped)).encode()),
            (b"etag", etag_gzip),
            *common,
        ],
        common_headers=common,
    )


def build(db: Database, settings: Settings, key: Key) -> tuple[CachedFeed, int, datetime | None]:
    """Read and render one page; returns it with the sequence and edition mark it was read at."""
    query, fmt, page = key
    with db.session() as s:
        issuer = store.issuer_name(s, query.issuer) if query.issuer else None
        if query.issuer and issuer is None:
            raise FeedQueryError(
                [FieldError("issuer", "unknown_issuer", f"no issuer '{query.issuer}'")],
                status=404,
            )
        data = store.feed_page(s, query, page=page)
        translated = {
            item.edition_id: _edition_parts(s, settings, item)
            for item in data.items
            if item.edition_id is not None
        }
    if page > 1 and not data.items:
        raise NotFound(f"page {page} is past the end of this feed")
    base = settings.base_url
    entries = []
    for item in data.items:
        content, article = item.content, item.article_html
        url = f"{base}/releases/{item.release_id}"
        if item.edition_id is not None:
            content, article = translated[item.edition_id]
            url += f"/{item.edition_language}"
        entries.append(
            render.entry_for(
                release_id=item.release_id,
                version=item.number,
                kind=item.kind,
                content=content,
                article_html=article,
                published=item.first_published_at,
                updated=item.published_at,
                url=url,
                issuer_name=item.issuer_name,
                issuer_url=item.issuer_website or f"{base}/releases/?issuer={item.issuer_slug}",
                reason=item.reason,
                edition=item.edition_id is not None,
                signature_url=provenance_links(
                    settings, item.release_id, item.number, item.edition_language
                )["signature_url"],
            )
        )
    newest = max((e.updated for e in entries), default=data.latest_published_at or EPOCH)
    # Last-Modified may not go back in time when a correction takes an entry out of a feed:
    # the newest publication anywhere is a bound no change to this page can be later than.
    last_modified = max(newest, data.latest_published_at or EPOCH)
    links = {"self": base + query.path(fmt, page), "hub": f"{base}/websub"}
    paging: dict[str, str] = {"first": base + query.path(fmt)}
    if page > 1:
        paging["previous"] = base + query.path(fmt, page - 1)
    if data.has_next:
        paging["next"] = base + query.path(fmt, page + 1)
    lang = query.language or "en"
    feed = render.Feed(
        id=base + query.path("atom"),
        title=_title(settings, query, issuer, lang),
        subtitle=i18n.gettext(lang, "Latest releases") + f" – {settings.wire_name}",
        self_url=links["self"],
        home_url=f"{base}/releases/" + (f"?issuer={query.issuer}" if query.issuer else ""),
        hub_url=links["hub"],
        updated=newest,
        language=query.language or lang,  # the channel's own text (title, description)
        links=paging,
        wire_name=settings.wire_name,
        wire_url=settings.wire_url,
    )
    body = render.render(fmt, feed, entries)
    cached = cached_feed(
        body, render.MEDIA_TYPES[fmt], last_modified, [*links.items(), *paging.items()]
    )
    return cached, data.sequence, data.edition_mark


def _edition_parts(s: Session, settings: Settings, item: FeedItem) -> tuple[dict[str, Any], str]:
    """An edition's entry content: the current version in the edition's text, with the article
    rendered around it as on its page, after a line saying how it was translated."""
    release = s.get(Release, item.release_id)
    latest = s.get(ReleaseVersion, item.version_id)
    edition = s.get(Edition, item.edition_id)
    assert release is not None and latest is not None and edition is not None
    frozen = edition_version(settings, release, latest, edition)
    lang = frozen.content.language
    note = translation_note(
        lang, release.language, machine_only=edition.machine_translated and not edition.post_edited
    )
    article = f"<p><em>{escape(note)}</em></p>" + render_article(frozen)
    return frozen.content.to_json(), article


def _title(settings: Settings, query: FeedQuery, issuer: str | None, lang: str) -> str:
    parts = []
    if query.industry:
        parts.append(taxonomy.get_industry(query.industry).label(lang))
    if query.region:
        parts.append(taxonomy.region_name(query.region, lang))
    if query.language:
        parts.append(i18n.language_name(query.language, lang))
    if issuer:
        parts.append(issuer)
    return f"{settings.wire_name}: " + (
        " · ".join(parts) if parts else i18n.gettext(lang, "Latest releases")
    )
