"""Issue 15 defect 7: endpoints that hang must not hold up the healthy endpoints of their host.
140 healthy and 60 hanging endpoints share one host (one receiver, the URL paths tell them
apart); every healthy one is delivered while the hanging requests are still open, long before
any of them could time out."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

from test_deliver_engine import Clock, add_partner, deliveries, publish

from builders import World
from newswire.config import Settings
from newswire.deliver.setup import make_channels
from newswire.deliver.worker import DeliveryWorker
from newswire.store.db import Database
from receivers import FaultyReceiver

HEALTHY, HANGING = 140, 60


async def _until(condition, guard_s: float = 120.0) -> None:  # type: ignore[no-untyped-def]
    """Wait for `condition`; `guard_s` only keeps a broken build from waiting for ever."""
    deadline = time.monotonic() + guard_s
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        await asyncio.sleep(0.02)


def test_hanging_endpoints_do_not_hold_up_healthy_ones_of_the_same_host(
    db: Database, world: World, settings: Settings
) -> None:
    rx = FaultyReceiver().start()
    local = Database(replace(db.settings, webhook_allow=("127.0.0.0/8",)))
    ok_paths = []
    for i in range(HEALTHY + HANGING):  # interleaved, so every claimed round holds both
        fault = "hang" if i % 10 < 3 else "ok"
        add_partner(local, f"partner {i}", rx.url(f"/{fault}/{i}"))
        if fault == "ok":
            ok_paths.append(f"/ok/{i}")
    rid = publish(local, world, Clock())
    worker = DeliveryWorker(local, make_channels(local.settings), name="lanes")

    async def scenario() -> tuple[set[str], set[str], int, int]:
        sending = asyncio.create_task(worker.run_rounds())
        try:
            await _until(lambda: set(ok_paths) <= set(rx.paths("ok")))
            held, started = rx.open, len(set(rx.paths("hang")))
            # the hanging requests are still open: none has timed out or been recorded yet
            hung = {d.state for d in deliveries(local, rid) if "/hang/" in d.address}
            tried = {str(d.attempts) for d in deliveries(local, rid) if "/hang/" in d.address}
            rx.release()  # now the hanging endpoints answer, and everything is recorded
            await sending
            return hung, tried, held, started
        finally:
            sending.cancel()
            await worker.aclose()

    try:
        hung, tried, held, started = asyncio.run(scenario())
    finally:
        rx.stop()
    assert started >= 1 and held == started
    assert hung <= {"pending", "sending"} and tried == {"0"}
    final = deliveries(local, rid)
    assert {d.state for d in final} == {"delivered"}
    assert all(rx.paths("ok").count(p) == 1 for p in ok_paths)
    ids: dict[str, set[str]] = {}
    for r in rx.received:
        ids.setdefault(r.path, set()).add(r.headers["webhook-id"])
    assert len(ids) == HEALTHY + HANGING and all(len(v) == 1 for v in ids.values())
