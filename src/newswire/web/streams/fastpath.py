"""`GET /api/v1/stream` ahead of the middleware stack and FastAPI's dependency solving: a
request it can serve as it is (a valid API key, a good filter) is parked on the broadcaster
right away; any other falls through to the normal route and gets the same 401/422 as there.
`install` mounts the stream routes with this fast path in front."""

from __future__ import annotations

import asyncio
import re
from typing import Any
from urllib.parse import parse_qsl

from fastapi import (
    FastAPI,
)
from fastapi.security.utils import get_authorization_scheme_param
from starlette.types import ASGIApp, Receive, Scope, Send

from newswire.channels.streams import Broadcaster, StreamFilter
from newswire.domain.errors import NotAuthenticated
from newswire.store.db import Database
from newswire.web.deps import actor_for_key
from newswire.web.params import fits_int64
from newswire.web.streams.framing import SSE_MAKERS
from newswire.web.streams.sse import EventStream, router

STREAM_PATH = "/api/v1/stream"


_DIGITS = re.compile(r"-?[0-9]+")


def _a_stored_number(value: str) -> bool:
    """An event number the log can be asked about (a larger one is the ordinary stack's 422)."""
    return _DIGITS.fullmatch(value) is not None and fits_int64(int(value))


def _api_key(headers: dict[bytes, bytes]) -> str | None:
    """As `deps.current_actor` reads it: a Bearer token, else X-API-Key."""
    authorization = headers.get(b"authorization", b"").decode("latin-1")
    scheme, credentials = get_authorization_scheme_param(authorization)
    if authorization and scheme and credentials and scheme.lower() == "bearer":
        return credentials
    return headers.get(b"x-api-key", b"").decode("latin-1") or None


def _authenticated(db: Database, key: str) -> bool:
    try:
        actor_for_key(db, key)
    except NotAuthenticated:
        return False
    return True


class StreamFastPath:
    """The outermost ASGI layer: `GET /api/v1/stream` is served right here, without the
    middleware stack, the router and the dependency machinery (none of which adds anything to
    an event stream: no HTML, no body to limit), so that each write reaches the server's
    transport directly. Only a request it can serve as is takes this path: the same API-key
    check (`Authorization: Bearer` or `X-API-Key`), valid filters, `format` and
    `Last-Event-ID`/`after`; anything else (no key, a bad key, a bad filter, a malformed
    number) goes down the ordinary stack to `stream` below, which answers with the usual
    error (401, 422)."""

    def __init__(self, app: ASGIApp, state: Any) -> None:
        self.app = app
        self.state = state  # the FastAPI app's state: db, broadcaster

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            path, root = scope["path"], scope.get("root_path", "")
            if root and path.startswith(root):
                path = path[len(root) :]
            if path == STREAM_PATH:
                response = await self._response(scope)
                if response is not None:
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)

    async def _response(self, scope: Scope) -> EventStream | None:
        """The stream for this request, or None to let the ordinary stack answer."""
        headers: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            headers.setdefault(name.lower(), value)
        query: dict[str, list[str]] = {}
        for name, value in parse_qsl(scope["query_string"].decode("latin-1"), True):
            query.setdefault(name, []).append(value)
        fmt = query.get("format", ["ninjs"])[-1]
        found = headers.get(b"last-event-id")
        last_id = found.decode("latin-1") if found is not None else None
        after = query.get("after", [None])[-1]
        key = _api_key(headers)
        if (
            fmt not in SSE_MAKERS
            or key is None
            or any(v is not None and not _a_stored_number(v) for v in (last_id, after))
        ):
            return None
        try:
            flt = StreamFilter.parse(
                query.get("industry", []),
                query.get("region", []),
                query.get("lang", []),
                query.get("issuer", []),
            )
        except Exception:
            return None
        db: Database = self.state.db
        try:
            if not await asyncio.to_thread(_authenticated, db, key):
                return None
        except Exception:  # the ordinary stack answers it as it would
            return None
        broadcaster: Broadcaster = self.state.broadcaster
        start = int(last_id) if last_id is not None else int(after or 0)
        seen = broadcaster.seen
        subscriber = broadcaster.subscribe(flt)
        return EventStream(db, broadcaster, subscriber, seen, start, fmt)


def install(app: FastAPI) -> None:
    """Mount the stream endpoints, with `StreamFastPath` outside the middleware stack."""
    app.include_router(router)
    build = app.build_middleware_stack

    def build_middleware_stack() -> ASGIApp:
        return StreamFastPath(build(), app.state)

    app.build_middleware_stack = build_middleware_stack  # type: ignore[method-assign]
