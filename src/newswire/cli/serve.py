"""Commands that run the wire: `serve`, `gateway`, `demo`, `db-upgrade`, `scheduler-run` and
`worker`."""

from __future__ import annotations

import os
import threading
from contextlib import suppress
from typing import Annotated

import typer

from newswire.cli.app import DataDir, _database, app, errors_as_messages
from newswire.config import Settings, load_settings
from newswire.store.db import Database


@app.command()
def serve(
    data: DataDir = None,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    no_workers: Annotated[
        bool,
        typer.Option(
            "--no-workers",
            help="An API node only: leave delivery to `newswire worker` processes (scale-out)",
        ),
    ] = False,
) -> None:
    """Serve the web, the API and the scheduler on existing data."""
    import uvicorn

    from newswire.web.app import create_app

    settings = load_settings(data, **({"run_workers": False} if no_workers else {}))
    with errors_as_messages():
        application = create_app(settings)
    typer.echo(f"newswire serving {settings.data_dir} at http://{host}:{port}/")
    if not settings.base_url.startswith("https://"):
        typer.echo(
            f"note: NEWSWIRE_BASE_URL is {settings.base_url}, not https: emails carry "
            "List-Unsubscribe without List-Unsubscribe-Post (RFC 8058 one-click needs https)"
        )
    warm_up()
    uvicorn.run(application, host=host, port=port, log_level="info", **server_options(settings))


def warm_up() -> threading.Thread:
    """Build the language detector on a thread of its own while the server starts: built on
    first use it took the first submitted release's request 8-26 s on a busy 2-core machine
    (lingua preloads 14 models); a request that comes sooner waits for the same build."""
    from newswire.intake import language

    thread = threading.Thread(target=language.detector, name="warm-up", daemon=True)
    thread.start()
    return thread


def server_options(settings: Settings) -> dict[str, object]:
    """uvicorn's options from the settings.

    X-Forwarded-For/-Proto are believed only from NEWSWIRE_TRUSTED_PROXIES (none by default):
    uvicorn's own default trusts them from loopback, which let a local client (or a local proxy
    passing the header through) pick its own address and so evade the sign-in throttle.

    On SIGTERM, requests still running after NEWSWIRE_SHUTDOWN_GRACE_S are cancelled: stream
    connections never finish by themselves, and without a limit uvicorn waited for every
    terminal to hang up (their clients reconnect with Last-Event-ID to another node)."""
    options: dict[str, object] = {"timeout_graceful_shutdown": settings.shutdown_grace_s}
    if not settings.trusted_proxies:
        return options | {"proxy_headers": False}
    return options | {"proxy_headers": True, "forwarded_allow_ips": list(settings.trusted_proxies)}


@app.command()
def gateway(
    data: DataDir = None,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8100,
) -> None:
    """Serve only the terminal streams (scale-out: any number of gateways on the shared
    database, told of new events through NATS at NEWSWIRE_BUS_URL)."""
    import uvicorn

    from newswire.web.streams.gateway import create_gateway_app

    settings = load_settings(data)
    with errors_as_messages():
        _database(data)
        application = create_gateway_app(settings)
    typer.echo(f"stream gateway at http://{host}:{port}/api/v1/stream")
    uvicorn.run(application, host=host, port=port, log_level="info", **server_options(settings))


@app.command()
def demo(
    data: DataDir = None,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Seed, then exit")] = False,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
) -> None:
    """Seed a data folder with demo accounts and releases through the lifecycle; serve it."""
    from newswire.demo import seed_demo

    settings = load_settings(data)
    if "NEWSWIRE_BASE_URL" not in os.environ:  # else the links are the configured public ones
        local = f"http://{host}:{port}"
        wire_url = os.environ.get("NEWSWIRE_WIRE_URL", local + "/")
        settings = load_settings(data, base_url=local, wire_url=wire_url)
    with errors_as_messages():
        db = Database(settings)
        db.upgrade()
        report = seed_demo(db)
        db.dispose()
    typer.echo(report)
    if not no_serve:
        serve(data=settings.data_dir, host=host, port=port)


@app.command("db-upgrade")
def db_upgrade(data: DataDir = None) -> None:
    """Create or migrate the database to the current schema."""
    with errors_as_messages():
        db = _database(data, create=True)
    typer.echo(f"database at {db.settings.database_url} is up to date")


@app.command("scheduler-run")
def scheduler_run(data: DataDir = None) -> None:
    """Publish every release whose time has come, once, and exit (for cron or tests)."""
    from newswire.actions.scheduler import run_once

    with errors_as_messages():
        published = run_once(_database(data))
    typer.echo(f"published {len(published)} release(s)" + "".join(f"\n{r}" for r in published))


@app.command()
def worker(
    data: DataDir = None,
    once: Annotated[bool, typer.Option("--once", help="Deliver what is due, then exit")] = False,
) -> None:
    """Run a delivery worker (scale-out: any number, on any machines, sharing the database and,
    with NEWSWIRE_BUS_URL=nats://..., NATS JetStream)."""
    import asyncio

    from newswire import bus
    from newswire.deliver.setup import make_channels
    from newswire.deliver.worker import DeliveryWorker

    async def run(db: Database) -> None:
        message_bus = bus.make_bus(db.settings.bus_url)
        await message_bus.start()
        bus.install(message_bus)
        delivery = DeliveryWorker(db, make_channels(db.settings))
        try:
            if once:
                done = await delivery.drain()
                typer.echo(", ".join(f"{n} {state}" for state, n in done.items()) or "nothing due")
            else:
                typer.echo(
                    f"worker {delivery.name} delivering; bus: {db.settings.bus_url or 'in-process'}"
                )
                await delivery.run_forever(message_bus)
        finally:
            await delivery.aclose()
            await message_bus.close()

    with errors_as_messages():
        db = _database(data)
        with suppress(KeyboardInterrupt):
            asyncio.run(run(db))
