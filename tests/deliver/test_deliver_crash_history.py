"""After kill -9 of a worker mid fan-out, the history is true (every request an endpoint got
is an attempt on record) and only the deliveries in flight at the kill go out twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import select
from test_deliver_engine import Clock, publish
from test_deliver_resilience import _partners, _wait

from builders import make_world
from newswire.audience.importing import import_recipients
from newswire.config import load_settings
from newswire.deliver import outbox
from newswire.deliver.worker import DeliveryWorker
from newswire.store.db import Database
from newswire.store.models import Attempt, Delivery
from receivers import WebhookReceiver

ENDPOINTS = 200
WAVE = DeliveryWorker.__init__.__kwdefaults__["wave"]


def test_a_crash_mid_fanout_keeps_a_true_history(tmp_path: Path) -> None:
    receiver = WebhookReceiver(behaviour=lambda _p: (204, 0.05, {})).start()
    data = tmp_path / "data"
    env = {
        **os.environ,
        "NEWSWIRE_DATA": str(data),
        "NEWSWIRE_WEBHOOK_ALLOW": "127.0.0.0/8",
        "NEWSWIRE_DELIVERY_LEASE_S": "2",
    }
    env.pop("DATABASE_URL", None)
    db = Database(load_settings(data, webhook_allow=("127.0.0.0/8",)))
    db.upgrade()
    world = make_world(db)
    with db.session() as s:
        imported = import_recipients(s, _partners(ENDPOINTS, receiver.url), "json", source="t")
        assert imported.imported == ENDPOINTS
    rid = publish(db, world, Clock())
    command = [sys.executable, "-c", "from newswire.cli import main; main()", "worker"]
    try:
        first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        assert _wait(lambda: len(receiver.received) >= 40, 60), "the worker never got going"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        assert len(receiver.received) < ENDPOINTS, "the fan-out finished before the kill"
        second = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        try:
            assert _wait(lambda: len({r.path for r in receiver.received}) == ENDPOINTS, 60)
            with db.session() as s:
                assert _wait(lambda: outbox.report(s, rid)["delivered"] == ENDPOINTS, 30)
        finally:
            second.terminate()
            second.wait(10)
    finally:
        receiver.stop()
    got = Counter(r.headers["webhook-id"] for r in receiver.received)
    with db.session() as s:
        rows = s.execute(
            select(Attempt.delivery_id, Attempt.outcome, Attempt.number).join(Delivery)
        ).all()
        tried = {d.id: d.attempts for d in s.scalars(select(Delivery))}
        report = outbox.report(s, rid)
    recorded = Counter(delivery for delivery, _outcome, _number in rows)
    untrue = [d for d, times in got.items() if recorded[d] < times]
    assert not untrue, f"{len(untrue)} endpoint(s) got more requests than the history shows"
    assert all(tried[d] == recorded[d] for d in recorded)  # the count matches the rows
    assert report["attempts"] >= sum(got.values())
    twice = [d for d, times in got.items() if times > 1]
    assert len(twice) <= WAVE, f"{len(twice)} went out twice; at most one wave was in flight"
    assert {outcome for _d, outcome, _n in rows} <= {"delivered", "interrupted"}
