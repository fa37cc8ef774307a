"""Delivery end to end on the embedded default: the outbox written at publish, workers that send
through real receivers, receipts, retries on the schedule, dead letters, ordering, leases."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from standardwebhooks import Webhook

from builders import World, release_payload
from newswire.actions import releases as actions
from newswire.audience.inputs import RecipientInput
from newswire.audience.recipients import create_recipient
from newswire.channels.mailfolder import list_messages
from newswire.config import Settings
from newswire.deliver import outbox
from newswire.deliver.setup import make_channels
from newswire.deliver.worker import DeliveryWorker
from newswire.intake import validate_release
from newswire.store.db import Database
from newswire.store.models import Delivery, Endpoint
from receivers import WebhookReceiver


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    from dataclasses import replace

    # RFC 8058 one-click needs an HTTPS unsubscribe URL
    return replace(settings, webhook_allow=("127.0.0.0/8",), base_url="https://newswire.example")


@pytest.fixture
def receiver():
    r = WebhookReceiver().start()
    yield r
    r.stop()


def add_partner(db: Database, name: str, url: str, industries=("energy",)) -> str:
    data = RecipientInput.model_validate(
        {
            "kind": "partner",
            "name": name,
            "webhook_url": url,
            "subscriptions": [{"industries": list(industries)}],
        }
    )
    with db.session() as s:
        recipient, _ = create_recipient(s, data, source="test", confirmed=True)
        endpoint = s.query(Endpoint).filter_by(recipient_id=recipient.id).one()
        return endpoint.settings["secrets"][0]


def add_journalist(db: Database, name: str, email: str, industries=("energy",)) -> None:
    data = RecipientInput.model_validate(
        {
            "name": name,
            "email": email,
            "languages": ["en"],
            "subscriptions": [{"industries": list(industries)}],
        }
    )
    with db.session() as s:
        create_recipient(s, data, source="test", confirmed=True)


def publish(db: Database, world: World, clock: Clock, **overrides: object) -> str:
    with db.session() as s:
        content = validate_release(release_payload(**overrides), now=clock())
        release = actions.create_release(s, world.issuer, content, submit=True, now=clock())
        actions.approve(
            s, world.editor, release.id, override_reason="tests reuse one sample", now=clock()
        )
        actions.publish(s, db.settings, world.editor, release.id, now=clock())
        return release.id


def worker(db: Database, clock: Clock, name: str = "w1") -> DeliveryWorker:
    return DeliveryWorker(db, make_channels(db.settings), name=name, clock=clock)


def deliveries(db: Database, release_id: str) -> list[Delivery]:
    with db.session() as s:
        return list(s.query(Delivery).filter_by(release_id=release_id).order_by(Delivery.address))


def test_a_published_release_reaches_every_target_signed_and_once(
    db: Database, world: World, receiver: WebhookReceiver
) -> None:
    clock = Clock()
    secrets = {
        path: add_partner(db, f"Partner {path}", receiver.url(path)) for path in ("/a", "/b", "/c")
    }
    add_partner(db, "Banking", receiver.url("/bank"), industries=("banking",))
    add_journalist(db, "Jana Becker", "jana@example.org")
    rid = publish(db, world, clock)

    queued = deliveries(db, rid)
    assert len(queued) == 4 and {d.state for d in queued} == {"pending"}
    assert all(d.id == outbox.delivery_id(rid, 1, d.endpoint_id) for d in queued)

    done = asyncio.run(worker(db, clock).drain())
    assert done == {"delivered": 4}
    assert sorted(receiver.paths()) == ["/a", "/b", "/c"]
    for hit in receiver.received:
        payload = Webhook(secrets[hit.path]).verify(hit.body, hit.headers)
        assert payload["uri"] == f"urn:newswire:release:{rid}"
        assert hit.headers["webhook-id"] == outbox.delivery_id(
            rid, 1, next(d.endpoint_id for d in queued if d.address.endswith(hit.path))
        )
    [mail] = list_messages(db.settings.mail_dir)
    message = message_from_bytes(mail.read_bytes())
    assert message["To"] == "Jana Becker <jana@example.org>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith("<https://newswire.example/unsubscribe/")
    assert "Jana Becker" in mail.read_text(errors="replace")

    assert asyncio.run(worker(db, clock).drain()) == {}  # nothing twice
    report = json.loads(json.dumps(outbox_report(db, rid), default=str))
    assert (
        report["targets"] == 4
        and report["delivered"] == 4
        and report["by_channel"]["webhook"] == {"delivered": 3}
    )


def outbox_report(db: Database, rid: str) -> dict:
    with db.session() as s:
        return outbox.report(s, rid)


def test_failures_follow_the_retry_schedule_and_end_dead_or_disabled(
    db: Database, world: World
) -> None:
    def behaviour(path: str) -> tuple[int, float, dict[str, str]]:
        return {
            "/flaky": (500, 0, {}),
            "/gone": (410, 0, {}),
            "/bad": (400, 0, {}),
            "/busy": (429, 0, {"Retry-After": "120"}),
        }.get(path, (204, 0, {}))

    receiver = WebhookReceiver(behaviour=behaviour).start()
    try:
        clock = Clock()
        for path in ("/ok", "/flaky", "/gone", "/bad", "/busy"):
            add_partner(db, path, receiver.url(path))
        rid = publish(db, world, clock)
        assert asyncio.run(worker(db, clock).run_once()) == {
            "delivered": 1,
            "pending": 2,
            "failed": 2,
        }
        states = {d.address.rsplit("/", 1)[1]: d for d in deliveries(db, rid)}
        assert states["busy"].next_attempt_at - clock() >= timedelta(
            seconds=120
        )  # Retry-After honoured
        with db.session() as s:
            assert s.get(Endpoint, states["gone"].endpoint_id).active is False  # 410 disables

        for _ in range(12):  # walk the whole schedule: 5 s, 5 min, 30 min, ... 24 h
            clock.advance(hours=25)
            asyncio.run(worker(db, clock).run_once())  # a fresh worker: breakers start closed
        states = {d.address.rsplit("/", 1)[1]: d for d in deliveries(db, rid)}
        assert states["flaky"].state == "dead" and states["busy"].state == "dead"
        assert states["flaky"].attempts == 10
        assert receiver.paths().count("/ok") == 1

        with db.session() as s:
            assert {d.id for d in outbox.dead_letters(s)} == {states["flaky"].id, states["busy"].id}
            assert outbox.replay(s, [states["flaky"].id], now=clock()) == 1
        assert deliveries(db, rid)[1].state in ("pending", "dead")
    finally:
        receiver.stop()


def test_a_correction_never_arrives_before_the_original(
    db: Database, world: World, receiver: WebhookReceiver
) -> None:
    clock = Clock()
    add_partner(db, "Early", receiver.url("/early"))
    rid = publish(db, world, clock)
    add_partner(db, "Late", receiver.url("/late"))
    with db.session() as s:
        content = validate_release(release_payload(subheadline="Corrected figure"), now=clock())
        actions.correct(s, db.settings, world.editor, rid, content, "figure", now=clock())

    with db.session() as s:
        claimed = outbox.claim(s, "w", now=clock())
        assert {(d.address.rsplit("/", 1)[1], d.version_number) for d in claimed} == {
            ("early", 1),
            ("late", 2),
        }
    clock.advance(minutes=5)  # the lease expires; the original goes out first
    asyncio.run(worker(db, clock).drain())
    early = [json.loads(r.body)["version"] for r in receiver.received if r.path == "/early"]
    assert early == ["1", "2"]

    with db.session() as s:
        actions.retract(s, db.settings, world.admin, rid, "withdrawn", now=clock())
    asyncio.run(worker(db, clock).drain())
    retractions = [
        json.loads(r.body) for r in receiver.received if json.loads(r.body)["version"] == "3"
    ]
    assert sorted(r["pubstatus"] for r in retractions) == ["canceled", "canceled"]


def test_an_expired_lease_is_taken_over_so_nothing_stays_in_flight(
    db: Database, world: World, receiver: WebhookReceiver
) -> None:
    clock = Clock()
    add_partner(db, "P", receiver.url("/p"))
    rid = publish(db, world, clock)
    with db.session() as s:
        assert len(outbox.claim(s, "crashed-worker", now=clock())) == 1
    with db.session() as s:
        assert outbox.claim(s, "other", now=clock()) == []  # still leased
    clock.advance(minutes=3)
    assert asyncio.run(worker(db, clock, "survivor").drain()) == {"delivered": 1}
    assert deliveries(db, rid)[0].state == "delivered"


def test_nothing_is_enqueued_for_digest_only_or_unsubscribed_recipients(
    db: Database, world: World, receiver: WebhookReceiver
) -> None:
    clock = Clock()
    data = RecipientInput.model_validate(
        {
            "name": "Digest",
            "email": "digest@example.org",
            "subscriptions": [{"industries": ["energy"], "frequency": "digest"}],
        }
    )
    with db.session() as s:
        create_recipient(s, data, source="test", confirmed=True)
    rid = publish(db, world, clock)
    assert deliveries(db, rid) == []


def test_mail_folder_is_used_when_no_smtp_server_is_configured(
    db: Database, tmp_path: Path
) -> None:
    channels = make_channels(db.settings)
    assert type(channels["email"]).__name__ == "MailFolderChannel"
