"""How stream events are written on the wire: SSE frames (`event`, `id`, `data`) in ninjs or
NewsML-G2, HTTP/1.1 chunks of them, keep-alives, and the one timer that sends every parked
connection its heartbeat. Each event is framed once per format, whatever the number of
connections."""

from __future__ import annotations

import asyncio
import weakref
from typing import Any, Protocol

from starlette.types import Send

from newswire.channels.streams import Broadcaster, Event

HEARTBEAT_S = 15.0


EVENT_NAMES = {"original": "release", "correction": "correction", "retraction": "retraction"}


def _payload(event: Event, fmt: str) -> str:
    return event.newsml if fmt == "newsml" else event.ninjs


def _sse_ninjs(event: Event) -> bytes:
    return _sse(event, event.ninjs)


def _sse_newsml(event: Event) -> bytes:
    return _sse(event, event.newsml)


def _sse(event: Event, payload: str) -> bytes:
    data = payload.replace("\r", "").replace("\n", "\ndata: ")
    return f"id: {event.seq}\nevent: {EVENT_NAMES[event.kind]}\ndata: {data}\n\n".encode()


def _chunk(body: bytes) -> bytes:
    """`body` as one HTTP/1.1 chunk (what the server would frame it as)."""
    return b"%x\r\n%b\r\n" % (len(body), body)


def _chunk_ninjs(event: Event) -> bytes:
    return _chunk(event.encoded("sse:ninjs", _sse_ninjs))


def _chunk_newsml(event: Event) -> bytes:
    return _chunk(event.encoded("sse:newsml", _sse_newsml))


SSE_MAKERS = {"ninjs": _sse_ninjs, "newsml": _sse_newsml}


CHUNK_MAKERS = {"ninjs": _chunk_ninjs, "newsml": _chunk_newsml}


KEEP_ALIVE = b": keep-alive\n\n"


RETRY = b"retry: 2000\n\n"


KEEP_ALIVE_CHUNK = _chunk(KEEP_ALIVE)


HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
]


def _raw_cycle(send: Send) -> Any:
    """uvicorn's httptools request/response cycle behind an unwrapped ASGI `send`, when the
    response is chunked: its transport takes pre-framed chunks directly (the same bytes its
    `send` would write). None for any other server or wrapping: then every write is an ASGI
    `send`."""
    cycle = getattr(send, "__self__", None)
    kind = type(cycle)
    if (
        kind.__name__ == "RequestResponseCycle"
        and kind.__module__ == "uvicorn.protocols.http.httptools_impl"
        and getattr(cycle, "chunked_encoding", None) is True
        and getattr(cycle, "response_started", False)
        and hasattr(cycle, "transport")
        and hasattr(cycle, "flow")
    ):
        return cycle
    return None


_heartbeats: weakref.WeakKeyDictionary[Broadcaster, Heartbeats] = weakref.WeakKeyDictionary()


class Ticking(Protocol):
    """What a heartbeat timer needs of a connection (sse.EventStream is one)."""

    def tick(self) -> None: ...


class Heartbeats:
    """One timer for all of a broadcaster's SSE connections instead of one each (10,000
    parked connections then cost no timers, no wake-ups and no garbage): every HEARTBEAT_S / 2
    each connection that wrote nothing since the previous tick gets `: keep-alive`, so no
    connection stays silent for HEARTBEAT_S."""

    def __init__(self) -> None:
        self.streams: dict[Ticking, None] = {}
        self.task: asyncio.Task[None] | None = None

    def add(self, stream: Ticking) -> None:
        self.streams[stream] = None
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run())

    def discard(self, stream: Ticking) -> None:
        self.streams.pop(stream, None)

    async def _run(self) -> None:
        while self.streams:
            await asyncio.sleep(HEARTBEAT_S / 2)
            for stream in list(self.streams):
                stream.tick()


def heartbeats(broadcaster: Broadcaster) -> Heartbeats:
    found = _heartbeats.get(broadcaster)
    if found is None:
        found = _heartbeats[broadcaster] = Heartbeats()
    return found
