"""Server-sent events and WebSocket streams for news terminals, with replay from the last event
id: `GET /api/v1/stream` (SSE) and `/api/v1/stream/ws` (WebSocket, same semantics)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response, WebSocket, WebSocketDisconnect
from starlette.types import Receive, Scope, Send

from newswire.actions.accounts import authenticate_api_key
from newswire.channels.streams import Broadcaster, Event, StreamFilter, Subscriber, replay
from newswire.domain.errors import NewswireError, NotAuthenticated
from newswire.store.db import Database
from newswire.web.deps import DB, CurrentActor

router = APIRouter(prefix="/api/v1", tags=["streams"])
HEARTBEAT_S = 15.0
EVENT_NAMES = {"original": "release", "correction": "correction", "retraction": "retraction"}


class BadFilter(NewswireError):
    status = 422
    code = "invalid_filter"


def _filter(
    industry: list[str], region: list[str], lang: list[str], issuer: list[str]
) -> StreamFilter:
    try:
        return StreamFilter.parse(industry, region, lang, issuer)
    except ValueError as exc:
        raise BadFilter(str(exc)) from None


async def events_after(
    db: DB,
    broadcaster: Broadcaster,
    last_id: int,
    flt: StreamFilter,
    *,
    heartbeat: float,
    subscriber: Subscriber | None = None,
    seen: int | None = None,
) -> AsyncIterator[Event | None]:
    """Replay after `last_id`, then live events; None means "send a heartbeat". Ends when the
    connection fell behind (the client resumes from its last id). Pass a `subscriber` made
    (with `seen = broadcaster.seen`) before anything else, so nothing committed is missed."""
    if subscriber is None:
        seen, subscriber = broadcaster.seen, broadcaster.subscribe(flt)
    try:
        sent = last_id
        while seen is None or sent < seen:  # catch up from the log; live events wait meanwhile
            page, looked = await asyncio.to_thread(replay, db, sent, flt)
            for event in page:
                yield event
            if looked == sent:
                break
            sent = looked
        while True:
            if not subscriber.pending:
                await subscriber.wait(heartbeat)
                if not subscriber.pending:
                    if subscriber.closed:
                        return
                    yield None
                    continue
            for event in subscriber.take():
                if event is None:
                    return  # overflow: disconnect
                if event.seq > sent:
                    sent = event.seq
                    yield event
    finally:
        broadcaster.unsubscribe(subscriber)


def _payload(event: Event, fmt: str) -> str:
    return event.newsml if fmt == "newsml" else event.ninjs


def _sse_ninjs(event: Event) -> bytes:
    return _sse(event, event.ninjs)


def _sse_newsml(event: Event) -> bytes:
    return _sse(event, event.newsml)


def _sse(event: Event, payload: str) -> bytes:
    data = payload.replace("\r", "").replace("\n", "\ndata: ")
    return f"id: {event.seq}\nevent: {EVENT_NAMES[event.kind]}\ndata: {data}\n\n".encode()


SSE_MAKERS = {"ninjs": _sse_ninjs, "newsml": _sse_newsml}
KEEP_ALIVE = b": keep-alive\n\n"


class EventStream(Response):
    """The SSE body as a plain ASGI response: no generator and no per-chunk task group; each
    event's bytes are encoded once per format and shared by every connection. The subscriber
    is registered by the handler before this response is returned (headers go out first)."""

    media_type = "text/event-stream"

    def __init__(
        self,
        db: Database,
        broadcaster: Broadcaster,
        subscriber: Subscriber,
        seen: int,
        start: int,
        fmt: str,
    ) -> None:
        # no super().__init__: that would declare a Content-Length for an empty body
        self.status_code = 200
        self.background = None
        self.raw_headers = [
            (b"content-type", b"text/event-stream; charset=utf-8"),
            (b"cache-control", b"no-cache"),
            (b"x-accel-buffering", b"no"),
        ]
        self.db, self.broadcaster, self.subscriber = db, broadcaster, subscriber
        self.seen, self.start, self.fmt = seen, start, fmt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        subscriber = self.subscriber
        watcher = asyncio.create_task(self._watch(receive))
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            await self._run(send)
        except OSError:
            pass  # the client went away mid-write
        finally:
            subscriber.close()
            self.broadcaster.unsubscribe(subscriber)
            watcher.cancel()

    async def _watch(self, receive: Receive) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        self.subscriber.close()

    async def _run(self, send: Send) -> None:
        subscriber, make, key = self.subscriber, SSE_MAKERS[self.fmt], "sse:" + self.fmt
        body: dict = {"type": "http.response.body", "body": b"retry: 2000\n\n", "more_body": True}
        await send(body)
        sent = self.start
        while sent < self.seen:  # catch up from the log; live events wait in the subscriber
            page, looked = await asyncio.to_thread(replay, self.db, sent, subscriber.flt)
            for event in page:
                if subscriber.closed:
                    return
                await send({**body, "body": event.encoded(key, make)})
            if looked == sent:
                break
            sent = looked
        self.sent, self.key, self.make, self.send = sent, key, make, send
        self.blocked: tuple | None = None  # a write that the socket pushed back on
        self.wrote = False
        self.idle = False
        subscriber.direct = self._push
        try:
            while not subscriber.closed:
                if self.blocked is not None:
                    coro, yielded = self.blocked
                    self.blocked = None
                    await _Resume(coro, yielded)
                    continue
                if not subscriber.pending:
                    self.idle = True
                    await subscriber.wait(HEARTBEAT_S)
                    self.idle = False
                    if self.blocked is not None or subscriber.pending or subscriber.closed:
                        continue
                    if not self.wrote:
                        await send({**body, "body": KEEP_ALIVE})
                    self.wrote = False
                    continue
                items = subscriber.take()
                chunks = []
                for event in items:
                    if event is None:
                        break  # overflow: send what it has, then disconnect
                    if event.seq > self.sent:
                        self.sent = event.seq
                        chunks.append(event.encoded(key, make))
                if chunks:
                    await send({**body, "body": b"".join(chunks)})
                    self.wrote = True
                if items and items[-1] is None:
                    return
        finally:
            subscriber.direct = None

    def _push(self, event: Event) -> bool:
        """The broadcaster's fast path: run the ASGI send for this event to completion right
        here (a socket write that does not block completes without suspending); if it does
        suspend (flow control), the connection's task finishes it and takes over."""
        if not self.idle:
            return False
        if event.seq <= self.sent:
            return True
        coro = self.send(
            {
                "type": "http.response.body",
                "body": event.encoded(self.key, self.make),
                "more_body": True,
            }
        )
        self.sent = event.seq
        self.wrote = True
        try:
            yielded = coro.send(None)
        except StopIteration:
            return True
        except Exception:
            self.subscriber.close()
            return True
        self.blocked = (coro, yielded)
        self.idle = False
        self.subscriber.wake()
        return True


class _Resume:
    """Await the rest of a coroutine that was started outside the task and suspended on
    `yielded` (hand that to the task first, then keep driving the coroutine)."""

    def __init__(self, coro: Any, yielded: Any) -> None:
        self.coro, self.yielded = coro, yielded

    def __await__(self) -> Any:
        coro, yielded = self.coro, self.yielded
        while True:
            try:
                value = yield yielded
            except BaseException as exc:  # cancellation: pass it into the coroutine
                try:
                    yielded = coro.throw(exc)
                except StopIteration:
                    return
            else:
                try:
                    yielded = coro.send(value)
                except StopIteration:
                    return


@router.get("/stream", response_class=EventStream, status_code=200)
async def stream(
    request: Request,
    actor: CurrentActor,
    db: DB,
    industry: Annotated[list[str], Query()] = [],  # noqa: B006
    region: Annotated[list[str], Query()] = [],  # noqa: B006
    lang: Annotated[list[str], Query()] = [],  # noqa: B006
    issuer: Annotated[list[str], Query()] = [],  # noqa: B006
    format: Literal["ninjs", "newsml"] = "ninjs",
    last_event_id: Annotated[int | None, Header(alias="Last-Event-ID")] = None,
    after: Annotated[int | None, Query(description="Same as the Last-Event-ID header")] = None,
) -> Response:
    """Server-sent events: `id` is the event's number in the durable log, `event` is release,
    correction or retraction, `data` the ninjs document (NewsML-G2 with format=newsml) on one
    line. Reconnect with Last-Event-ID to get everything missed, in order."""
    del actor
    flt = _filter(industry, region, lang, issuer)
    broadcaster: Broadcaster = request.app.state.broadcaster
    start = last_event_id if last_event_id is not None else (after or 0)
    seen = broadcaster.seen
    subscriber = broadcaster.subscribe(flt)  # before the response: nothing committed is missed
    return EventStream(db, broadcaster, subscriber, seen, start, format)


@router.websocket("/stream/ws")
async def stream_ws(
    websocket: WebSocket,
    db: DB,
    key: str | None = None,
    industry: Annotated[list[str], Query()] = [],  # noqa: B006
    region: Annotated[list[str], Query()] = [],  # noqa: B006
    lang: Annotated[list[str], Query()] = [],  # noqa: B006
    issuer: Annotated[list[str], Query()] = [],  # noqa: B006
    format: Literal["ninjs", "newsml"] = "ninjs",
    after: int = 0,
) -> None:
    """The same stream over a WebSocket: each message is {"id", "event", "data"}; pass the API
    key as `?key=` (or an Authorization header) and `?after=` the last id you got."""
    token = key or (websocket.headers.get("authorization", "").removeprefix("Bearer ").strip())
    try:
        with db.session() as s:
            authenticate_api_key(s, token or "")
        flt = _filter(industry, region, lang, issuer)
    except (NotAuthenticated, BadFilter) as exc:
        await websocket.close(
            code=4401 if isinstance(exc, NotAuthenticated) else 4422, reason=exc.message
        )
        return
    await websocket.accept()
    broadcaster: Broadcaster = websocket.app.state.broadcaster
    try:
        async for event in events_after(db, broadcaster, after, flt, heartbeat=HEARTBEAT_S):
            if event is None:
                await websocket.send_text(json.dumps({"event": "heartbeat"}))
                continue
            await websocket.send_text(
                json.dumps(
                    {
                        "id": event.seq,
                        "event": EVENT_NAMES[event.kind],
                        "data": _payload(event, format),
                    }
                )
            )
        await websocket.close(code=4408, reason="fell behind; reconnect with ?after=<last id>")
    except WebSocketDisconnect:
        return
