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

Design: docs/web.md; the WebSub hub beside the feeds: `websub`.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from newswire.web.feeds.cache import cache_of
from newswire.web.feeds.http import FeedEndpoint, FeedFastPath

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
