"""Proof suite 7 (issue 15): SSRF. Webhook URLs and WebSub callbacks at every spelling of a
blocked address are refused, at registration or at connect time, and nothing reaches the
blocked servers.

Real servers on loopback: "blocked" receivers on 127.0.0.1 and [::1] that record every
connection (a connection is a bypass, whatever is said on it), a "public-looking" server on
127.0.0.2 (the only network the guard is told to allow) that answers redirects into blocked
ranges, and a DNS server (dnslib) that the guard resolves through, whose answer for one name
changes from the public-looking address to loopback after the first query (DNS rebinding).
Controls (a public-looking literal and name) must reach the public server, so a refusal is the
guard's and not the set-up's."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from dnslib import AAAA, QTYPE, RCODE, RR, A
from dnslib.server import BaseResolver, DNSServer
from fastapi.testclient import TestClient

from builders import World, release_payload, sqlite_url
from newswire.actions import releases as actions
from newswire.audience.websub import guarded_get
from newswire.channels.base import OutboundMessage, Outcome
from newswire.channels.netguard import DestinationRefused, ResolutionFailed, guard_for
from newswire.channels.webhook import GUARD_REFUSED, WebhookChannel, WebhookPayload
from newswire.config import Settings
from newswire.deliver.setup import make_channels
from newswire.deliver.worker import DeliveryWorker
from newswire.intake import validate_release
from newswire.store.db import Database
from newswire.store.models import Delivery, Endpoint

DNS_PORT = 19653
BLOCKED_PORT = 19680
PUBLIC_PORT = 19681
PUBLIC = "127.0.0.2"  # the stand-in for a public address: the only network allowed

# every spelling of a blocked host; each is tried as http://{host}:19680/...
LOOPBACK_SPELLINGS = [
    "127.0.0.1",
    "2130706433",  # decimal
    "0x7f000001",  # hex
    "0x7f.1",
    "0x7f.0.0.1",
    "0177.0.0.1",  # octal
    "017700000001",
    "127.000.000.001",
    "127.1",  # short
    "127.0.1",
    "0.0.0.0",  # connects to this host on Linux
    "0",
    "[::1]",
    "[0:0:0:0:0:0:0:1]",
    "[::]",
    "[::ffff:127.0.0.1]",  # IPv4-mapped
    "[::ffff:7f00:1]",
    "[::127.0.0.1]",  # IPv4-compatible
    "[::ffff:0:127.0.0.1]",  # SIIT
    "[64:ff9b::127.0.0.1]",  # NAT64
    "[64:ff9b:1::7f00:1]",
    "[2002:7f00:1::1]",  # 6to4
]
OTHER_BLOCKED = [
    "169.254.169.254",  # cloud metadata
    "2852039166",
    "0xa9.0xfe.0xa9.0xfe",
    "[::ffff:169.254.169.254]",
    "[fd00:ec2::254]",  # AWS metadata over IPv6
    "100.100.100.200",  # Alibaba metadata
    "[fe80::1]",
    "10.0.0.1",
    "172.16.0.1",
    "192.168.1.1",
    "192.0.0.1",
    "100.64.0.1",
    "198.18.0.1",
]
# names the test DNS server answers (and localhost, which is loopback by definition)
ZONE: dict[str, list[str]] = {
    "loop.test": ["127.0.0.1"],
    "loop6.test": ["::1"],
    "mapped.test": ["::ffff:127.0.0.1"],
    "mixed.test": [PUBLIC, "127.0.0.1"],  # one bad apple
    "meta.test": ["169.254.169.254"],
    "metadata.google.internal": ["169.254.169.254"],
    "lan.test": ["192.168.1.1"],
    "zero.test": ["0.0.0.0"],
    "public.test": [PUBLIC],
}
NAMES = [
    "localhost",
    "LOCALHOST.",
    "a.localhost",
    "loop.test",
    "LOOP.TEST.",
    "loop6.test",
    "mapped.test",
    "mixed.test",
    "meta.test",
    "metadata.google.internal",
    "lan.test",
    "zero.test",
]
REBINDING = "rebind.test"  # public-looking on the first query, loopback after
BLOCKED_HOSTS = LOOPBACK_SPELLINGS + OTHER_BLOCKED + NAMES
CONTROLS = [PUBLIC, "public.test"]
REDIRECT_CODES = (301, 302, 307, 308)
REDIRECT_TARGETS = [
    f"http://127.0.0.1:{BLOCKED_PORT}/landed",
    f"http://2130706433:{BLOCKED_PORT}/landed",
    f"http://0x7f.1:{BLOCKED_PORT}/landed",
    f"http://[::1]:{BLOCKED_PORT}/landed",
    f"http://[::ffff:127.0.0.1]:{BLOCKED_PORT}/landed",
    f"http://loop.test:{BLOCKED_PORT}/landed",
    f"http://localhost:{BLOCKED_PORT}/landed",
    "http://169.254.169.254/latest/meta-data/",
]


# --- servers --------------------------------------------------------------------------------------


@dataclass
class Zone(BaseResolver):  # type: ignore[misc]
    """A and AAAA records by name; `rebinding` names answer their first list once, then the
    second; a name not in it does not exist."""

    records: dict[str, list[str]] = field(default_factory=dict)
    rebinding: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    queries: list[str] = field(default_factory=list)
    _answered: set[str] = field(default_factory=set)

    def resolve(self, request: Any, handler: Any) -> Any:
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        self.queries.append(name)
        if name in self.rebinding:
            first, then = self.rebinding[name]
            addresses = then if name in self._answered else first
            if request.q.qtype == QTYPE.A:  # the A query counts as the answer
                self._answered.add(name)
        elif name in self.records:
            addresses = self.records[name]
        else:
            reply.header.rcode = RCODE.NXDOMAIN
            return reply
        for address in addresses:
            v6 = ":" in address
            if request.q.qtype == (QTYPE.AAAA if v6 else QTYPE.A):
                rdata = AAAA(list(ipaddress.IPv6Address(address).packed)) if v6 else A(address)
                reply.add_answer(RR(request.q.qname, request.q.qtype, rdata=rdata, ttl=0))
        return reply


@dataclass
class Hits:
    """Every connection a server accepted, as (server, client address, request line)."""

    seen: list[tuple[str, str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, server: str, client: str, line: str) -> None:
        with self.lock:
            self.seen.append((server, client, line))

    def on(self, server: str) -> list[str]:
        with self.lock:
            return [line for name, _, line in self.seen if name == server]


def _handler(name: str, hits: Hits) -> type[socketserver.StreamRequestHandler]:
    class Handler(socketserver.StreamRequestHandler):
        timeout = 2

        def handle(self) -> None:
            try:
                line = self.rfile.readline(2048).decode("latin-1").strip()
                while self.rfile.readline(2048).strip():
                    pass
            except OSError:
                line = "(no request)"
            hits.add(name, str(self.client_address[0]), line)
            self.wfile.write(_answer(name, line))

    return Handler


def _answer(name: str, line: str) -> bytes:
    """The public server redirects /redirect/{code}/{n} to REDIRECT_TARGETS[n] and echoes a
    WebSub challenge; every other answer is 200 with the challenge or empty."""
    parts = line.split(" ")
    target = urlsplit(parts[1]) if len(parts) > 1 else urlsplit("/")
    segments = target.path.strip("/").split("/")
    if name == "public" and len(segments) == 3 and segments[0] == "redirect":
        location = REDIRECT_TARGETS[int(segments[2])]
        return (
            f"HTTP/1.1 {segments[1]} Moved\r\nLocation: {location}\r\n"
            "Content-Length: 0\r\nConnection: close\r\n\r\n"
        ).encode()
    challenge = parse_qs(target.query).get("hub.challenge", [""])[0].encode()
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n"
        + f"Content-Length: {len(challenge)}\r\n\r\n".encode()
        + challenge
    )


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class _Server6(_Server):
    address_family = socket.AF_INET6


@dataclass
class Net:
    zone: Zone
    hits: Hits
    has_ipv6: bool
    dns_resolver: str = f"127.0.0.1:{DNS_PORT}"

    def reset(self) -> None:
        self.zone.queries.clear()
        self.zone._answered.clear()
        with self.hits.lock:
            self.hits.seen.clear()

    def bypasses(self) -> list[str]:
        return self.hits.on("blocked")


@pytest.fixture(scope="module")
def net() -> Iterator[Net]:
    zone, hits = Zone(dict(ZONE), {REBINDING: ([PUBLIC], ["127.0.0.1"])}), Hits()
    dns_server = DNSServer(zone, port=DNS_PORT, address="127.0.0.1")
    dns_server.start_thread()
    servers = [
        _Server(("127.0.0.1", BLOCKED_PORT), _handler("blocked", hits)),
        _Server((PUBLIC, PUBLIC_PORT), _handler("public", hits)),
        # the public-looking host's blocked port too: a hit there is a pinned connection
        _Server((PUBLIC, BLOCKED_PORT), _handler("public", hits)),
    ]
    try:
        servers.append(_Server6(("::1", BLOCKED_PORT), _handler("blocked", hits)))
        has_ipv6 = True
    except OSError:
        has_ipv6 = False
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield Net(zone, hits, has_ipv6)
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
        dns_server.stop()


@pytest.fixture
def network(net: Net) -> Iterator[Net]:
    net.reset()
    yield net
    net.reset()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """About where connections go, not the database: SQLite is enough."""
    return sqlite_url(request, tmp_path)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, webhook_allow=(f"{PUBLIC}/32",), dns_resolver=f"127.0.0.1:{DNS_PORT}")


def _url(host: str, path: str = "/hook", scheme: str = "http") -> str:
    return f"{scheme}://{host}:{BLOCKED_PORT}{path}"


def _send(settings: Settings, urls: list[str]) -> list[Any]:
    async def scenario() -> list[Any]:
        channel = WebhookChannel(guard=guard_for(settings))
        payload = WebhookPayload(b'{"probe": true}', ("whsec_" + "A" * 43 + "=",))
        try:
            messages = [OutboundMessage(f"probe-{i}", url, payload) for i, url in enumerate(urls)]
            return await channel.send_batch(messages)
        finally:
            await channel.aclose()

    return asyncio.run(scenario())


# --- webhooks -------------------------------------------------------------------------------------


def test_webhook_delivery_to_every_spelling_of_a_blocked_address_is_refused_at_connect_time(
    settings: Settings, network: Net, proof_figures: Any
) -> None:
    """Straight to the channel, past registration: the guard is the last line."""
    blocked = [_url(host) for host in [*BLOCKED_HOSTS, REBINDING]]
    receipts = _send(settings, blocked + [_url(host) for host in CONTROLS])
    by_url = dict(zip(blocked + CONTROLS, receipts, strict=False))
    refused = [
        url
        for url, receipt in by_url.items()
        if receipt.outcome is Outcome.FAILED and GUARD_REFUSED in (receipt.detail or "")
    ]
    rebinding = by_url[_url(REBINDING)]
    # the rebinding name was checked while public and the connection pinned to that address
    assert rebinding.outcome is Outcome.DELIVERED, rebinding
    assert network.zone.queries.count(REBINDING) >= 1
    assert sorted(refused) == sorted(_url(host) for host in BLOCKED_HOSTS)
    assert all(r.outcome is Outcome.DELIVERED for r in receipts[len(blocked) :]), receipts
    assert network.bypasses() == []
    proof_figures(
        f"webhook delivery: {len(blocked)} attempts at blocked addresses, {len(refused)} refused, "
        f"rebinding pinned to the checked address, bypasses {len(network.bypasses())}"
    )


def test_a_rebound_name_is_not_resolved_again_between_check_and_connect(
    settings: Settings, network: Net
) -> None:
    """After its first answer the DNS server says loopback; the guard's one answer is used."""
    receipts = _send(settings, [_url(REBINDING, f"/{n}") for n in range(5)])
    assert [r.outcome for r in receipts] == [Outcome.DELIVERED] * 5
    assert network.bypasses() == []
    assert len(network.hits.on("public")) == 5
    # a fresh guard (no cache) asks again, is told loopback, and refuses
    later = _send(settings, [_url(REBINDING)])
    assert later[0].outcome is Outcome.FAILED and "127.0.0.1" in (later[0].detail or "")
    assert network.bypasses() == []


def test_redirects_into_blocked_ranges_fail_for_good_and_are_never_followed(
    settings: Settings, network: Net, proof_figures: Any
) -> None:
    urls = [
        f"http://{PUBLIC}:{PUBLIC_PORT}/redirect/{code}/{n}"
        for code in REDIRECT_CODES
        for n in range(len(REDIRECT_TARGETS))
    ]
    receipts = _send(settings, urls)
    for url, receipt in zip(urls, receipts, strict=True):
        assert receipt.outcome is Outcome.FAILED, (url, receipt)
        assert GUARD_REFUSED in (receipt.detail or "") and "redirect to" in (receipt.detail or "")
    assert len(network.hits.on("public")) == len(urls)
    assert network.bypasses() == []
    proof_figures(
        f"webhook redirects {'/'.join(map(str, REDIRECT_CODES))}: {len(urls)} attempts, "
        f"{len(urls)} refused, bypasses {len(network.bypasses())}"
    )


def _publish(db: Database, world: World) -> str:
    now = datetime.now(UTC)
    with db.session() as s:
        content = validate_release(release_payload(), now=now)
        release = actions.create_release(s, world.issuer, content, submit=True, now=now)
        actions.approve(s, world.editor, release.id, override_reason="one sample", now=now)
        actions.publish(s, db.settings, world.editor, release.id, now=now)
        return release.id


def test_webhook_registration_via_the_api_refuses_or_delivery_refuses_every_blocked_url(
    client: TestClient, db: Database, world: World, network: Net, proof_figures: Any
) -> None:
    accepted: dict[int, str] = {}
    at_registration = 0
    for n, host in enumerate([*BLOCKED_HOSTS, *CONTROLS]):
        url = _url(host, f"/reg{n}", scheme="https")
        response = client.post(
            "/api/v1/recipients",
            json={
                "kind": "partner",
                "name": f"Partner {n}",
                "webhook_url": url,
                "subscriptions": [{"industries": ["energy"]}],
            },
            headers=world.headers("editor"),
        )
        assert response.status_code in (201, 422), (url, response.text)
        if response.status_code == 422:
            assert host not in CONTROLS, response.text
            at_registration += 1
        else:
            accepted[response.json()["id"]] = host
    assert {h for h in accepted.values() if h in CONTROLS} == set(CONTROLS)
    release_id = _publish(db, world)
    worker = DeliveryWorker(db, make_channels(db.settings), name="ssrf")
    asyncio.run(worker.run_once())
    with db.session() as s:
        states = {d.recipient_id: d for d in s.query(Delivery).filter_by(release_id=release_id)}
    at_connect = 0
    for recipient_id, host in accepted.items():
        delivery = states[recipient_id]
        if host in CONTROLS:  # reached the public server (over TLS it fails, but it got there)
            assert GUARD_REFUSED not in (delivery.last_result or ""), delivery.last_result
            continue
        assert delivery.state == "failed", (host, delivery.state, delivery.last_result)
        assert GUARD_REFUSED in (delivery.last_result or ""), (host, delivery.last_result)
        at_connect += 1
    assert network.hits.on("public"), "the controls must have reached the public server"
    assert network.bypasses() == []
    proof_figures(
        f"webhook registration: {len(BLOCKED_HOSTS)} blocked URLs, {at_registration} refused at "
        f"registration, {at_connect} at connect time, bypasses {len(network.bypasses())}"
    )


# --- WebSub ---------------------------------------------------------------------------------------


def test_websub_verification_gets_to_blocked_addresses_are_refused(
    settings: Settings, network: Net, proof_figures: Any
) -> None:
    guard = guard_for(settings)
    redirects = [
        f"http://{PUBLIC}:{PUBLIC_PORT}/redirect/{code}/{n}?hub.challenge=x"
        for code in REDIRECT_CODES
        for n in range(len(REDIRECT_TARGETS))
    ]

    async def scenario() -> tuple[int, list[int]]:
        refused = 0
        for host in BLOCKED_HOSTS:
            try:
                await guarded_get(guard, _url(host, "/cb?hub.challenge=x"))
            except (DestinationRefused, ResolutionFailed):
                refused += 1
        statuses = [(await guarded_get(guard, url))[0] for url in redirects]
        return refused, statuses

    refused, statuses = asyncio.run(scenario())
    assert refused == len(BLOCKED_HOSTS)
    assert set(statuses) <= set(REDIRECT_CODES)  # answered, never followed
    assert network.bypasses() == []
    proof_figures(
        f"raw guarded GET: {len(BLOCKED_HOSTS)} blocked, {refused} refused; "
        f"{len(redirects)} redirects not followed; bypasses {len(network.bypasses())}"
    )


def test_websub_subscriptions_with_blocked_callbacks_are_never_verified_nor_stored(
    client: TestClient, db: Database, network: Net, proof_figures: Any
) -> None:
    callbacks = [_url(host, "/websub") for host in BLOCKED_HOSTS] + [
        f"http://{PUBLIC}:{PUBLIC_PORT}/redirect/{code}/{n}"
        for code in REDIRECT_CODES
        for n in range(len(REDIRECT_TARGETS))
    ]
    for callback in [*callbacks, _url(PUBLIC, "/control")]:
        response = client.post(
            "/websub",
            data={
                "hub.mode": "subscribe",
                "hub.topic": "http://testserver/feeds/industry/energy.atom",
                "hub.callback": callback,
            },
        )
        assert response.status_code in (202, 400), (callback, response.text)
    with db.session() as s:
        stored = {e.address for e in s.query(Endpoint).filter_by(channel="websub")}
    assert stored == {_url(PUBLIC, "/control")}  # only the control was verified
    assert network.bypasses() == []
    proof_figures(
        f"WebSub callbacks: {len(callbacks)} attempts, {len(callbacks)} refused, "
        f"bypasses {len(network.bypasses())}"
    )
