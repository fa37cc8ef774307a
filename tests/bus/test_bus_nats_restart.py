"""A NATS server that is killed and comes back (with its store, or without it as on a new
machine): the processes connected to it carry on without being restarted."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from nats_process import NatsServer
from newswire.bus.nats import NatsBus

PORT = 19490  # this suite's own nats-server (not the shared one)


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    server = NatsServer(PORT, tmp_path / "nats-store").start()
    yield server
    server.kill()


async def _received(worker: NatsBus, timeout: float = 10.0) -> list[str]:
    got: list[str] = []
    deadline = asyncio.get_running_loop().time() + timeout
    while not got and asyncio.get_running_loop().time() < deadline:
        got += await worker.next_batch(timeout=0.5) or []
    return got


@pytest.mark.parametrize("fresh_store", [False, True], ids=["same-store", "store-lost"])
def test_wakeups_resume_after_nats_restarts(nats_server: NatsServer, fresh_store: bool) -> None:
    async def scenario() -> list[list[str]]:
        publisher, worker = NatsBus(nats_server.url), NatsBus(nats_server.url)
        await publisher.start()
        await worker.start()
        try:
            await publisher.publish(["before"])
            before = await _received(worker)
            nats_server.kill()
            assert await worker.next_batch(timeout=0.3) is None  # down: nothing, no error
            nats_server.start(fresh_store=fresh_store)
            after: list[str] = []
            for attempt in range(40):  # publishing works once the client has reconnected
                try:
                    await publisher.publish([f"after-{attempt}"])
                    break
                except Exception:
                    await asyncio.sleep(0.25)
            after = await _received(worker)
            return [before, after]
        finally:
            await publisher.close()
            await worker.close()

    before, after = asyncio.run(scenario())
    assert before == ["before"]
    assert len(after) == 1 and after[0].startswith("after-"), after
