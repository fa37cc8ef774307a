"""A webhook target that the SSRF guard refuses is a permanent failure that gives the guard's
reason: one attempt, never retried on the schedule, whether the URL itself is blocked or the
receiver redirects into a blocked address. Real receivers on loopback, a real worker."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest
from test_deliver_engine import Clock, add_partner, deliveries, publish, worker

from builders import World, sqlite_url
from newswire.config import Settings
from newswire.deliver import outbox
from newswire.store.db import Database
from receivers import WebhookReceiver

REFUSED = "refused by the SSRF guard"


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """About delivery outcomes, not the database: SQLite is enough."""
    return sqlite_url(request, tmp_path)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # no allow-list: loopback is refused, as in production
    return replace(settings, webhook_allow=(), base_url="https://newswire.example")


def _walk_the_schedule(db: Database, clock: Clock) -> None:
    for _ in range(12):  # 5 s, 5 min, 30 min, ... 24 h: every retry would be due by now
        clock.advance(hours=25)
        asyncio.run(worker(db, clock).run_once())


def test_a_blocked_url_fails_at_once_with_the_guards_reason_and_is_never_retried(
    db: Database, world: World
) -> None:
    receiver = WebhookReceiver().start()
    try:
        clock = Clock()
        add_partner(db, "Loopback", receiver.url("/hook"))
        add_partner(db, "Named loopback", f"http://localhost:{receiver.port}/hook")
        rid = publish(db, world, clock)
        assert asyncio.run(worker(db, clock).run_once()) == {"failed": 2}
        _walk_the_schedule(db, clock)
        reasons = {d.address: (d.state, d.attempts, d.last_result) for d in deliveries(db, rid)}
        assert reasons == {
            receiver.url("/hook"): ("failed", 1, f"{REFUSED}: 127.0.0.1 is not a public address"),
            f"http://localhost:{receiver.port}/hook": (
                "failed",
                1,
                f"{REFUSED}: localhost resolves to 127.0.0.1, not a public address",
            ),
        }
        with db.session() as s:
            report = outbox.report(s, rid)
            assert outbox.dead_letters(s) == []
        assert (report["failed"], report["attempts"], report["pending"]) == (2, 2, 0)
        assert receiver.received == []
    finally:
        receiver.stop()


REDIRECTS = {
    "/to-metadata": "http://169.254.169.254/latest/meta-data/",
    "/to-private": "http://10.0.0.7:8080/admin",
    "/to-loopback-v6": "http://[::1]/",
    "/to-mapped": "https://[::ffff:192.168.1.1]/",
}


def test_a_redirect_into_a_blocked_address_fails_for_good_with_the_reason(
    db: Database, world: World
) -> None:
    def behaviour(path: str) -> tuple[int, float, dict[str, str]]:
        if path in REDIRECTS:
            return 307 if "v6" in path else 302, 0, {"Location": REDIRECTS[path]}
        if path == "/moved":  # a redirect to a public address: an ordinary, retried answer
            return 302, 0, {"Location": "https://93.184.215.14/hook"}
        return 204, 0, {}

    receiver = WebhookReceiver(behaviour=behaviour).start()
    # the worker may reach the receiver on loopback, nothing else that is private
    reaching = Database(replace(db.settings, webhook_allow=("127.0.0.0/8",)))
    try:
        clock = Clock()
        for path in [*REDIRECTS, "/moved"]:
            add_partner(db, path, receiver.url(path))
        rid = publish(db, world, clock)
        assert asyncio.run(worker(reaching, clock).run_once()) == {"failed": 4, "pending": 1}
        _walk_the_schedule(reaching, clock)
        by_path = {d.address.rsplit("/", 1)[1]: d for d in deliveries(db, rid)}
        for path, target in REDIRECTS.items():
            d = by_path[path.lstrip("/")]
            assert (d.state, d.attempts) == ("failed", 1), path
            assert d.last_result.startswith("30") and REFUSED in d.last_result, d.last_result
            assert f"redirect to {target}" in d.last_result
        assert by_path["moved"].state == "dead" and by_path["moved"].attempts == 10
        assert receiver.paths().count("/to-metadata") == 1
    finally:
        reaching.dispose()
        receiver.stop()
