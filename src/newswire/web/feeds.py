"""Pull feeds over HTTP: RSS 2.0, Atom 1.0 and JSON Feed 1.1, rendered once per change and
served from memory.

URLs (each in .rss, .atom and .json; GET and HEAD):

    /feeds/releases.{fmt}                everything, or any combination of
                                         ?industry=&region=&lang=&issuer= (and ?page=N)
    /feeds/industry/{code}.{fmt}         an industry and those below it (slug or medtop QCode)
    /feeds/region/{code}.{fmt}           a country (ISO 3166-1) or a group (EU, ASEAN, ...)
    /feeds/language/{tag}.{fmt}          one of the wire's languages
    /feeds/issuer/{slug}.{fmt}           one issuer

The friendly paths take the other filters as query parameters too. A bad parameter is a 422
(404 when it is in the path) JSON error naming it; an unknown issuer and a page past the end
are 404s.

Caching. Each (feed query, format, page) is rendered once and kept as bytes (plain and gzip),
with a strong ETag (a digest of the bytes), Last-Modified and ready-made response headers;
``Cache-Control: public, max-age=60``; 304 on If-None-Match (or, without it, on
If-Modified-Since). The cache follows `newswire.store.feeds`' publication sequence: a request
checks it at most once a second (`CHECK_INTERVAL_S`, one primary-key lookup), and at once when
this process has committed a new version (the in-memory generation); when it moved, only the
feeds that the new versions match, before or after a correction, are dropped. So a cached hit
costs no database query: two dictionary lookups and the send. Past `MAX_CACHED_BYTES` the
oldest rendered pages are dropped first.

Mounting: `install(app)` includes `router` and adds `FeedFastPath`, a small ASGI middleware
that answers cached hits before the application's middleware and routing run (those cost
several times what the hit itself does; see bench/feeds.py). Without the middleware the routes
alone behave the same, only slower. The routes are plain ASGI endpoints rather than FastAPI
functions, so that they do no parameter parsing or dependency solving on a hit either; they
are left out of the OpenAPI schema.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, FastAPI
from markupsafe import escape
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from newswire import i18n, taxonomy
from newswire.config import Settings
from newswire.domain.errors import FieldError, NotFound
from newswire.publish.freeze import edition_version
from newswire.render import feeds as render
from newswire.render.html import render_article, translation_note
from newswire.store import feeds as store
from newswire.store.db import Database
from newswire.store.feed_query import FeedQuery, FeedQueryError
from newswire.store.feeds import FeedItem
from newswire.store.models import Edition, Release, ReleaseVersion

CACHE_CONTROL = b"public, max-age=60"
CHECK_INTERVAL_S = 1.0
MAX_CACHED_BYTES = 64 * 1024 * 1024
MAX_RAW_KEYS = 16_384
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


class FeedCache:
    """Rendered feeds of one application, kept valid against the publication sequence.

    Validity is derived, not pushed: `fresh()` is true while this process has committed no new
    version and the last check is under `check_interval_s` old; otherwise `sync()` reads the
    sequence and drops the feeds that the versions published since touch. `invalidate_for` in
    `newswire.store.feeds` is what bumps the in-process generation (called on every commit that
    adds a version); nothing else needs calling.
    """

    def __init__(
        self, *, check_interval_s: float = CHECK_INTERVAL_S, max_bytes: int = MAX_CACHED_BYTES
    ) -> None:
        self.check_interval_s = check_interval_s
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Key, CachedFeed] = OrderedDict()
        self._by_query: dict[FeedQuery, set[Key]] = {}
        self._raw: dict[tuple[str, bytes], Key] = {}
        self._bytes = 0
        self._seq: int | None = None
        self._seen: set[int] = set()
        self._edition_mark: datetime | None = None
        self._editions_seen: set[tuple[int, datetime]] = set()
        self._generation = -1
        self._checked_at = float("-inf")
        self._lock = threading.Lock()
        self._building: dict[Key, threading.Lock] = {}
        self.renders = 0  # how many pages were rendered (for tests and the bench)

    # -- the hot path (event loop, no I/O) --

    def fresh(self) -> bool:
        return (
            self._generation == store.publication_generation()
            and time.monotonic() - self._checked_at < self.check_interval_s
        )

    def hit(self, raw: tuple[str, bytes]) -> CachedFeed | None:
        key = self._raw.get(raw)
        return self._entries.get(key) if key is not None else None

    # -- validity --

    def sync(self, db: Database) -> None:
        """Catch up with the publication sequence; drop the feeds that changed."""
        with self._lock:
            generation = store.publication_generation()
            if self._generation == generation and (
                time.monotonic() - self._checked_at < self.check_interval_s
            ):
                return  # another request has just done it
            with db.session() as s:
                seq, _ = store.publication_mark(s)
                edition_mark = store.edition_mark(s)
                if self._seq is None:
                    self._seq = seq
                    self._seen = store.recent_version_ids(s, seq)
                    self._edition_mark = edition_mark
                    if edition_mark is not None:
                        changed = store.edition_changes_since(s, edition_mark)
                        self._editions_seen = {c.key for c in changed}
                else:
                    if seq != self._seq or generation != self._generation:
                        self._apply(store.changes_since(s, self._seq))
                        self._seq = max(self._seq, seq)
                        self._seen = {i for i in self._seen if i > self._seq - store.GAP_WINDOW}
                    if edition_mark is not None and (
                        edition_mark != self._edition_mark or generation != self._generation
                    ):
                        since = self._edition_mark or edition_mark - store.EDITION_WINDOW
                        self._apply_editions(store.edition_changes_since(s, since))
                        self._edition_mark = max(self._edition_mark or edition_mark, edition_mark)
            self._generation = generation
            self._checked_at = time.monotonic()

    def _apply(self, changes: list[store.Change] | None) -> None:
        if changes is None:
            self.clear()
            return
        for change in changes:
            if change.version_id in self._seen:
                continue
            self._seen.add(change.version_id)
            for query in [q for q in self._by_query if change.affects(q)]:
                self._drop(query)

    def _apply_editions(self, changes: list[store.EditionChange]) -> None:
        for change in changes:
            if change.key in self._editions_seen:
                continue
            self._editions_seen.add(change.key)
            for query in [q for q in self._by_query if change.affects(q)]:
                self._drop(query)
        if self._edition_mark is not None:
            horizon = self._edition_mark - 2 * store.EDITION_WINDOW
            self._editions_seen = {k for k in self._editions_seen if k[1] >= horizon}

    def _drop(self, query: FeedQuery) -> None:
        for key in self._by_query.pop(query, ()):
            feed = self._entries.pop(key, None)
            if feed is not None:
                self._bytes -= feed.size

    def clear(self) -> None:
        self._entries.clear()
        self._by_query.clear()
        self._bytes = 0

    # -- filling --

    def lookup(self, key: Key) -> CachedFeed | None:
        return self._entries.get(key)

    def remember(self, raw: tuple[str, bytes], key: Key) -> None:
        if len(self._raw) >= MAX_RAW_KEYS:
            self._raw.clear()
        self._raw[raw] = key

    def put(
        self, key: Key, feed: CachedFeed, sequence: int, edition_mark: datetime | None = None
    ) -> bool:
        """Keep a page read at `sequence` (and, for a language feed, `edition_mark`); refused
        when a check has meanwhile passed either (the changes in between were judged without
        this page: it may be stale)."""
        with self._lock:
            if self._seq is None or sequence < self._seq:
                return False
            if (
                key[0].language is not None
                and self._edition_mark is not None
                and (edition_mark is None or edition_mark < self._edition_mark)
            ):
                return False
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._entries[key] = feed
            self._by_query.setdefault(key[0], set()).add(key)
            self._bytes += feed.size
            while self._bytes > self.max_bytes and len(self._entries) > 1:
                oldest, dropped = self._entries.popitem(last=False)
                self._bytes -= dropped.size
                keys = self._by_query.get(oldest[0])
                if keys is not None:
                    keys.discard(oldest)
                    if not keys:
                        del self._by_query[oldest[0]]
            return True

    def building(self, key: Key) -> threading.Lock:
        """A lock per page, so that concurrent misses render it once."""
        with self._lock:
            return self._building.setdefault(key, threading.Lock())

    def done_building(self, key: Key) -> None:
        with self._lock:
            self._building.pop(key, None)


def cache_of(app: Any) -> FeedCache:
    """The application's feed cache, made on first use (no I/O, so no race on the loop)."""
    cache = getattr(app.state, "feeds", None)
    if cache is None:
        cache = app.state.feeds = FeedCache()
    return cache


# --- requests ------------------------------------------------------------------------------------

_QUERY_PARAMS = {"industry": "industry", "region": "region", "lang": "language"}
_QUERY_PARAMS |= {"language": "language", "issuer": "issuer"}


def _request(scope: Scope, dimension: str | None) -> tuple[FeedQuery, str, int]:
    """The feed a request asks for; errors name the parameter."""
    path_params = scope.get("path_params", {})
    fmt = path_params.get("fmt", "")
    if fmt not in render.FORMATS:
        raise FeedQueryError(
            [FieldError("format", "unknown_format", f"'{fmt}': use .rss, .atom or .json")],
            status=404,
        )
    values: dict[str, str | None] = {}
    page_raw = None
    for name, value in parse_qsl(scope.get("query_string", b"").decode("latin-1")):
        if name == "page":
            page_raw = value
        elif name in _QUERY_PARAMS and value.strip():
            values[_QUERY_PARAMS[name]] = value
    errors: list[FieldError] = []
    page = 1
    try:
        page = _page(page_raw)
    except FeedQueryError as exc:
        errors += exc.errors
    if dimension is not None:
        in_path = FeedQuery.parse({dimension: path_params.get("value", "")}, status=404)
        from_query = values.pop(dimension, None)
        if from_query is not None and FeedQuery.parse({dimension: from_query}) != in_path:
            param = FeedQuery.PARAMS[dimension]
            errors.append(FieldError(param, "conflict", f"{param} is already given in the path"))
        values[dimension] = getattr(in_path, dimension)
    try:
        query = FeedQuery.parse(values)
    except FeedQueryError as exc:
        errors = exc.errors + errors
    if errors:
        raise FeedQueryError(errors)
    return query, fmt, page


def _page(raw: str | None) -> int:
    if raw is None:
        return 1
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= store.MAX_PAGE:
        raise FeedQueryError(
            [
                FieldError(
                    "page",
                    "invalid_page",
                    f"'{raw}': the page is a whole number from 1 to {store.MAX_PAGE}",
                )
            ]
        )
    return int(raw)


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
        language=query.language,
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


def _fill(app: Any, cache: FeedCache, scope: Scope, dimension: str | None) -> CachedFeed:
    """A miss: parse the request, then render the page unless another request just did."""
    key = _request(scope, dimension)
    try:
        with cache.building(key):
            feed = cache.lookup(key)
            if feed is None:
                feed, sequence, edition_mark = build(app.state.db, app.state.settings, key)
                cache.renders += 1
                cache.put(key, feed, sequence, edition_mark)
    finally:
        cache.done_building(key)
    cache.remember((scope["path"], scope.get("query_string", b"")), key)
    return feed


class FeedEndpoint:
    """The ASGI endpoint of one feed route; `dimension` is the path's filter, if any."""

    def __init__(self, dimension: str | None = None) -> None:
        self.dimension = dimension

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = scope["app"]
        cache = cache_of(app)
        if not cache.fresh():
            await run_in_threadpool(cache.sync, app.state.db)
        feed = cache.hit((scope["path"], scope.get("query_string", b"")))
        if feed is None:
            feed = await run_in_threadpool(_fill, app, cache, scope, self.dimension)
        await respond(feed, scope, send)


async def respond(feed: CachedFeed, scope: Scope, send: Send) -> None:
    if_none_match = if_modified_since = None
    wants_gzip = False
    for name, value in scope["headers"]:
        if name == b"if-none-match":
            if_none_match = value
        elif name == b"if-modified-since":
            if_modified_since = value
        elif name == b"accept-encoding":
            wants_gzip = accepts_gzip(value)
    etag = feed.etag_gzip if wants_gzip else feed.etag
    if if_none_match is not None:
        not_modified = etag_matches(if_none_match, (feed.etag, feed.etag_gzip))
    elif if_modified_since is not None:
        not_modified = not_modified_since(if_modified_since, feed.last_modified_at)
    else:
        not_modified = False
    if not_modified:
        headers = [(b"etag", etag), *feed.common_headers]
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    headers = feed.gzip_headers if wants_gzip else feed.plain_headers
    body = b"" if scope["method"] == "HEAD" else (feed.gzipped if wants_gzip else feed.body)
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def etag_matches(header: bytes, etags: tuple[bytes, ...]) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 13.1.2): W/ prefixes are ignored."""
    if header.strip() == b"*":
        return True
    for candidate in header.split(b","):
        candidate = candidate.strip().removeprefix(b"W/")
        if candidate in etags:
            return True
    return False


def not_modified_since(header: bytes, last_modified_at: float) -> bool:
    try:
        since = parsedate_to_datetime(header.decode("latin-1"))
    except (TypeError, ValueError, IndexError):
        return False  # an invalid date is ignored (RFC 9110 13.1.3)
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return last_modified_at <= since.timestamp()


def accepts_gzip(header: bytes) -> bool:
    for part in header.split(b","):
        name, _, params = part.strip().partition(b";")
        if name.strip().lower() in (b"gzip", b"*"):
            q = params.strip().lower()
            if not q.startswith(b"q="):
                return True
            try:
                return float(q[2:]) > 0
            except ValueError:
                return False
    return False


class FeedFastPath:
    """ASGI middleware that answers cached feed hits before the application's own middleware
    and routing run (they cost ten times what the hit itself does). A miss, a due validity
    check, or any other request goes on to the application unchanged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"].startswith("/feeds/")
            and scope["method"] in ("GET", "HEAD")
        ):
            cache = getattr(scope["app"].state, "feeds", None)
            if cache is not None and cache.fresh():
                feed = cache.hit((scope["path"], scope.get("query_string", b"")))
                if feed is not None:
                    await respond(feed, scope, send)
                    return
        await self.app(scope, receive, send)


router = APIRouter()
for _path, _dimension in (
    ("/feeds/releases.{fmt}", None),
    ("/feeds/industry/{value}.{fmt}", "industry"),
    ("/feeds/region/{value}.{fmt}", "region"),
    ("/feeds/language/{value}.{fmt}", "language"),
    ("/feeds/issuer/{value}.{fmt}", "issuer"),
):
    router.add_route(
        _path,
        FeedEndpoint(_dimension),
        methods=["GET"],
        name=f"feed_{_dimension or 'releases'}",
        include_in_schema=False,
    )


def install(app: FastAPI) -> None:
    """Mount the feeds on an application that has not started: the router, and the fast path
    for cached hits. Idempotent."""
    if not any(getattr(r, "path", "").startswith("/feeds/") for r in app.routes):
        app.include_router(router)
    if not any(m.cls is FeedFastPath for m in app.user_middleware):
        app.add_middleware(FeedFastPath)
    cache_of(app)
