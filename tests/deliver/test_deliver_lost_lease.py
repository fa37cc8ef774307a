"""A worker whose claim expired before its wave began (a slow wave, a busy database) and was
taken over by another worker does not send it too: the other one sends and records it, and
no try stays "sending" in the history."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select
from test_deliver_engine import Clock, add_partner, deliveries, publish, worker

from builders import World
from newswire.config import Settings
from newswire.deliver import outbox
from newswire.deliver.payloads import build_messages
from newswire.store.db import Database
from newswire.store.models import Attempt
from receivers import WebhookReceiver


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, webhook_allow=("127.0.0.0/8",))


def test_a_claim_taken_over_is_not_sent_twice(db: Database, world: World) -> None:
    receiver = WebhookReceiver().start()
    try:
        add_partner(db, "Partner", receiver.url("/hook"))
        clock = Clock()
        rid = publish(db, world, clock)
        late = worker(db, clock, name="late")
        with db.session() as s:  # "late" claims, then stalls past its lease
            claimed = outbox.claim(s, late.name, now=clock(), lease=timedelta(seconds=5))
            messages = build_messages(s, db.settings, claimed)["webhook"]
        clock.advance(seconds=30)
        assert asyncio.run(worker(db, clock, name="on-time").run_once()) == {"delivered": 1}
        assert asyncio.run(late._send_wave("webhook", messages)) == {}
    finally:
        receiver.stop()
    assert receiver.paths() == ["/hook"]
    [delivery] = deliveries(db, rid)
    with db.session() as s:
        tries = list(s.execute(select(Attempt.worker, Attempt.outcome)))
    assert (delivery.state, delivery.attempts) == ("delivered", 1)
    assert tries == [("on-time", "delivered")]
