"""Proof suite 6 (issue 15), scale-out: two API nodes, two delivery workers and two stream
gateways as real processes (started as `newswire cluster start` starts them) on one PostgreSQL
database and NATS JetStream. Releases are published through the API nodes in turn; SSE
terminals spread over the gateways and the API nodes must each get every event once, in the
log's order, also after a gateway is killed and its terminals reconnect to another process with
Last-Event-ID; every partner's webhook gets every release."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from builders import World, make_world, release_payload
from newswire.audience.importing import import_recipients
from newswire.cli import cluster_processes as processes
from newswire.config import load_settings
from newswire.store.db import Database
from newswire.store.models import Attempt
from proof_scale import proof_scale
from receivers import WebhookReceiver

pytestmark = pytest.mark.postgres

CLIENTS = proof_scale(40, 200)
EVENTS = proof_scale(16, 40)
PARTNERS = proof_scale(10, 100)
FIRST_PORT = 19520  # serve 19520-19521, gateways 19522-19523
RECEIVER_PORT = 19530
WAIT_S = 120.0  # for every terminal and webhook; a stall fails the suite instead of hanging it


@dataclass
class Terminal:
    """One SSE client: the processes it may use (its first one first), what it got, in order."""

    urls: list[str]
    events: list[tuple[int, str]] = field(default_factory=list)  # (event id, release id)
    reconnects: int = 0
    connected: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Cluster:
    members: list[processes.Member]
    db: Database
    world: World

    def urls(self, role: str) -> list[str]:
        return [f"http://127.0.0.1:{m.port}" for m in self.members if m.role == role]

    def member(self, name: str) -> processes.Member:
        return next(m for m in self.members if m.name == name)


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    running = WebhookReceiver(port=RECEIVER_PORT).start()
    yield running
    running.stop()


@pytest.fixture
def cluster(
    tmp_path: Path, postgres_url: str, nats_url: str, receiver: WebhookReceiver
) -> Iterator[Cluster]:
    data = tmp_path / "wire"
    db = Database(load_settings(data, database_url=postgres_url))
    world = make_world(db)
    partners = [
        {
            "kind": "partner",
            "name": f"Partner {i}",
            "webhook_url": receiver.url(f"/p{i}"),
            "subscriptions": [{"industries": ["wind-power"]}],
        }
        for i in range(PARTNERS)
    ]
    with db.session() as s:
        imported = import_recipients(s, json.dumps(partners).encode(), "json", source="proof")
        assert imported.imported == PARTNERS
    env = {
        **os.environ,
        "DATABASE_URL": postgres_url,
        "NEWSWIRE_BUS_URL": nats_url,
        "NEWSWIRE_WEBHOOK_ALLOW": "127.0.0.0/8",
    }
    members = processes.start(data, processes.layout(2, 2, 2, FIRST_PORT), env)
    try:
        states = processes.wait_healthy(members, 60)
        assert all(s.healthy for s in states), [
            (s.member.name, s.state, processes.log_tail(s.member)) for s in states
        ]
        yield Cluster(members, db, world)
    finally:
        processes.stop(members)
        db.dispose()


async def follow(terminal: Terminal, key: str, total: int) -> None:
    """Read the stream until `total` events came; on a broken connection, go on at the next
    process with Last-Event-ID."""
    turn = 0
    async with httpx.AsyncClient(timeout=httpx.Timeout(30, connect=5)) as client:
        while len(terminal.events) < total:
            headers = {"Authorization": f"Bearer {key}"}
            if terminal.events:
                headers["Last-Event-ID"] = str(terminal.events[-1][0])
            url = terminal.urls[turn % len(terminal.urls)] + "/api/v1/stream"
            try:
                async with client.stream("GET", url, headers=headers) as response:
                    assert response.status_code == 200, await response.aread()
                    terminal.connected.set()
                    await read(response, terminal, total)
            except httpx.TransportError:
                turn += 1
                terminal.reconnects += 1
                await asyncio.sleep(0.2)


async def read(response: httpx.Response, terminal: Terminal, total: int) -> None:
    event_id, data = None, ""
    async for line in response.aiter_lines():
        if line.startswith("id: "):
            event_id = int(line[4:])
        elif line.startswith("data: "):
            data += line[6:]
        elif line == "" and event_id is not None:
            uri = json.loads(data)["uri"]
            terminal.events.append((event_id, uri.rsplit(":", 1)[1]))
            event_id, data = None, ""
            if len(terminal.events) >= total:
                return


async def publish_in_turn(cluster: Cluster, count: int, halfway: Callable[[], None]) -> list[str]:
    """Publish `count` releases, each through the next API node (approved there, so that node's
    scheduler publishes it at once), one after the other; call `halfway` in the middle."""
    issuer, editor = cluster.world.headers("issuer"), cluster.world.headers("editor")
    nodes = cluster.urls("serve")
    published = []
    async with httpx.AsyncClient(timeout=30) as client:
        for i in range(count):
            node = nodes[i % len(nodes)]
            body = release_payload(headline=f"Acme Commissions Wind Farm Number {i + 1} at Sea")
            created = await client.post(
                f"{node}/api/v1/releases", params={"submit": "true"}, json=body, headers=issuer
            )
            assert created.status_code == 201, created.text
            rid = created.json()["id"]
            approved = await client.post(
                f"{node}/api/v1/releases/{rid}/approve",
                json={"override_reason": "proof suite"},
                headers=editor,
            )
            assert approved.status_code == 200, approved.text
            await until_published(client, f"{node}/api/v1/releases/{rid}", editor)
            published.append(rid)
            if i + 1 == count // 2:
                halfway()
    return published


async def until_published(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> None:
    deadline = time.monotonic() + 30
    while (state := (await client.get(url, headers=headers)).json()["state"]) != "published":
        assert time.monotonic() < deadline, f"{url} is still {state}"
        await asyncio.sleep(0.05)


def test_terminals_on_every_process_get_every_event_once_in_order(
    cluster: Cluster, receiver: WebhookReceiver, proof_figures: Callable[[str], None]
) -> None:
    began = time.monotonic()
    gateways, nodes = cluster.urls("gateway"), cluster.urls("serve")
    places = [*gateways, *nodes]  # gateway-1 first: a quarter of the terminals start there
    terminals = [
        Terminal(urls=places[i % len(places) :] + places[: i % len(places)]) for i in range(CLIENTS)
    ]
    killed = cluster.member("gateway-1")

    def kill_a_gateway() -> None:
        os.kill(killed.pid, signal.SIGKILL)

    async def run() -> list[str]:
        key = cluster.world.keys["issuer"]
        readers = [asyncio.create_task(follow(t, key, EVENTS)) for t in terminals]
        await asyncio.wait_for(asyncio.gather(*(t.connected.wait() for t in terminals)), 60)
        published = await publish_in_turn(cluster, EVENTS, kill_a_gateway)
        done, pending = await asyncio.wait(readers, timeout=WAIT_S)
        for task in pending:
            task.cancel()
        for task in done:
            task.result()  # a reader's failure is the test's
        return published

    published = asyncio.run(run())
    streamed_s = time.monotonic() - began
    expected_webhooks = EVENTS * PARTNERS
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline and len(delivered(receiver)) < expected_webhooks:
        time.sleep(0.2)

    missed = sum(len(set(published) - {rid for _, rid in t.events}) for t in terminals)
    duplicated = sum(len(t.events) - len({eid for eid, _ in t.events}) for t in terminals)
    out_of_order = sum(
        sum(1 for a, b in zip(t.events, t.events[1:], strict=False) if b[0] <= a[0])
        for t in terminals
    )
    moved = sum(1 for t in terminals if t.reconnects)
    webhooks = delivered(receiver)
    by_process = attempts_by_process(cluster)
    proof_figures(
        f"{CLIENTS} SSE clients on 2 gateways + 2 API nodes, {EVENTS} events through alternating "
        f"nodes, gateway killed halfway ({moved} clients reconnected): missed {missed}, "
        f"duplicated {duplicated}, out-of-order {out_of_order}; webhooks "
        f"{len(webhooks)}/{expected_webhooks} delivered, attempts by process {by_process}; streams "
        f"done in {streamed_s:.1f} s"
    )
    assert moved >= CLIENTS // len(places), "the terminals on the killed gateway reconnected"
    assert (missed, duplicated, out_of_order) == (0, 0, 0)
    reference = [rid for _, rid in terminals[0].events]
    assert reference == published, "events come in the order they were published"
    assert all([rid for _, rid in t.events] == reference for t in terminals)
    assert len(webhooks) == expected_webhooks
    assert set(by_process) <= {"worker-1", "worker-2"}, "serve --no-workers nodes deliver nothing"


def attempts_by_process(cluster: Cluster) -> dict[str, int]:
    """How many delivery attempts each cluster process made (its pid is in the worker name)."""
    names = {str(m.pid): m.name for m in cluster.members}
    counts: dict[str, int] = {}
    with cluster.db.session() as s:
        for worker in s.scalars(select(Attempt.worker)):
            name = names.get((worker or "").split(":")[1], worker or "?")
            counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items()))


def delivered(receiver: WebhookReceiver) -> set[tuple[str, str]]:
    """(partner, webhook-id) pairs: a repeat of a delivery carries the same id, so counts once."""
    return {(r.path, r.headers["webhook-id"]) for r in list(receiver.received)}
