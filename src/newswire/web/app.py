"""The application: API, public pages and, in the embedded default, the scheduler in-process."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from newswire import __version__, bus
from newswire.actions.scheduler import run_forever
from newswire.audience.targeting import shared_index
from newswire.bus import make_bus
from newswire.channels.streams import Broadcaster
from newswire.config import Settings
from newswire.deliver.setup import make_channels
from newswire.deliver.worker import DeliveryWorker
from newswire.publish import events
from newswire.store.db import Database
from newswire.translate.engines import EngineRegistry, install_registry
from newswire.web import feeds, session
from newswire.web.account import measurement as account_measurement
from newswire.web.account import routes as account
from newswire.web.api import audience, editions, issuer_claims
from newswire.web.api import readership as api_readership
from newswire.web.api import releases as api
from newswire.web.desk import routes as desk
from newswire.web.desk import tickers as desk_tickers
from newswire.web.errors import install_error_handlers
from newswire.web.feeds import websub
from newswire.web.limits import BodySizeLimit
from newswire.web.operator import domains as operator_domains
from newswire.web.operator import routes as operator
from newswire.web.portal import routes as portal
from newswire.web.portal import verification
from newswire.web.public import documents, email_reads, embed, provenance, sitemaps, verify
from newswire.web.public import log as transparency_log
from newswire.web.public import newsroom as public
from newswire.web.streams import fastpath as streams
from newswire.web.streams.follow import following_the_log
from newswire.web.translator import routes as translator


def create_app(settings: Settings, *, run_scheduler: bool = True, migrate: bool = True) -> FastAPI:
    translations = EngineRegistry.for_data_dir(settings.data_dir)
    install_registry(translations)
    db = Database(settings)
    if migrate:
        db.upgrade()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        tasks = []
        worker = None
        message_bus = make_bus(settings.bus_url)
        await message_bus.start()
        bus.install(message_bus)
        await broadcaster.start()
        events.listeners.append(broadcaster.notify)
        following = contextlib.AsyncExitStack()
        await following.enter_async_context(following_the_log(settings, broadcaster))
        if run_scheduler:
            scheduler = run_forever(db, settings.scheduler_interval_s, translations=translations)
            tasks.append(asyncio.create_task(scheduler))
        if run_scheduler and settings.run_workers:
            worker = DeliveryWorker(db, make_channels(settings))
            tasks.append(asyncio.create_task(worker.run_forever(message_bus)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if worker:
                await worker.aclose()
            await following.aclose()  # stop hearing what other nodes commit
            events.listeners.remove(broadcaster.notify)
            bus.install(None)
            await message_bus.close()
            app.state.audience.close()
            db.dispose()

    app = FastAPI(
        title="newswire",
        version=__version__,
        description="Press-release distribution: intake, review, publishing and delivery.",
        lifespan=lifespan,
    )
    app.state.db = db
    app.state.settings = settings
    app.state.translations = translations
    app.state.audience = shared_index(settings)
    broadcaster = app.state.broadcaster = Broadcaster(db)
    install_error_handlers(app)
    session.install(app)  # CSP and security headers, login rate limiter, /login and /logout
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    app.include_router(api.router)
    app.include_router(audience.router)
    app.include_router(issuer_claims.router)  # verified domains and tickers
    streams.install(app)  # SSE and WebSocket streams; SSE served ahead of the middleware
    app.include_router(editions.router)
    app.include_router(websub.router)  # the WebSub hub, POST /websub
    app.include_router(embed.router)
    app.include_router(desk_tickers.router)  # /desk/tickers (confirm issuers' tickers)
    app.include_router(email_reads.router)  # /r/o and /r/c: measured email opens, clicks
    app.include_router(api_readership.router)  # the issuer's switch for measured email
    app.include_router(account_measurement.router)  # a journalist's consent to it
    app.include_router(desk.router)  # /desk pages (editors and admins)
    app.include_router(verification.router)  # /portal/verification (verified issuers)
    app.include_router(portal.router)  # /portal pages (issuers)
    app.include_router(operator_domains.router)  # /operator/domains (verify by hand)
    app.include_router(operator.router)  # /operator pages (admins)
    app.include_router(translator.router)  # /translate pages (translators)
    app.include_router(account.router)  # /account pages (journalists, by emailed link)
    app.include_router(provenance.router)  # keys, signatures, signed editions
    app.include_router(verify.router)  # /verify, POST /api/v1/verify
    app.include_router(documents.router)  # ninjs and NewsML-G2, ahead of the pages' paths
    app.include_router(public.router)
    app.include_router(sitemaps.router)  # /sitemap.xml, /sitemap-news.xml
    app.include_router(transparency_log.router)  # /log/v1/... (the transparency log)
    app.include_router(audience.pages)
    feeds.install(app)  # the feed routes and their cached fast path
    app.mount(
        "/static", StaticFiles(directory=str(files("newswire.render") / "static")), name="static"
    )
    return app
