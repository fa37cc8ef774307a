"""`newswire cluster start|stop|status`: the scale-out topology on one machine (serve nodes,
delivery workers, stream gateways on PostgreSQL and NATS JetStream), for trying it out. The
processes themselves are managed by `newswire.cli.cluster_processes`."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from newswire.cli import cluster_processes as processes
from newswire.cli.app import DataDir, app, errors_as_messages, fail
from newswire.config import Settings, load_settings
from newswire.store.db import Database

cluster_app = typer.Typer(
    help="Scale-out on one machine: serve nodes, workers and gateways on PostgreSQL + NATS."
)
app.add_typer(cluster_app, name="cluster")


def _refusal(settings: Settings) -> str | None:
    """Why a cluster cannot start on these settings, or None."""
    from newswire.actions.doctor import FAIL, examine_shared_services

    if settings.is_sqlite:
        return (
            "a cluster shares PostgreSQL: set DATABASE_URL=postgresql://user:password@host/db "
            "(SQLite is for one process)"
        )
    if not settings.bus_url.startswith("nats://"):
        return "a cluster shares NATS JetStream: set NEWSWIRE_BUS_URL=nats://host:4222"
    for finding in examine_shared_services(settings):
        if finding.status == FAIL:
            return finding.message
    return None


@cluster_app.command("start")
def start(
    data: DataDir = None,
    nodes: Annotated[int, typer.Option(min=1, max=20, help="Serve (API) nodes")] = 2,
    workers: Annotated[int, typer.Option(min=0, max=20, help="Delivery workers")] = 2,
    gateways: Annotated[int, typer.Option(min=0, max=20, help="Stream gateways")] = 2,
    port: Annotated[
        int, typer.Option(min=1, max=65000, help="First port: serve nodes, then gateways")
    ] = 8000,
    wait: Annotated[float, typer.Option(help="Seconds to wait for every process")] = 60.0,
) -> None:
    """Start NODES `serve --no-workers`, WORKERS `worker` and GATEWAYS `gateway` processes on
    consecutive ports, against DATABASE_URL and NEWSWIRE_BUS_URL; pids and logs go to
    DATA/cluster."""
    settings = load_settings(data)
    if any(processes.running(m.pid) for m in processes.recorded(settings.data_dir)):
        fail(f"a cluster is already running on {settings.data_dir}: `newswire cluster stop` first")
    problem = _refusal(settings)
    if problem:
        fail(problem)
    plan = processes.layout(nodes, workers, gateways, port)
    taken = [str(p) for _name, _role, p in plan if p is not None and processes.port_in_use(p)]
    if taken:
        fail(f"port(s) {', '.join(taken)} already in use: choose another --port")
    with errors_as_messages():  # migrate once, so the nodes do not race to
        db = Database(settings)
        db.upgrade()
        db.dispose()
    members = processes.start(settings.data_dir, plan, os.environ)
    states = processes.wait_healthy(members, wait)
    if not all(s.healthy for s in states):
        processes.stop(members)
        details = []
        for s in states:
            if not s.healthy:
                tail = " | ".join(processes.log_tail(s.member, 3))
                details.append(f"{s.member.name}: {s.state}; log {s.member.log}: {tail}")
        fail("the cluster did not come up, so it was stopped:", details)
    _print(states)
    serve_urls = [f"http://127.0.0.1:{m.port}/" for m in members if m.role == "serve"]
    typer.echo(f"cluster running on {settings.data_dir}: web and API at {', '.join(serve_urls)}")


@cluster_app.command("status")
def status(data: DataDir = None) -> None:
    """Each process of the cluster: its role, port, pid and health (exit 1 unless all healthy)."""
    settings = load_settings(data)
    members = processes.recorded(settings.data_dir)
    if not members:
        typer.echo(f"no cluster on {settings.data_dir}: `newswire cluster start` makes one")
        raise typer.Exit(1)
    states = [processes.health(m) for m in members]
    _print(states)
    if not all(s.healthy for s in states):
        raise typer.Exit(1)


@cluster_app.command("stop")
def stop(data: DataDir = None) -> None:
    """End every process of the cluster (SIGTERM, then SIGKILL after 10 s)."""
    settings = load_settings(data)
    stopped = processes.stop(processes.recorded(settings.data_dir))
    typer.echo(f"stopped {len(stopped)} process(es) on {settings.data_dir}")


def _print(states: list[processes.Health]) -> None:
    for s in states:
        member = s.member
        where = f"http://127.0.0.1:{member.port}/" if member.port else "-"
        typer.echo(f"{member.name:<11} {member.role:<8} pid {member.pid:<8} {where:<24} {s.state}")
