"""The application: API, public pages and, in the embedded default, the scheduler in-process."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from newswire import __version__
from newswire.config import Settings
from newswire.publish.scheduler import run_forever
from newswire.store.db import Database
from newswire.web import api, public
from newswire.web.errors import install_error_handlers
from newswire.web.limits import BodySizeLimit


def create_app(settings: Settings, *, run_scheduler: bool = True, migrate: bool = True) -> FastAPI:
    db = Database(settings)
    if migrate:
        db.upgrade()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        task = (
            asyncio.create_task(run_forever(db, settings.scheduler_interval_s))
            if run_scheduler
            else None
        )
        try:
            yield
        finally:
            if task:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            db.dispose()

    app = FastAPI(
        title="newswire",
        version=__version__,
        description="Press-release distribution: intake, review, publishing and delivery.",
        lifespan=lifespan,
    )
    app.state.db = db
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    app.include_router(api.router)
    app.include_router(public.router)
    app.mount(
        "/static", StaticFiles(directory=str(files("newswire.render") / "static")), name="static"
    )
    return app
