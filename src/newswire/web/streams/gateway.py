"""A stream gateway for scale-out: a process that serves only the terminal streams (SSE and
WebSocket). It learns of new events from NATS (`newswire.events`, announced after each
publishing commit) and reads them, and any replay, from the shared database, so a terminal can
reconnect to any gateway with its Last-Event-ID and get exactly what it missed. It also polls
the log every second, so a lost announcement delays an event but never loses it (see
`newswire.web.streams.follow`, which `serve` nodes use too)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from newswire import __version__
from newswire.channels.streams import Broadcaster
from newswire.config import Settings
from newswire.store.db import Database
from newswire.web.errors import install_error_handlers
from newswire.web.streams import fastpath as streams
from newswire.web.streams.follow import POLL_S, following_the_log

__all__ = ["POLL_S", "create_gateway_app"]


def create_gateway_app(settings: Settings) -> FastAPI:
    db = Database(settings)
    broadcaster = Broadcaster(db)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await broadcaster.start()
        try:
            async with following_the_log(settings, broadcaster):
                yield
        finally:
            db.dispose()

    app = FastAPI(title="newswire stream gateway", version=__version__, lifespan=lifespan)
    app.state.db = db
    app.state.settings = settings
    app.state.broadcaster = broadcaster
    install_error_handlers(app)
    streams.install(app)

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok", "role": "stream gateway"}

    return app
