"""Real HTTP receivers for delivery tests: an aiohttp server on loopback, in its own thread, that
records every request and answers per path (204 by default), and one whose endpoints fail
(`FaultyReceiver`)."""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Self

from aiohttp import web


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


class LoopbackServer:
    """An aiohttp server on 127.0.0.1 (its `port`, or a free one when 0), on its own thread and
    event loop, so that synchronous tests can talk to it. Subclasses (dataclasses) add their
    routes in `routes`."""

    port: int
    _loop: asyncio.AbstractEventLoop | None
    _runner: web.AppRunner | None

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> Self:
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            app = web.Application()
            self.routes(app)
            self._runner = web.AppRunner(app, access_log=None)
            self._loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", self.port)  # 0: any free port
            self._loop.run_until_complete(site.start())
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            ready.set()
            self._loop.run_forever()

        threading.Thread(target=run, daemon=True).start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop and self._runner:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)


@dataclass
class WebhookReceiver(LoopbackServer):
    """`behaviour(path)` returns (status, delay_s, extra headers) for a request to `path`."""

    behaviour: Callable[[str], tuple[int, float, dict[str, str]]] = lambda _path: (204, 0.0, {})
    received: list[Received] = field(default_factory=list)
    port: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _runner: web.AppRunner | None = None

    def routes(self, app: web.Application) -> None:
        app.router.add_route("POST", "/{tail:.*}", self._handle)

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        status, delay, headers = self.behaviour(request.path)
        if delay:
            await asyncio.sleep(delay)
        self.received.append(Received(request.path, dict(request.headers), body, time.monotonic()))
        return web.Response(status=status, headers=headers)

    def paths(self) -> list[str]:
        return [r.path for r in self.received]


@dataclass
class Hit:
    """One request a WebSub subscriber got."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class WebSubSubscriber(LoopbackServer):
    """Answers verification GETs with the challenge (or as `verify[path]` says: "404", "wrong")
    and records them; records content POSTs and answers `post_status[path]` (200 default)."""

    verify: dict[str, str] = field(default_factory=dict)
    post_status: dict[str, int] = field(default_factory=dict)
    gets: list[Hit] = field(default_factory=list)
    posts: list[Hit] = field(default_factory=list)
    port: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _runner: web.AppRunner | None = None

    async def _get(self, request: web.Request) -> web.Response:
        query = dict(request.query)
        self.gets.append(Hit(request.path, query, dict(request.headers), b""))
        if query.get("hub.mode") == "denied":
            return web.Response(text="ok")
        how = self.verify.get(request.path, "echo")
        if how == "404":
            return web.Response(status=404, text="no such subscription")
        if how == "wrong":
            return web.Response(text="not-the-challenge")
        return web.Response(text=query.get("hub.challenge", ""))

    async def _post(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.posts.append(Hit(request.path, dict(request.query), dict(request.headers), body))
        return web.Response(status=self.post_status.get(request.path, 200))

    def routes(self, app: web.Application) -> None:
        app.router.add_route("GET", "/{tail:.*}", self._get)
        app.router.add_route("POST", "/{tail:.*}", self._post)

    def gets_to(self, path: str) -> list[dict[str, str]]:
        return [h.query for h in self.gets if h.path == path]

    def posts_to(self, path: str) -> list[Hit]:
        return [h for h in self.posts if h.path == path]


FAULTS = ("ok", "e500", "hang", "reset", "trickle")


@dataclass
class FaultyReceiver(LoopbackServer):
    """Endpoints that fail in the ways real ones do, chosen by the path's first segment:
    /ok/... answers 204, /e500/... 500, /hang/... holds the request open and answers nothing
    until `release`, /reset/... resets the connection, /trickle/... sends a byte every 0.2 s
    until `release`. `received` records what came in (when it came in); `open` counts the
    hanging and trickling requests still held. While `faults` is False every path answers 204."""

    received: list[Received] = field(default_factory=list)
    faults: bool = True
    open: int = 0
    port: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _runner: web.AppRunner | None = None
    _released: asyncio.Event | None = None

    def routes(self, app: web.Application) -> None:
        app.router.add_route("POST", "/{fault}/{tail:.*}", self._handle)

    def release(self) -> None:
        """Let every held request end (hangs answer 204, trickles finish)."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._event().set)

    def stop(self) -> None:
        self.release()
        super().stop()

    def _event(self) -> asyncio.Event:
        if self._released is None:
            self._released = asyncio.Event()
        return self._released

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        fault = request.match_info["fault"] if self.faults else "ok"
        self.received.append(Received(request.path, dict(request.headers), body, time.monotonic()))
        released = self._event()
        if fault == "e500":
            return web.Response(status=500, text="broken")
        if fault == "reset":
            transport = request.transport
            if transport is not None:
                sock = transport.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                transport.abort()
            return web.Response(status=204)
        if fault in ("hang", "trickle"):
            self.open += 1
            try:
                if fault == "hang":
                    await released.wait()
                    return web.Response(status=204)
                response = web.StreamResponse(status=200)
                await response.prepare(request)
                while not released.is_set():
                    await response.write(b".")
                    await asyncio.sleep(0.2)
                return response
            finally:
                self.open -= 1
        return web.Response(status=204)

    def paths(self, fault: str) -> list[str]:
        return [r.path for r in self.received if r.path.startswith(f"/{fault}/")]
