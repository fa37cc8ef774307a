"""The bus: tells delivery workers that there is work, and carries it to any number of them.

The outbox in the database is the truth; the bus only makes work start at once instead of at
the next poll. Two implementations share one interface: `InProcessBus` (the embedded default)
and `NatsBus` (NATS JetStream: a work-queue stream that workers on any number of machines
share). `notify` may be called from any thread, after the transaction that wrote the
deliveries has committed.
"""

from __future__ import annotations

from typing import Protocol


class Bus(Protocol):
    async def start(self) -> None: ...

    def notify(self, delivery_ids: list[str]) -> None: ...

    async def next_batch(self, timeout: float) -> list[str] | None: ...

    async def close(self) -> None: ...

    def announce_events(self) -> None: ...


_current: Bus | None = None


def install(bus: Bus | None) -> None:
    """Make `bus` the one this process notifies (None: nobody listens; workers poll)."""
    global _current
    _current = bus


def notify(delivery_ids: list[str]) -> None:
    if _current is not None and delivery_ids:
        _current.notify(delivery_ids)


def announce_events() -> None:
    """Tell stream gateways in other processes that the event log grew (after commit)."""
    if _current is not None:
        _current.announce_events()


def make_bus(url: str) -> Bus:
    if url.startswith("nats://"):
        from newswire.bus.nats import NatsBus

        return NatsBus(url)
    from newswire.bus.inprocess import InProcessBus

    return InProcessBus()
