"""The WebSub hub against a real subscriber (aiohttp on loopback, in its own thread), after the
websub.rocks hub tests 100-106: subscription, secrets, extra parameters, renewal,
unsubscription, content types; plus denials, failed verifications, leases, 410 and bad input.

The hub answers 202 and verifies in a background task; the test client returns only once that
task has run, so each request's verification is over when `subscribe` returns. Content goes out
through the delivery engine: the tests publish a release, then drain a worker directly."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from builders import World, release_payload, sqlite_url
from newswire.actions import editions
from newswire.actions import releases as actions
from newswire.audience import websub
from newswire.config import Settings
from newswire.deliver.fanout import distribute_edition
from newswire.deliver.setup import make_channels
from newswire.deliver.worker import DeliveryWorker
from newswire.intake import validate_release
from newswire.store.db import Database
from newswire.store.models import Delivery, Endpoint, Recipient, Release
from newswire.translate.engines import EngineRegistry
from receivers import WebSubSubscriber as Subscriber

HUB = "http://testserver/websub"
ENERGY = "http://testserver/feeds/industry/energy.atom"


# --- fixtures and helpers -----------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """These are about behaviour, not the database: SQLite is enough."""
    return sqlite_url(request, tmp_path)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, webhook_allow=("127.0.0.0/8",))


def make_client(settings: Settings) -> TestClient:
    from newswire.web.app import create_app
    from newswire.web.feeds import websub as websub_web

    app = create_app(settings, run_scheduler=False)
    if not any(getattr(r, "path", None) == "/websub" for r in app.routes):
        app.include_router(websub_web.router)
    return TestClient(app)


@pytest.fixture
def hub(settings: Settings, db: Database) -> Iterator[TestClient]:
    with make_client(settings) as client:
        yield client


@pytest.fixture
def subscriber() -> Iterator[Subscriber]:
    s = Subscriber().start()
    yield s
    s.stop()


def subscribe(hub: TestClient, callback: str, topic: str = ENERGY, **extra: str) -> Any:
    response = hub.post(
        "/websub", data={"hub.mode": "subscribe", "hub.topic": topic, "hub.callback": callback}
        | extra,
    )  # fmt: skip
    assert response.status_code == 202, response.text
    return response


def publish(db: Database, world: World, clock: Clock, **overrides: object) -> str:
    with db.session() as s:
        content = validate_release(release_payload(**overrides), now=clock())
        release = actions.create_release(s, world.issuer, content, submit=True, now=clock())
        actions.approve(
            s, world.editor, release.id, override_reason="tests reuse one sample", now=clock()
        )
        actions.publish(s, db.settings, world.editor, release.id, now=clock())
        return release.id


def deliver(db: Database, clock: Clock) -> dict[str, int]:
    async def run() -> dict[str, int]:
        worker = DeliveryWorker(db, make_channels(db.settings), name="w1", clock=clock)
        try:
            return dict(await worker.drain())
        finally:
            await worker.aclose()

    return asyncio.run(run())


def subscriptions(db: Database) -> list[Endpoint]:
    with db.session() as s:
        return list(s.query(Endpoint).filter_by(channel="websub").order_by(Endpoint.id))


def websub_deliveries(db: Database) -> list[Delivery]:
    with db.session() as s:
        return list(s.query(Delivery).filter_by(channel="websub"))


def links(header: str) -> dict[str, str]:
    out = {}
    for part in header.split(","):
        target, _, rel = part.partition(";")
        out[rel.strip().removeprefix("rel=").strip('"')] = target.strip().strip("<>")
    return out


# --- 100: a typical subscription ------------------------------------------------------------------


def test_100_typical_subscription_is_verified_and_receives_content(
    hub: TestClient, db: Database, world: World, subscriber: Subscriber
) -> None:
    callback = subscriber.url("/cb/100")
    response = subscribe(hub, callback)
    assert response.status_code == 202

    [check] = subscriber.gets_to("/cb/100")
    assert check["hub.mode"] == "subscribe"
    assert check["hub.topic"] == ENERGY
    assert len(check["hub.challenge"]) >= 20
    assert int(check["hub.lease_seconds"]) == websub.DEFAULT_LEASE_S

    [endpoint] = subscriptions(db)
    assert endpoint.address == callback and endpoint.active
    assert endpoint.settings["topic"] == ENERGY and endpoint.settings["verified"] is True
    with db.session() as s:
        recipient = s.get(Recipient, endpoint.recipient_id)
        assert recipient is not None
        assert (recipient.kind, recipient.name, recipient.status) == (
            "partner",
            "127.0.0.1",
            "active",
        )
        assert recipient.consent_source == "websub subscription"

    clock = Clock()
    rid = publish(db, world, clock)
    assert deliver(db, clock) == {"delivered": 1}
    [post] = subscriber.posts_to("/cb/100")
    assert post.headers["Content-Type"].startswith("application/atom+xml")
    assert links(post.headers["Link"]) == {"hub": HUB, "self": ENERGY}
    assert "X-Hub-Signature" not in post.headers
    text = post.body.decode()
    assert "<feed" in text and f"urn:newswire:release:{rid}" in text
    assert "Nordlicht" in text
    # the same document as the topic URL serves
    assert hub.get("/feeds/industry/energy.atom").content == post.body

    assert deliver(db, clock) == {}  # nothing twice


def test_content_reaches_only_subscribers_whose_topic_shows_the_release(
    hub: TestClient, db: Database, world: World, subscriber: Subscriber
) -> None:
    subscribe(hub, subscriber.url("/energy"))
    subscribe(hub, subscriber.url("/banking"), "http://testserver/feeds/industry/banking.atom")
    subscribe(hub, subscriber.url("/acme"), "http://testserver/feeds/releases.atom?issuer=acme")
    subscribe(hub, subscriber.url("/globex"), "http://testserver/feeds/issuer/globex.atom")
    assert len(subscriptions(db)) == 4
    clock = Clock()
    publish(db, world, clock)
    assert deliver(db, clock) == {"delivered": 2}
    assert sorted(h.path for h in subscriber.posts) == ["/acme", "/energy"]


def test_one_callback_can_subscribe_to_several_topics(
    hub: TestClient, db: Database, world: World, subscriber: Subscriber
) -> None:
    callback = subscriber.url("/multi")
    subscribe(hub, callback)
    subscribe(hub, callback, "http://testserver/feeds/region/DE.rss")
    assert [e.settings["topic"] for e in subscriptions(db)] == [
        ENERGY,
        "http://testserver/feeds/region/DE.rss",
    ]
    clock = Clock()
    publish(db, world, clock)
    assert deliver(db, clock) == {"delivered": 2}
    selves = sorted(links(h.headers["Link"])["self"] for h in subscriber.posts_to("/multi"))
    assert selves == ["http://testserver/feeds/industry/energy.atom", selves[1]]
    assert selves[1].endswith("/feeds/region/DE.rss")


# --- 101: a subscription with a secret ------------------------------------------------------------


def test_101_content_is_signed_with_the_subscription_secret(
    hub: TestClient, db: Database, world: World, subscriber: Subscriber
) -> None:
    secret = "s3cret-for-websub-101"
    subscribe(hub, subscriber.url("/cb/101"), **{"hub.secret": secret})
    assert subscriptions(db)[0].settings["secret"] == secret
    clock = Clock()
    publish(db, world, clock)
    assert deliver(db, clock) == {"delivered": 1}
    [post] = subscriber.posts_to("/cb/101")
    method, _, signature = post.headers["X-Hub-Signature"].partition("=")
    assert method == "sha256"
    expected = hmac.new(secret.encode(), post.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(signature, expected)
    wrong = hmac.new(b"another secret", post.body, hashlib.sha256).hexdigest()
    assert signature != wrong


# --- 102: extra parameters are ignored ------------------------------------------------------------


def test_102_extra_parameters_are_ignored(
    hub: TestClient, db: Database, world: World, subscriber: Subscriber
) -> None:
    subscribe(
        hub,
        subscriber.url("/cb/102"),
        **{"foo": "bar", "hub.extra": "1", "hub.verify": "sync", "utm_source": "x"},
    )
    [check] = subscriber.gets_to("/cb/102")
    assert set(check) == {"hub.mode", "hub.topic", "hub.challenge", "hub.lease_seconds"}
    assert len(subscriptions(db)) == 1
    clock = Clock()
    publish(db, world, clock)
    assert deliver(db, clock) == {"delivered": 1}


# --- 103: re-subscribing renews the lease ---------------------------------------------------------


def test_103_resubscribing_renews_the_lease_and_replaces_the_secret(
    hub: TestClient, db: Database, world: World, subscriber: Subscriber
) -> None:
    callback = subscriber.url("/cb/103")
    subscribe(hub, callback, **{"hub.lease_seconds": "3600", "hub.secret": "old"})
    [first] = subscriptions(db)
    first_expiry = websub.lease_expires_at(first)
    assert first.settings["lease_seconds"] == 3600

    subscribe(hub, callback, **{"hub.lease_seconds": "86400", "hub.secret": "new"})
    [renewed] = subscriptions(db)
    assert renewed.id == first.id  # the same subscription, renewed
    assert renewed.settings["lease_seconds"] == 86400
    assert renewed.settings["secret"] == "new"
    renewed_expiry = websub.lease_expires_at(renewed)
    assert first_expiry is not None and renewed_expiry is not None
    assert renewed_expiry - first_expiry > timedelta(hours=22)
    assert [q["hub.lease_seconds"] for q in subscriber.gets_to("/cb/103")] == ["3600", "86400"]

    # past the first lease, still subscribed; signed with the new secret
    clock = Clock()
    clock.advance(hours=2)
    publish(db, world, clock)
    assert deliver(db, clock) == {"delivered": 1}
    [post] = subscriber.posts_to("/cb/103")
    expected = hmac.new(b"new", post.body, hashlib.sha256).hexdigest()
    assert post.headers["X-Hub-Signature"] == f"sha256={expected}"


def test_lease_seconds_are_clamped(hub: TestClient, db: Database, subscriber: Subscriber) -> None:
    subscribe(hub, subscriber.url("/short"), **{"hub.lease_seconds": "5"})
    subscribe(hub, subscriber.url("/long"), **{"hub.lease_seconds": "999999999"})
    subscribe(hub, subscriber.url("/junk"), **{"hub.lease_seconds": "soon"})
    asked = {h.path: h.query["hub.lease_seconds"] for h in subscriber.gets}
    assert asked == {
        "/short": str(websub.MIN_LEASE_S),
        "/long": str(websub.MAX_LEASE_S),
        "/junk": str(websub.DEFAULT_LEASE_S),
    }


def test_an_expired_lease_gets_no_more_content(
    hub: TestClient, db: Database, world: World, subscriber: Subscriber
) -> None:
    subscribe(hub, subscriber.url("/cb/lease"), **{"hub.lease_seconds": "3600"})
    clock = Clock()
    clock.advance(minutes=30)
    publish(db, world, clock, headline="Within the lease")
    assert deliver(db, clock) == {"delivered": 1}
    clock.advance(hours=1)
    publish(db, world, clock, headline="After the lease")
    assert len(websub_deliveries(db)) == 1
    assert deliver(db, clock) == {}
    assert len(subscriber.posts_to("/cb/lease")) == 1


# --- 104: unsubscribe -----------------------------------------------------------------------------


def test_104_unsubscribe_is_verified_and_stops_content(
    hub: TestClient, db: Database, world: World, subscriber: Subscriber
) -> None:
    callback = subscriber.url("/cb/104")
    subscribe(hub, callback)
    response = hub.post(
        "/websub",
        data={"hub.mode": "unsubscribe", "hub.topic": ENERGY, "hub.callback": callback},
    )
    assert response.status_code == 202
    checks = subscriber.gets_to("/cb/104")
    assert [q["hub.mode"] for q in checks] == ["subscribe", "unsubscribe"]
    assert "hub.lease_seconds" not in checks[1] and checks[1]["hub.challenge"]
    [endpoint] = subscriptions(db)
    assert endpoint.active is False
    clock = Clock()
    publish(db, world, clock)
    assert websub_deliveries(db) == []
    assert deliver(db, clock) == {}
    assert subscriber.posts == []


def test_an_unverified_unsubscribe_leaves_the_subscription(
    hub: TestClient, db: Database, world: World, subscriber: Subscriber
) -> None:
    callback = subscriber.url("/cb/keep")
    subscribe(hub, callback)
    subscriber.verify["/cb/keep"] = "404"  # someone else asks to unsubscribe it
    hub.post(
        "/websub",
        data={"hub.mode": "unsubscribe", "hub.topic": ENERGY, "hub.callback": callback},
    )
    assert subscriptions(db)[0].active is True
    clock = Clock()
    publish(db, world, clock)
    assert deliver(db, clock) == {"delivered": 1}


def test_a_correction_reaches_the_subscribers_of_the_original(
    hub: TestClient, db: Database, world: World, subscriber: Subscriber
) -> None:
    subscribe(hub, subscriber.url("/cb/fix"))
    clock = Clock()
    rid = publish(db, world, clock)
    assert deliver(db, clock) == {"delivered": 1}
    with db.session() as s:
        content = validate_release(release_payload(headline="Corrected headline"), now=clock())
        actions.correct(s, db.settings, world.editor, rid, content, reason="typo", now=clock())
    assert deliver(db, clock) == {"delivered": 1}
    posts = subscriber.posts_to("/cb/fix")
    assert len(posts) == 2 and b"Corrected headline" in posts[1].body


def test_a_retraction_reaches_the_subscribers_of_the_original_while_subscribed(
    hub: TestClient, db: Database, world: World, subscriber: Subscriber
) -> None:
    subscribe(hub, subscriber.url("/cb/ret"))
    callback_left = subscriber.url("/cb/left")
    subscribe(hub, callback_left)
    clock = Clock()
    rid = publish(db, world, clock)
    assert deliver(db, clock) == {"delivered": 2}
    hub.post(
        "/websub",
        data={"hub.mode": "unsubscribe", "hub.topic": ENERGY, "hub.callback": callback_left},
    )
    with db.session() as s:
        actions.retract(s, db.settings, world.editor, rid, reason="withdrawn", now=clock())
    assert deliver(db, clock) == {"delivered": 1}
    assert len(subscriber.posts_to("/cb/ret")) == 2
    assert len(subscriber.posts_to("/cb/left")) == 1


# --- 105/106: content types ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("topic", "media_type", "marker"),
    [
        ("http://testserver/feeds/region/DE.rss", "application/rss+xml", b"<rss"),
        ("http://testserver/feeds/language/en.json", "application/feed+json", b"jsonfeed.org"),
        ("http://testserver/feeds/releases.atom?industry=energy", "application/atom+xml", b"<feed"),
    ],
)
def test_105_106_the_topic_content_type_is_preserved(
    hub: TestClient,
    db: Database,
    world: World,
    subscriber: Subscriber,
    topic: str,
    media_type: str,
    marker: bytes,
) -> None:
    subscribe(hub, subscriber.url("/typed"), topic)
    clock = Clock()
    publish(db, world, clock)
    assert deliver(db, clock) == {"delivered": 1}
    [post] = subscriber.posts_to("/typed")
    assert post.headers["Content-Type"].startswith(media_type)
    assert marker in post.body
    assert links(post.headers["Link"])["self"] == topic
    if media_type == "application/feed+json":
        feed = json.loads(post.body)
        assert feed["hubs"] == [{"type": "WebSub", "url": HUB}]
        assert feed["items"][0]["title"].startswith("Acme Renewables")


# --- verification failures and denials ------------------------------------------------------------


@pytest.mark.parametrize("how", ["404", "wrong"])
def test_a_failed_verification_subscribes_nothing(
    hub: TestClient, db: Database, world: World, subscriber: Subscriber, how: str
) -> None:
    subscriber.verify["/cb/no"] = how
    subscribe(hub, subscriber.url("/cb/no"))
    assert len(subscriber.gets_to("/cb/no")) == 1
    assert subscriptions(db) == []
    clock = Clock()
    publish(db, world, clock)
    assert websub_deliveries(db) == []


@pytest.mark.parametrize(
    "topic",
    [
        "http://testserver/feeds/industry/underwater-basket-weaving.atom",
        "http://testserver/feeds/industry/energy.html",
        "http://testserver/feeds/issuer/nobody.atom",
        "http://testserver/releases/",
        "https://elsewhere.example/feeds/industry/energy.atom",
    ],
)
def test_an_unknown_topic_is_accepted_then_denied(
    hub: TestClient, db: Database, subscriber: Subscriber, topic: str
) -> None:
    subscribe(hub, subscriber.url("/cb/denied"), topic)
    [denial] = subscriber.gets_to("/cb/denied")
    assert denial["hub.mode"] == "denied"
    assert denial["hub.topic"] == topic
    assert denial["hub.reason"] and "hub.challenge" not in denial
    assert subscriptions(db) == []


def test_the_callback_query_string_is_preserved(
    hub: TestClient, db: Database, world: World, subscriber: Subscriber
) -> None:
    callback = subscriber.url("/cb/q?token=abc%20def&user=7")
    subscribe(hub, callback)
    [check] = subscriber.gets_to("/cb/q")
    assert check["token"] == "abc def" and check["user"] == "7"
    assert check["hub.mode"] == "subscribe"
    assert subscriptions(db)[0].address == callback
    clock = Clock()
    publish(db, world, clock)
    assert deliver(db, clock) == {"delivered": 1}
    [post] = subscriber.posts_to("/cb/q")
    assert post.query == {"token": "abc def", "user": "7"}


def test_callbacks_in_private_networks_are_refused(
    settings: Settings, db: Database, subscriber: Subscriber
) -> None:
    with make_client(replace(settings, webhook_allow=())) as guarded:
        subscribe(guarded, subscriber.url("/cb/private"))
    assert subscriber.gets == []
    assert subscriptions(db) == []


# --- 410 ends the subscription --------------------------------------------------------------------


def test_410_from_the_callback_ends_the_subscription(
    hub: TestClient, db: Database, world: World, subscriber: Subscriber
) -> None:
    subscribe(hub, subscriber.url("/cb/gone"))
    subscribe(hub, subscriber.url("/cb/stays"))
    subscriber.post_status["/cb/gone"] = 410
    clock = Clock()
    publish(db, world, clock)
    assert deliver(db, clock) == {"delivered": 1, "failed": 1}
    by_path = {e.address.rsplit("/", 1)[1]: e for e in subscriptions(db)}
    assert by_path["gone"].active is False and by_path["stays"].active is True
    publish(db, world, clock, headline="A second release")
    assert deliver(db, clock) == {"delivered": 1}
    assert len(subscriber.posts_to("/cb/gone")) == 1
    assert len(subscriber.posts_to("/cb/stays")) == 2


def test_failed_content_deliveries_are_retried(
    hub: TestClient, db: Database, world: World, subscriber: Subscriber
) -> None:
    subscribe(hub, subscriber.url("/cb/flaky"))
    subscriber.post_status["/cb/flaky"] = 503
    clock = Clock()
    publish(db, world, clock)
    assert deliver(db, clock) == {"pending": 1}
    subscriber.post_status["/cb/flaky"] = 200
    clock.advance(minutes=10)
    assert deliver(db, clock) == {"delivered": 1}
    assert len(subscriber.posts_to("/cb/flaky")) == 2


# --- bad requests ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "rule"),
    [
        ({"hub.topic": ENERGY, "hub.callback": "http://127.0.0.1/cb"}, "hub.mode", "missing"),
        (
            {"hub.mode": "follow", "hub.topic": ENERGY, "hub.callback": "http://127.0.0.1/cb"},
            "hub.mode",
            "unknown_mode",
        ),
        ({"hub.mode": "subscribe", "hub.callback": "http://127.0.0.1/cb"}, "hub.topic", "missing"),
        ({"hub.mode": "subscribe", "hub.topic": ENERGY}, "hub.callback", "missing"),
        (
            {"hub.mode": "subscribe", "hub.topic": ENERGY, "hub.callback": "ftp://127.0.0.1/cb"},
            "hub.callback",
            "invalid_url",
        ),
        (
            {"hub.mode": "subscribe", "hub.topic": ENERGY, "hub.callback": "not a url"},
            "hub.callback",
            "invalid_url",
        ),
        (
            {
                "hub.mode": "subscribe",
                "hub.topic": ENERGY,
                "hub.callback": "http://127.0.0.1/cb",
                "hub.secret": "x" * 200,
            },
            "hub.secret",
            "too_long",
        ),
    ],
)
def test_malformed_requests_are_400s_naming_the_parameter(
    hub: TestClient, db: Database, data: dict[str, str], field: str, rule: str
) -> None:
    response = hub.post("/websub", data=data)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "bad_request"
    assert {e["field"]: e["rule"] for e in body["errors"]} == {field: rule}
    assert field in body["message"]
    assert subscriptions(db) == []


def test_a_request_that_is_not_a_form_is_a_400(hub: TestClient) -> None:
    response = hub.post("/websub", json={"hub.mode": "subscribe"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "content-type"


def test_a_secret_just_under_the_limit_is_accepted(
    hub: TestClient, db: Database, subscriber: Subscriber
) -> None:
    subscribe(hub, subscriber.url("/cb/s"), **{"hub.secret": "x" * 199})
    assert subscriptions(db)[0].settings["secret"] == "x" * 199


# --- topic parsing --------------------------------------------------------------------------------


def test_topics_name_our_feeds(settings: Settings) -> None:
    topic = websub.parse_topic(settings, "http://testserver/feeds/releases.json?lang=de&region=EU")
    assert (topic.query.language, topic.query.region, topic.fmt) == ("de", "EU", "json")
    topic = websub.parse_topic(settings, "http://testserver/feeds/industry/medtop:20000256.rss")
    assert topic.query.industry and topic.fmt == "rss"
    for bad in (
        "http://testserver/feeds/releases.atom?page=2",
        "http://testserver/feeds/industry/energy.atom?industry=banking",
        "http://testserver/feeds/colour/red.atom",
        "http://testserver/feeds/industry/energy",
    ):
        with pytest.raises(websub.UnknownTopic):
            websub.parse_topic(settings, bad)


def test_an_edition_approved_later_reaches_the_subscribers_of_its_language_feed(
    hub: TestClient, db: Database, world: World, subscriber: Subscriber
) -> None:
    subscribe(hub, subscriber.url("/de"), "http://testserver/feeds/language/de.atom")
    subscribe(hub, subscriber.url("/fr"), "http://testserver/feeds/language/fr.atom")
    clock = Clock()
    rid = publish(db, world, clock, target_languages=["de"])
    assert deliver(db, clock) == {}  # the original is English: no German feed shows it yet
    german = {"headline": "Nordlicht Energie baut einen Windpark", "body": "Ein Windpark entsteht."}
    editions.translate_due(db, EngineRegistry(), now=clock())
    with db.session() as s:
        editions.post_edit(s, world.editor, rid, "de", german, now=clock())
        editions.approve_edition(s, world.editor, rid, "de", now=clock())
        distribute_edition(s, db.settings, s.get(Release, rid), "de", now=clock())
    assert deliver(db, clock) == {"delivered": 1}
    [post] = subscriber.posts_to("/de")
    assert f"urn:newswire:release:{rid}:de" in post.body.decode()
    assert german["headline"] in post.body.decode()
    assert subscriber.posts_to("/fr") == []
