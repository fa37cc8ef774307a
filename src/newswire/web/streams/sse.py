"""Server-sent events and WebSocket streams for news terminals, with replay from the last event
id: `GET /api/v1/stream` (SSE) and `/api/v1/stream/ws` (WebSocket, same semantics).

Editions: every approved translation of a release is an event of its own in the log (see
`newswire.publish.events`), with the edition's ninjs (or NewsML-G2): same `uri` and `version`
as the original, its own `language`, and the version's event name (`release`, `correction`,
`retraction`). `?lang=de` selects the events in German: releases written in German and the
German editions of the others, each German edition as soon as it is approved (with the
publication when it was approved before). A terminal with no `lang` filter gets every event in
every language, the original and each edition, as with every other filter (none = everything):
a terminal that files stories by `uri` keeps one per (`uri`, `language`), and one that wants a
single language asks for it. Edition events follow the other filters (industry, region, issuer)
exactly as the original does, and replay from Last-Event-ID includes them in log order.

`GET /api/v1/stream` is served by `StreamFastPath`, outside the middleware stack, so that each
event costs one socket write per connection (see `EventStream`)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import (
    APIRouter,
    Header,
    Query,
    Request,
    Response,
    WebSocket,
    WebSocketDisconnect,
)
from starlette.types import Receive, Scope, Send

from newswire.channels.streams import Broadcaster, Event, StreamFilter, Subscriber, replay
from newswire.domain.errors import NewswireError, NotAuthenticated
from newswire.store.db import Database
from newswire.web.deps import DB, CurrentActor, actor_for_key
from newswire.web.errors import ERROR_ANSWERS
from newswire.web.params import Int64
from newswire.web.streams import framing
from newswire.web.streams.framing import (
    CHUNK_MAKERS,
    EVENT_NAMES,
    HEADERS,
    KEEP_ALIVE,
    KEEP_ALIVE_CHUNK,
    RETRY,
    SSE_MAKERS,
    _chunk,
    _payload,
    _raw_cycle,
    heartbeats,
)

router = APIRouter(prefix="/api/v1", tags=["streams"], responses=ERROR_ANSWERS)


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


class EventStream(Response):
    """The SSE body as a plain ASGI response: no generator and no per-chunk task group; each
    event's bytes are encoded once per format (and, on uvicorn's httptools server, framed as
    an HTTP chunk once) and shared by every connection. The subscriber is registered before
    this response starts, so nothing committed is missed.

    Live events: while the connection is parked (nothing buffered, the socket not pushing
    back) the broadcaster writes each event to its socket right in its fan-out loop
    (`_push`: one `transport.write` of the shared chunk, no task wake-up); otherwise the
    events wait in the subscriber's bounded buffer for the connection's task, which drains
    the socket first. Heartbeats come from `Heartbeats`."""

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
        self.raw_headers = list(HEADERS)
        self.db, self.broadcaster, self.subscriber = db, broadcaster, subscriber
        self.seen, self.start, self.fmt = seen, start, fmt
        self.sent = start
        self.idle = False  # parked: the broadcaster may write to the socket directly
        self.wrote = False  # something went out since the last heartbeat tick
        self.beat = False  # a heartbeat is due (for the task to write)
        self.cycle: Any = None
        self.transport: Any = None
        self.chunk, self.chunk_key = CHUNK_MAKERS[fmt], "chunk:" + fmt
        self.key, self.make = "sse:" + fmt, SSE_MAKERS[fmt]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        subscriber = self.subscriber
        watcher = asyncio.create_task(self._watch(receive))
        beats = heartbeats(self.broadcaster)
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            self.cycle = _raw_cycle(send)
            if self.cycle is not None:
                self.transport = self.cycle.transport
            self.send = send
            await self._write(RETRY)
            beats.add(self)
            await self._run()
            # fell behind (or went away): end the response; the client resumes from its last id
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:
            pass  # the client went away mid-write
        finally:
            beats.discard(self)
            subscriber.direct = None
            subscriber.close()
            self.broadcaster.unsubscribe(subscriber)
            watcher.cancel()

    async def _watch(self, receive: Receive) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        self.subscriber.close()

    def _gone(self) -> bool:
        cycle = self.cycle
        return cycle is not None and (cycle.disconnected or self.transport.is_closing())

    async def _write(self, body: bytes) -> None:
        self.wrote = True
        cycle = self.cycle
        if cycle is None:
            await self.send({"type": "http.response.body", "body": body, "more_body": True})
            return
        if cycle.flow.write_paused and not cycle.disconnected:
            await cycle.flow.drain()
        if self._gone():
            self.subscriber.close()
            return
        self.transport.write(_chunk(body))

    async def _run(self) -> None:
        subscriber, key, make = self.subscriber, self.key, self.make
        sent = self.start
        while sent < self.seen:  # catch up from the log; live events wait in the subscriber
            page, looked = await asyncio.to_thread(replay, self.db, sent, subscriber.flt)
            for event in page:
                if subscriber.closed:
                    return
                await self._write(event.encoded(key, make))
            if looked == sent:
                break
            sent = looked
        self.sent = sent
        subscriber.direct = self._push
        cycle = self.cycle
        while not subscriber.closed:
            if subscriber.pending:
                items = subscriber.take()
                chunks = []
                for event in items:
                    if event is None:
                        break  # overflow: send what it has, then disconnect
                    if event.seq > self.sent:
                        self.sent = event.seq
                        chunks.append(event.encoded(key, make))
                if chunks:
                    await self._write(b"".join(chunks))
                if items and items[-1] is None:
                    return
                continue
            if cycle is not None and cycle.flow.write_paused and not cycle.disconnected:
                await cycle.flow.drain()  # the socket pushes back: buffer until it drains
                continue
            if self.beat:
                self.beat = False
                await self._write(KEEP_ALIVE)
                continue
            self.idle = cycle is not None
            await subscriber.wait()
            self.idle = False

    def tick(self) -> None:
        """A heartbeat tick: `: keep-alive` unless something went out since the last one."""
        if self.wrote:
            self.wrote = False
        elif self.idle and not self._gone() and not self.cycle.flow.write_paused:
            self.transport.write(KEEP_ALIVE_CHUNK)
            self.wrote = True
        else:
            self.beat = True
            self.subscriber.wake()

    def _push(self, event: Event) -> bool:
        """The broadcaster's fast path for a parked connection: write the event's shared
        chunk to the socket now. False (buffer it) when the connection is not parked."""
        if not self.idle:
            return False
        if event.seq <= self.sent:
            return True
        if self._gone():
            self.subscriber.close()
            return True
        self.sent = event.seq
        self.wrote = True
        self.transport.write(event.encoded(self.chunk_key, self.chunk))
        if self.cycle.flow.write_paused:  # the socket pushes back: the task takes over
            self.idle = False
            self.subscriber.wake()
        return True


@router.get(
    "/stream",
    response_class=EventStream,
    status_code=200,
    responses={200: {"content": {"text/event-stream": {}}, "description": "the event stream"}},
)
async def stream(
    request: Request,
    actor: CurrentActor,
    db: DB,
    industry: Annotated[list[str], Query()] = [],  # noqa: B006
    region: Annotated[list[str], Query()] = [],  # noqa: B006
    lang: Annotated[list[str], Query()] = [],  # noqa: B006
    issuer: Annotated[list[str], Query()] = [],  # noqa: B006
    format: Literal["ninjs", "newsml"] = "ninjs",
    last_event_id: Annotated[Int64 | None, Header(alias="Last-Event-ID")] = None,
    after: Annotated[Int64 | None, Query(description="Same as the Last-Event-ID header")] = None,
) -> Response:
    """Server-sent events: `id` is the event's number in the durable log, `event` is release,
    correction or retraction, `data` the ninjs document (NewsML-G2 with format=newsml) on one
    line. Each approved edition (translation) is an event of its own in its language: `lang`
    selects languages; without it, every language. Reconnect with Last-Event-ID to get
    everything missed, in order."""
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
    after: Int64 = 0,
) -> None:
    """The same stream over a WebSocket: each message is {"id", "event", "data"}; pass the API
    key as `?key=` (or an Authorization header) and `?after=` the last id you got."""
    token = key or (websocket.headers.get("authorization", "").removeprefix("Bearer ").strip())
    try:
        await asyncio.to_thread(actor_for_key, db, token or "")  # the database, off the loop
        flt = _filter(industry, region, lang, issuer)
    except (NotAuthenticated, BadFilter) as exc:
        await websocket.close(
            code=4401 if isinstance(exc, NotAuthenticated) else 4422, reason=exc.message
        )
        return
    await websocket.accept()
    broadcaster: Broadcaster = websocket.app.state.broadcaster
    try:
        async for event in events_after(db, broadcaster, after, flt, heartbeat=framing.HEARTBEAT_S):
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
