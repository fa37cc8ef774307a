"""Suite 4 (issue 15): crash and restart. Real processes (`newswire serve` with its embedded
worker, `newswire worker`, and on PostgreSQL + NATS also `newswire gateway` and a nats-server
of the suite's own) fan one release out to N webhook endpoints (a local receiver) and N email
recipients (a local aiosmtpd server) while the suite kills -9 the worker, the server and NATS
at seeded points, each while it has tries in flight, and starts them again.

Afterwards every endpoint and recipient got the release at least once, a repeat carries the
same webhook-id or Message-ID (the outbox's delivery id), the outbox is empty, no delivery is
still claimed, and every try a killed process had in flight shows in the history as
"interrupted". Small in CI (200 + 200, each process killed once, one seed per database); full
under `scripts/proof --full` (1,000 + 1,000, each killed twice, three seeds per database).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from email.parser import BytesParser
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from builders import World, make_world, release_payload, sqlite_url
from nats_process import NatsServer
from newswire.actions import releases as actions
from newswire.audience.importing import import_recipients
from newswire.config import load_settings
from newswire.deliver import outbox
from newswire.intake import validate_release
from newswire.store.db import Database
from newswire.store.models import Attempt, Delivery
from proof_scale import proof_scale
from receivers import WebhookReceiver
from serve_process import newswire_process, wait_answering
from smtp_servers import SmtpServer, smtp_server  # noqa: F401  (the fixture)

N = proof_scale(200, 1000)  # webhook endpoints, and as many email recipients
SEEDS = proof_scale(1, 3)  # per database
KILLS_EACH = proof_scale(1, 2)  # how often each process is killed in one run
LEASE_S = 3  # a killed process's claims are another's after this
DRAIN_TIMEOUT_S = proof_scale(90, 300)
IN_FLIGHT_WAIT_S = 20  # for the victim to have tries in flight before it is killed
WEBHOOK_DELAY_S = 0.5  # a slow receiver (16 requests in flight per host), so kills land mid fan-out
SMTP_DELAY_S = 0.2
NATS_PORT = 19490  # this suite's own nats-server
BASE_PORT = 19400  # 19400-19489: the suite's other servers, 10 a run


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql+nats", marks=pytest.mark.postgres)],
)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize("seed", range(SEEDS))
def test_kill_9_and_restart_lose_no_delivery(
    backend: str,
    seed: int,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    smtp_server: Callable[..., SmtpServer],  # noqa: F811
    proof_figures: Callable[[str], None],
) -> None:
    started = time.monotonic()
    ports = iter(range(BASE_PORT + 10 * (seed % 9), BASE_PORT + 10 * (seed % 9) + 10))
    data = tmp_path / "data"
    data.mkdir()
    env = _environment(data)
    nats = None
    if backend == "sqlite":
        env["DATABASE_URL"] = sqlite_url(request, data)  # a migrated copy: no upgrade to wait for
    else:
        env["DATABASE_URL"] = str(request.getfixturevalue("postgres_url"))
        nats = NatsServer(NATS_PORT, tmp_path / "crash-nats").start()
        env["NEWSWIRE_BUS_URL"] = nats.url
    receiver = WebhookReceiver(
        behaviour=lambda _path: (204, WEBHOOK_DELAY_S, {}), port=next(ports)
    ).start()
    mail = smtp_server(port=next(ports), delay_s=SMTP_DELAY_S)
    env["NEWSWIRE_SMTP_URL"] = f"smtp://127.0.0.1:{mail.port}"
    db = Database(load_settings(data, database_url=env["DATABASE_URL"]))
    wire = Wire(env, server_port=next(ports), gateway_port=next(ports), logs=tmp_path, nats=nats)
    try:
        release_id = _fan_out_ready(db, receiver)
        kills = [f"published t={time.monotonic() - started:.1f}"]
        expected = 2 * N
        wire.start("server")
        wire.start("worker")
        if nats is not None:
            wire.start("gateway")

        def observed() -> int:
            return len({r.path for r in receiver.received}) + len(
                {tuple(m.rcpt_tos) for m in mail.handler.messages}
            )

        rng = random.Random(seed)
        victims = ["worker", "server"] + (["nats"] if nats else [])
        plan = victims * KILLS_EACH
        rng.shuffle(plan)
        points = sorted(rng.sample(range(expected // 10, expected * 7 // 10), len(plan)))
        crashed: list[int] = []  # attempt ids in flight in a process when it was killed
        for victim, point in zip(plan, points, strict=True):
            assert _wait(lambda p=point: observed() >= p, 120), (  # type: ignore[misc]
                f"the fan-out stalled at {observed()} of {expected} before killing {victim}"
            )
            if victim == "nats":
                lose_store = rng.random() < 0.5  # as if NATS came back on a new machine
                kills.append(
                    f"nats@{observed()}{'(store lost)' if lose_store else ''}"
                    f" t={time.monotonic() - started:.1f}"
                )
                wire.kill_nats(fresh_store=lose_store)
                continue
            pid = wire.processes[victim].pid
            _wait(lambda p=pid: bool(_in_flight(db, p)), IN_FLIGHT_WAIT_S)  # type: ignore[misc]
            wire.kill(victim)
            in_flight = _in_flight(db, pid)
            crashed += in_flight
            kills.append(
                f"{victim}@{observed()}({len(in_flight)} in flight) t={time.monotonic() - started:.1f}"
            )
            wire.start(victim)
        last_kill = time.monotonic()
        assert _wait(lambda: _finished(db), DRAIN_TIMEOUT_S), (
            f"the outbox did not drain in {DRAIN_TIMEOUT_S} s after the last kill: "
            f"{_state_counts(db)}; processes' output is under {tmp_path}"
        )
        drained = time.monotonic() - last_kill
        assert wire.answering("server", "/login").status_code == 200
        if nats is not None:
            gateway = wire.answering("gateway", "/healthz")
            assert gateway.status_code == 200, "the stream gateway did not outlive the NATS kills"
        for role, process in wire.processes.items():
            assert process.poll() is None, f"newswire {role} exited; its log is under {tmp_path}"
    finally:
        wire.stop()
        receiver.stop()
        mail.stop()

    with db.session() as s:
        ids = set(s.scalars(select(Delivery.id).where(Delivery.release_id == release_id)))
        states = Counter(s.scalars(select(Delivery.state)))
        claimed = s.scalar(select(func.count()).where(Delivery.lease_owner.is_not(None)))
        open_tries = s.scalar(select(func.count()).where(Attempt.outcome == "sending"))
        crashed_now = Counter(
            s.scalars(select(Attempt.outcome).where(Attempt.id.in_(crashed))) if crashed else []
        )
    db.dispose()

    by_endpoint: defaultdict[str, list[str]] = defaultdict(list)
    for r in receiver.received:
        by_endpoint[r.path].append(r.headers["webhook-id"])
    for m in mail.handler.messages:
        header = BytesParser().parsebytes(m.data, headersonly=True)["Message-ID"]
        for address in m.rcpt_tos:
            by_endpoint[address].append(header.strip("<>").partition("@")[0])
    delivered = len(by_endpoint)
    duplicates = sum(len(got) - 1 for got in by_endpoint.values())
    lost = expected - delivered
    proof_figures(
        f"{backend}, seed {seed}: expected {expected} ({N} webhooks + {N} emails), "
        f"delivered {delivered}, duplicates {duplicates}, lost {lost}; kills: "
        f"{', '.join(kills)}; {len(crashed)} tries in flight at a kill, "
        f"{crashed_now['interrupted']} shown interrupted; time to drain {drained:.1f} s "
        f"after the last kill ({time.monotonic() - started:.0f} s in all)"
    )
    assert len(ids) == expected
    assert lost == 0, f"{lost} endpoint(s) or recipient(s) never got the release"
    mixed = {e: got for e, got in by_endpoint.items() if len(set(got)) > 1}
    assert not mixed, f"repeats with another id: {list(mixed.items())[:3]}"
    assert {got[0] for got in by_endpoint.values()} == ids  # the outbox's id, nothing else
    assert states == {"delivered": expected}, f"the outbox is not empty: {dict(states)}"
    assert claimed == 0 and open_tries == 0, f"{claimed} still claimed, {open_tries} tries open"
    assert crashed, "no kill caught a process with tries in flight: slow the receivers down"
    assert crashed_now == {"interrupted": len(crashed)}, (
        f"tries in flight at a kill now read {dict(crashed_now)}, not all 'interrupted'"
    )


class Wire:
    """The processes of one run by role (server, worker, gateway), and the NATS server."""

    def __init__(
        self,
        env: dict[str, str],
        *,
        server_port: int,
        gateway_port: int,
        logs: Path,
        nats: NatsServer | None,
    ) -> None:
        self.env = env
        self.server_port = server_port
        self.gateway_port = gateway_port
        self.logs = logs
        self.nats = nats
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, role: str) -> None:
        """Start `role` without waiting for it (the drain waits for everything)."""
        port = {"server": self.server_port, "gateway": self.gateway_port}.get(role)
        args = ["serve" if role == "server" else role] + (["--port", str(port)] if port else [])
        self.processes[role] = newswire_process(*args, env=self.env, log=self.logs / f"{role}.log")

    def answering(self, role: str, path: str) -> httpx.Response:
        """Once `role` (a server or gateway started earlier) answers, its answer at `path`."""
        port = self.server_port if role == "server" else self.gateway_port
        wait_answering(self.processes[role], f"http://127.0.0.1:{port}{path}")
        return httpx.get(f"http://127.0.0.1:{port}{path}", timeout=5)

    def kill(self, role: str) -> None:
        process = self.processes.pop(role)
        process.kill()  # SIGKILL: no cleanup, no goodbye
        process.wait(10)

    def kill_nats(self, *, fresh_store: bool) -> None:
        assert self.nats is not None
        self.nats.kill()
        time.sleep(0.5)  # long enough for every client to notice
        self.nats.start(fresh_store=fresh_store)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        self.processes.clear()
        if self.nats is not None:
            self.nats.kill()


def _environment(data: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "NEWSWIRE_DATA": str(data),
        "NEWSWIRE_WEBHOOK_ALLOW": "127.0.0.0/8",
        "NEWSWIRE_DELIVERY_LEASE_S": str(LEASE_S),
    }
    for name in ("DATABASE_URL", "NEWSWIRE_BUS_URL", "NEWSWIRE_TRUSTED_PROXIES"):
        env.pop(name, None)
    return env


def _fan_out_ready(db: Database, receiver: WebhookReceiver) -> str:
    """N partners with webhooks, N journalists by email, and one approved, published release
    that targets them all (set up in-process through the actions layer, for speed)."""
    world: World = make_world(db)
    people = [
        {
            "kind": "partner",
            "name": f"Partner {i}",
            "webhook_url": receiver.url(f"/p{i}"),
            "subscriptions": [{"industries": ["energy"]}],
        }
        for i in range(N)
    ] + [
        {
            "name": f"Journalist {i}",
            "email": f"j{i}@outlet{i % 7}.example",
            "languages": ["en"],
            "subscriptions": [{"industries": ["energy"]}],
        }
        for i in range(N)
    ]
    with db.session() as s:
        report = import_recipients(s, json.dumps(people).encode(), "json", source="crash suite")
        assert report.imported == 2 * N, report.problems[:3]
    now = outbox.utcnow()
    with db.session() as s:
        content = validate_release(release_payload(), now=now)
        release = actions.create_release(s, world.issuer, content, submit=True, now=now)
        actions.approve(s, world.editor, release.id, override_reason="crash suite", now=now)
        actions.publish(s, db.settings, world.editor, release.id, now=now)
        return release.id


def _in_flight(db: Database, pid: int) -> list[int]:
    """The attempts process `pid` has opened and not finished ("sending")."""
    with db.session() as s:
        return list(
            s.scalars(
                select(Attempt.id).where(
                    Attempt.outcome == "sending", Attempt.worker.like(f"%:{pid}:%")
                )
            )
        )


def _state_counts(db: Database) -> dict[str, int]:
    with db.session() as s:
        return outbox.state_counts(s)


def _finished(db: Database) -> bool:
    counts = _state_counts(db)
    return counts["pending"] == 0 and counts["sending"] == 0


def _wait(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()
