"""The broadcaster behind the terminal streams: each committed event reaches every matching
subscriber once and in log order, whether the committing transaction handed it over or it was
read back from the log; subscribers with the same filter are served as one group."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

from builders import World, release_payload
from newswire.actions import releases as actions
from newswire.channels.streams import Broadcaster, Event, StreamFilter, replay
from newswire.intake import validate_release
from newswire.publish import events
from newswire.store.db import Database


def publish(db: Database, world: World, headline: str, **overrides: object) -> str:
    now = datetime.now(UTC)
    with db.session() as s:
        content = validate_release(release_payload(headline=headline, **overrides), now=now)
        release = actions.create_release(s, world.issuer, content, submit=True, now=now)
        actions.approve(s, world.editor, release.id, override_reason="test", now=now)
        actions.publish(s, db.settings, world.editor, release.id, now=now)
        return release.id


def seqs(items: Sequence[Event | None]) -> list[int]:
    return [e.seq for e in items if e is not None]


async def settled(broadcaster: Broadcaster) -> None:
    """Let the loop run what notify() scheduled, and any read of the log it started."""
    for _ in range(50):
        await asyncio.sleep(0.01)
        await broadcaster.pump()


def test_a_commit_hands_its_events_to_every_matching_subscriber_once(
    db: Database, world: World
) -> None:
    async def scenario() -> tuple[list[int], list[int], list[int], int]:
        broadcaster = Broadcaster(db)
        await broadcaster.start()
        everything = broadcaster.subscribe(StreamFilter())
        wind = broadcaster.subscribe(StreamFilter.parse(["energy"], [], [], []))
        also_wind = broadcaster.subscribe(StreamFilter.parse(["energy"], [], [], []))
        events.listeners.append(broadcaster.notify)
        try:
            await asyncio.to_thread(publish, db, world, "Acme Commissions a Wind Farm")
            await asyncio.to_thread(
                publish, db, world, "Harbor Bank Reports Profit", industries=["banking"]
            )
            await settled(broadcaster)
        finally:
            events.listeners.remove(broadcaster.notify)
        assert wind.flt is also_wind.flt  # one filter object for the group
        assert len(broadcaster.groups) == 2
        return (
            seqs(everything.take()),
            seqs(wind.take()),
            seqs(also_wind.take()),
            broadcaster.seen,
        )

    everything, wind, also_wind, seen = asyncio.run(scenario())
    logged, _ = replay(db, 0, StreamFilter())
    assert everything == [e.seq for e in logged] and seen == logged[-1].seq
    assert wind == also_wind == [logged[0].seq]


def test_events_that_do_not_follow_on_are_read_from_the_log_instead(
    db: Database, world: World
) -> None:
    """A hand-over with a gap before it (another process committed in between), or from
    another database, is not trusted: the broadcaster reads what is new from the log."""
    first = publish(db, world, "Acme Commissions a Wind Farm")
    second = publish(db, world, "Acme Signs a Supply Deal")
    logged, _ = replay(db, 0, StreamFilter())
    assert [e.release_id for e in logged] == [first, second]

    async def scenario() -> tuple[list[int], list[int]]:
        broadcaster = Broadcaster(db)
        await broadcaster.start()
        broadcaster._seen = 0  # as if it had started before both were committed
        subscriber = broadcaster.subscribe(StreamFilter())
        broadcaster.notify([logged[1]], db.engine.url.render_as_string(hide_password=False))
        await settled(broadcaster)
        got = seqs(subscriber.take())
        stranger = Broadcaster(db)
        await stranger.start()
        stranger._seen = 0
        other = stranger.subscribe(StreamFilter())
        foreign = Event(1, "foreign", 1, "original", "globex", {}, "{}", "<x/>")
        stranger.notify([foreign], "sqlite:////elsewhere/newswire.db")
        await settled(stranger)
        return got, [e.release_id for e in other.take() if e is not None]

    got, other = asyncio.run(scenario())
    assert got == [e.seq for e in logged]  # both, in order, though only the second was handed
    assert other == [first, second]  # its own log's events, not the other database's
