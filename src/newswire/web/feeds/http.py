"""Feed requests as plain ASGI: parse the path and query into a feed key, answer from the cache
(304s, gzip) or render on a miss, and the fast path that answers cached hits ahead of the
application's middleware."""

from __future__ import annotations

from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from newswire.domain.errors import FieldError
from newswire.publish.feeds import CachedFeed, build
from newswire.render import feeds as render
from newswire.store import feeds as store
from newswire.store.feed_query import FeedQuery, FeedQueryError
from newswire.web.feeds.cache import FeedCache, cache_of

_QUERY_PARAMS = {
    "industry": "industry",
    "region": "region",
    "lang": "language",
    "language": "language",
    "issuer": "issuer",
}


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
