"""The webhook channel against real HTTP receivers: an aiohttp server on 127.0.0.1 that verifies
every request with the `standardwebhooks` library, and endpoints that fail in every way."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from newswire.channels.base import OutboundMessage, Outcome, Receipt
from newswire.channels.netguard import LOOPBACK, NetGuard
from newswire.channels.webhook import (
    NEWSML_CONTENT_TYPE,
    WebhookChannel,
    WebhookPayload,
    WebhookSettings,
    sign,
)

SECRET = "whsec_" + base64.b64encode(b"current secret, 32 bytes long!!!").decode()
OLD_SECRET = "whsec_" + base64.b64encode(b"the previous secret, also random").decode()
NINJS = json.dumps(
    {"uri": "urn:newswire:release:42", "version": "1", "headline": "Acme – 风电 – رياح"},
    ensure_ascii=False,
).encode()


@dataclass
class Receiver:
    url: str
    seen: list[dict[str, Any]] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0


@asynccontextmanager
async def receiver() -> AsyncIterator[Receiver]:
    state = Receiver("")

    async def verified(request: web.Request, secrets: list[str], json_parse: bool = True) -> bool:
        body = await request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            for secret in secrets:
                Webhook(secret).verify(body, headers, json_parse=json_parse)
        except WebhookVerificationError:
            return False
        state.seen.append({"path": request.path, "headers": headers, "body": body})
        return True

    async def ok(request: web.Request) -> web.Response:
        state.in_flight += 1
        state.max_in_flight = max(state.max_in_flight, state.in_flight)
        try:
            await asyncio.sleep(float(request.query.get("delay", "0")))
            good = await verified(request, [SECRET])
        finally:
            state.in_flight -= 1
        return web.Response(status=204 if good else 401)

    async def rotated(request: web.Request) -> web.Response:
        return web.Response(status=200 if await verified(request, [SECRET, OLD_SECRET]) else 401)

    async def old_only(request: web.Request) -> web.Response:  # a receiver not yet rotated
        return web.Response(status=200 if await verified(request, [OLD_SECRET]) else 401)

    async def newsml(request: web.Request) -> web.Response:
        good = await verified(request, [SECRET], json_parse=False)
        return web.Response(status=204 if good else 401)

    def fixed(status: int, headers: dict[str, str] | None = None, text: str = "") -> Any:
        async def handler(request: web.Request) -> web.Response:
            await request.read()
            state.seen.append({"path": request.path})
            return web.Response(status=status, headers=headers, text=text)

        return handler

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(1.2)
        return web.Response(status=204)

    later = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    app = web.Application()
    app.router.add_post("/ok/{n}", ok)
    app.router.add_post("/rotated", rotated)
    app.router.add_post("/old-only", old_only)
    app.router.add_post("/newsml", newsml)
    app.router.add_post("/e500", fixed(500, text="boom"))
    app.router.add_post("/gone", fixed(410))
    app.router.add_post("/busy", fixed(429, {"Retry-After": "7"}))
    app.router.add_post("/busy-date", fixed(503, {"Retry-After": later}))
    app.router.add_post("/bad", fixed(400, text="invalid payload: headline missing"))
    app.router.add_post("/moved", fixed(302, {"Location": "/ok/redirected"}))
    app.router.add_post("/slow", slow)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    state.url = f"http://127.0.0.1:{port}"
    try:
        yield state
    finally:
        await runner.cleanup()


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(scenario())


def loopback_channel(**settings: Any) -> WebhookChannel:
    return WebhookChannel(WebhookSettings(**settings), NetGuard(allow=LOOPBACK))


def message(delivery_id: str, url: str, *secrets: str, body: bytes = NINJS) -> OutboundMessage:
    return OutboundMessage(delivery_id, url, WebhookPayload(body, secrets or (SECRET,)))


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_signed_posts_verify_with_standardwebhooks() -> None:
    async def scenario() -> None:
        async with receiver() as rx:
            channel = loopback_channel()
            messages = [message(f"dlv_{i}", f"{rx.url}/ok/{i}") for i in range(20)]
            receipts = await channel.send_batch(messages)
            await channel.aclose()
        assert [r.delivery_id for r in receipts] == [m.delivery_id for m in messages]
        assert all(r.outcome is Outcome.DELIVERED and r.code == 204 for r in receipts)
        assert all(r.latency_ms > 0 for r in receipts)
        assert len(rx.seen) == 20
        by_path = {s["path"]: s for s in rx.seen}
        first = by_path["/ok/0"]
        assert first["body"] == NINJS
        assert first["headers"]["webhook-id"] == "dlv_0"
        assert abs(int(first["headers"]["webhook-timestamp"]) - time.time()) < 30
        assert first["headers"]["content-type"] == "application/json"

    run(scenario)


def test_rotated_secret_signs_with_both() -> None:
    async def scenario() -> None:
        async with receiver() as rx:
            channel = loopback_channel()
            receipts = await channel.send_batch(
                [
                    message("rot_1", f"{rx.url}/rotated", SECRET, OLD_SECRET),
                    message("rot_2", f"{rx.url}/old-only", SECRET, OLD_SECRET),
                    message("rot_3", f"{rx.url}/old-only", SECRET),  # old secret dropped
                ]
            )
            await channel.aclose()
        assert [r.outcome for r in receipts] == [
            Outcome.DELIVERED,
            Outcome.DELIVERED,
            Outcome.FAILED,
        ]
        assert receipts[2].code == 401
        signature = rx.seen[0]["headers"]["webhook-signature"]
        assert len(signature.split(" ")) == 2 and all(
            s.startswith("v1,") for s in signature.split()
        )

    run(scenario)


def test_signature_matches_the_specification_example() -> None:
    # the example of the Standard Webhooks specification's reference implementation tests
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body, [secret]) == (
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_newsml_documents_are_sent_with_their_content_type() -> None:
    xml = b'<?xml version="1.0" encoding="UTF-8"?><newsItem guid="urn:newswire:release:42"/>'

    async def scenario() -> None:
        async with receiver() as rx:
            channel = loopback_channel()
            payload = WebhookPayload(xml, (SECRET,), NEWSML_CONTENT_TYPE)
            [receipt] = await channel.send_batch(
                [OutboundMessage("g2_1", f"{rx.url}/newsml", payload)]
            )
            await channel.aclose()
        assert receipt.outcome is Outcome.DELIVERED
        assert rx.seen[0]["headers"]["content-type"] == NEWSML_CONTENT_TYPE
        assert rx.seen[0]["body"] == xml

    run(scenario)


def test_failures_are_classified() -> None:
    async def scenario() -> tuple[list[Receipt], Receiver]:
        async with receiver() as rx:
            channel = loopback_channel(timeout_s=0.3, connect_timeout_s=0.3)
            dead = f"http://127.0.0.1:{closed_port()}/hook"
            paths = ["e500", "gone", "busy", "busy-date", "bad", "moved", "slow"]
            receipts = await channel.send_batch(
                [message(f"f_{p.replace('-', '_')}", f"{rx.url}/{p}") for p in paths]
                + [message("f_refused", dead)]
            )
            await channel.aclose()
            return receipts, rx

    receipts, rx = asyncio.run(scenario())
    got: dict[str, Receipt] = {r.delivery_id: r for r in receipts}
    assert got["f_e500"].outcome is Outcome.RETRY and got["f_e500"].code == 500
    assert "boom" in got["f_e500"].detail
    assert got["f_gone"].outcome is Outcome.GONE and got["f_gone"].code == 410
    assert got["f_busy"].outcome is Outcome.RETRY and got["f_busy"].retry_after == 7.0
    assert got["f_busy_date"].outcome is Outcome.RETRY
    assert 100 < (got["f_busy_date"].retry_after or 0) <= 121
    assert got["f_bad"].outcome is Outcome.FAILED and got["f_bad"].code == 400
    assert "headline missing" in got["f_bad"].detail
    assert got["f_moved"].outcome is Outcome.RETRY and got["f_moved"].code == 302
    assert not any(s["path"] == "/ok/redirected" for s in rx.seen)  # never followed
    assert got["f_slow"].outcome is Outcome.RETRY and got["f_slow"].code is None
    assert "timeout" in got["f_slow"].detail
    assert 250 <= got["f_slow"].latency_ms < 1100
    assert got["f_refused"].outcome is Outcome.RETRY and got["f_refused"].code is None


def test_bad_urls_and_ids_fail_permanently_without_sending() -> None:
    async def scenario() -> list[Receipt]:
        channel = loopback_channel()
        receipts = await channel.send_batch(
            [
                message("u_1", "ftp://127.0.0.1/hook"),
                message("u_2", "http:///nohost"),
                message("u_3", "http://127.0.0.1:99999/x"),
                message("bad id\r\nX-Injected: 1", "http://127.0.0.1:9/x"),
            ]
        )
        await channel.aclose()
        return receipts

    receipts = asyncio.run(scenario())
    assert [r.outcome for r in receipts] == [Outcome.FAILED] * 4


def test_private_destinations_are_refused_unless_allow_listed() -> None:
    async def scenario() -> None:
        async with receiver() as rx:
            port = rx.url.rsplit(":", 1)[1]
            guarded = WebhookChannel(WebhookSettings(), NetGuard())  # no allow-list
            receipts = await guarded.send_batch(
                [
                    message("s_1", f"{rx.url}/ok/1"),
                    message("s_2", f"http://127.0.0.2:{port}/ok/2"),
                    message("s_3", f"http://localhost:{port}/ok/3"),
                    message("s_4", f"http://[::1]:{port}/ok/4"),
                ]
            )
            await guarded.aclose()
            assert all(r.outcome is Outcome.FAILED for r in receipts), receipts
            assert all("not a public address" in r.detail for r in receipts)
            assert rx.seen == []  # nothing reached the receiver

            allowed = loopback_channel()
            [receipt] = await allowed.send_batch([message("s_5", f"{rx.url}/ok/5")])
            await allowed.aclose()
            assert receipt.outcome is Outcome.DELIVERED

    run(scenario)


def test_names_are_resolved_once_and_the_checked_address_is_used() -> None:
    calls: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["127.0.0.1"]

    async def scenario() -> None:
        async with receiver() as rx:
            port = rx.url.rsplit(":", 1)[1]
            channel = WebhookChannel(WebhookSettings(), NetGuard(allow=LOOPBACK, resolver=resolver))
            # hooks.test exists in no DNS: only the pinned, checked address can reach the receiver
            receipts = await channel.send_batch(
                [message(f"n_{i}", f"http://hooks.test:{port}/ok/{i}") for i in range(10)]
            )
            await channel.aclose()
        assert all(r.outcome is Outcome.DELIVERED for r in receipts), receipts
        assert calls == ["hooks.test"]

    run(scenario)


def test_the_socket_check_catches_an_address_that_slipped_past_resolution() -> None:
    class LeakyGuard(NetGuard):
        """A guard whose resolution is broken (or was rebound): returns unchecked loopback."""

        async def resolve(self, host: str, port: int) -> tuple[str, ...]:
            return ("127.0.0.1",)

    async def scenario() -> None:
        async with receiver() as rx:
            channel = WebhookChannel(WebhookSettings(), LeakyGuard())
            [receipt] = await channel.send_batch([message("leak_1", f"{rx.url}/ok/1")])
            await channel.aclose()
        assert receipt.outcome is Outcome.FAILED
        assert "127.0.0.1 is not a public address" in receipt.detail
        assert rx.seen == []

    run(scenario)


def test_per_host_concurrency_is_limited() -> None:
    async def scenario() -> None:
        async with receiver() as rx:
            channel = loopback_channel(per_host=3)
            messages = [message(f"c_{i}", f"{rx.url}/ok/{i}?delay=0.02") for i in range(24)]
            first, second = await asyncio.gather(
                channel.send_batch(messages[:12]), channel.send_batch(messages[12:])
            )
            await channel.aclose()
        assert all(r.ok for r in first + second)
        assert rx.max_in_flight <= 3  # shared by concurrent batches
        assert rx.max_in_flight >= 2

    run(scenario)


def test_connections_are_kept_alive_across_batches() -> None:
    async def scenario() -> None:
        connections: set[tuple[str, int]] = set()

        async def hook(request: web.Request) -> web.Response:
            await request.read()
            peer = request.transport.get_extra_info("peername")  # type: ignore[union-attr]
            connections.add(peer)
            return web.Response(status=204)

        app = web.Application()
        app.router.add_post("/{n}", hook)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        channel = loopback_channel(per_host=2)
        for batch in range(3):
            receipts = await channel.send_batch(
                [message(f"k_{batch}_{i}", f"http://127.0.0.1:{port}/{i}") for i in range(10)]
            )
            assert all(r.ok for r in receipts)
        await channel.aclose()
        await runner.cleanup()
        assert len(connections) <= 2

    run(scenario)


def test_messages_to_one_endpoint_keep_their_order() -> None:
    async def scenario() -> None:
        async with receiver() as rx:
            channel = loopback_channel(per_host=8)
            batch = [
                message(f"o_{version}_{endpoint}", f"{rx.url}/ok/{endpoint}?delay=0.01")
                for version in range(4)
                for endpoint in range(3)
            ]
            receipts = await channel.send_batch(batch)
            await channel.aclose()
        assert all(r.ok for r in receipts)
        for endpoint in range(3):
            ids = [s["headers"]["webhook-id"] for s in rx.seen if s["path"] == f"/ok/{endpoint}"]
            assert ids == [f"o_{version}_{endpoint}" for version in range(4)]
        assert rx.max_in_flight >= 2  # the endpoints themselves went in parallel

    run(scenario)


def test_https_endpoints_are_verified(tls_server_context: tuple[ssl.SSLContext, Path]) -> None:
    context, cert_file = tls_server_context

    async def scenario() -> tuple[Receipt, Receipt]:
        async def hook(request: web.Request) -> web.Response:
            await request.read()
            return web.Response(status=204)

        app = web.Application()
        app.router.add_post("/hook", hook)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        url = f"https://127.0.0.1:{port}/hook"
        trusting = loopback_channel(ca_file=str(cert_file))
        [trusted] = await trusting.send_batch([message("tls_1", url)])
        strict = loopback_channel()  # the system's CAs do not know this certificate
        [untrusted] = await strict.send_batch([message("tls_2", url)])
        for channel in (trusting, strict):
            await channel.aclose()
        await runner.cleanup()
        return trusted, untrusted

    trusted, untrusted = asyncio.run(scenario())
    assert trusted.outcome is Outcome.DELIVERED and trusted.code == 204
    assert untrusted.outcome is Outcome.RETRY and "curl error 60" in untrusted.detail


def test_an_empty_batch_is_fine() -> None:
    async def scenario() -> None:
        channel = loopback_channel()
        assert await channel.send_batch([]) == []
        await channel.aclose()

    run(scenario)


@pytest.mark.parametrize("use_uvloop", [False, True])
def test_works_on_both_event_loops(use_uvloop: bool) -> None:
    async def scenario() -> None:
        async with receiver() as rx:
            channel = loopback_channel()
            receipts = await channel.send_batch(
                [message(f"l_{i}", f"{rx.url}/ok/{i}") for i in range(50)]
            )
            await channel.aclose()
        assert all(r.ok for r in receipts)

    if use_uvloop:
        uvloop = pytest.importorskip("uvloop")
        uvloop.run(scenario())
    else:
        asyncio.run(scenario())
