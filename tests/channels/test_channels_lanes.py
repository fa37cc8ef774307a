"""Per-host lanes (newswire.channels.lanes): the per-endpoint limit, and the demotion of a slow
endpoint out of the healthy lane while its request is still in flight."""

from __future__ import annotations

import asyncio

from newswire.channels.base import Outcome, Receipt
from newswire.channels.lanes import HostLanes, LaneSettings


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_one_endpoint_has_at_most_two_requests_in_flight() -> None:
    async def scenario() -> int:
        lanes = HostLanes(LaneSettings(per_host=16, per_endpoint=2))
        in_flight = most = 0

        async def request() -> Receipt:
            nonlocal in_flight, most
            in_flight += 1
            most = max(most, in_flight)
            await asyncio.sleep(0.01)
            in_flight -= 1
            return Receipt("d", Outcome.DELIVERED, 204, 10.0)

        await asyncio.gather(*(lanes.run("http://h/a", request) for _ in range(8)))
        return most

    assert asyncio.run(scenario()) == 2


def test_a_hanging_request_gives_its_healthy_slot_back_and_its_endpoint_is_demoted() -> None:
    async def scenario() -> tuple[list[str], list[str]]:
        clock = FakeClock()
        settings = LaneSettings(per_host=1, slow_per_host=1, slow_floor_s=0.05, demotion_s=600)
        lanes = HostLanes(settings, clock)
        hang = asyncio.Event()
        done: list[str] = []

        async def hanging() -> Receipt:
            await hang.wait()
            return Receipt("h", Outcome.RETRY, detail="timeout: no answer")

        async def healthy() -> Receipt:
            done.append("healthy")
            return Receipt("ok", Outcome.DELIVERED, 204, 1.0)

        stuck = asyncio.create_task(lanes.run("http://h/hang", hanging))
        await asyncio.sleep(0)  # the hanging request holds the only healthy slot
        # the healthy endpoint gets the slot once the hanging one passes the slow mark
        await asyncio.wait_for(lanes.run("http://h/ok", healthy), timeout=30)
        demoted_while_hanging = lanes.demoted()
        hang.set()
        await stuck
        clock.now += 601  # the demotion has run out
        return demoted_while_hanging, lanes.demoted()

    during, after = asyncio.run(scenario())
    assert during == ["http://h/hang"]
    assert after == []
