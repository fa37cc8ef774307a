"""Server-sent events and WebSocket streams for news terminals, with replay from the last event
id: `GET /api/v1/stream` (SSE) and `/api/v1/stream/ws` (WebSocket, same semantics)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import StreamingResponse

from newswire.actions.accounts import authenticate_api_key
from newswire.channels.streams import Broadcaster, Event, StreamFilter, replay
from newswire.domain.errors import NewswireError, NotAuthenticated
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
    db: DB, broadcaster: Broadcaster, last_id: int, flt: StreamFilter, *, heartbeat: float
) -> AsyncIterator[Event | None]:
    """Replay after `last_id`, then live events; None means "send a heartbeat". Ends when the
    connection fell behind (the client resumes from its last id)."""
    subscriber = broadcaster.subscribe(flt)  # first, so nothing committed from now on is missed
    try:
        sent = last_id
        while True:
            page, looked = await asyncio.to_thread(replay, db, sent, flt)
            for event in page:
                yield event
            if looked == sent:
                break
            sent = looked
        while True:
            try:
                event = await asyncio.wait_for(subscriber.queue.get(), heartbeat)
            except TimeoutError:
                yield None
                continue
            if event is None:
                return  # overflow: disconnect
            if event.seq > sent:
                sent = event.seq
                yield event
    finally:
        broadcaster.unsubscribe(subscriber)


def _payload(event: Event, fmt: str) -> str:
    return event.newsml if fmt == "newsml" else event.ninjs


@router.get("/stream")
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
) -> StreamingResponse:
    """Server-sent events: `id` is the event's number in the durable log, `event` is release,
    correction or retraction, `data` the ninjs document (NewsML-G2 with format=newsml) on one
    line. Reconnect with Last-Event-ID to get everything missed, in order."""
    del actor
    flt = _filter(industry, region, lang, issuer)
    broadcaster: Broadcaster = request.app.state.broadcaster
    start = last_event_id if last_event_id is not None else (after or 0)
    events = events_after(db, broadcaster, start, flt, heartbeat=HEARTBEAT_S)

    async def body() -> AsyncIterator[bytes]:
        yield b"retry: 2000\n\n"
        async for event in events:
            if event is None:
                yield b": keep-alive\n\n"
                continue
            data = _payload(event, format).replace("\r", "").replace("\n", "\ndata: ")
            yield f"id: {event.seq}\nevent: {EVENT_NAMES[event.kind]}\ndata: {data}\n\n".encode()

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(body(), media_type="text/event-stream", headers=headers)


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
