"""Real servers for domain proofs: a DNS server (dnslib) answering TXT queries from a zone the
test fills in, and an HTTP server serving the well-known files."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from dnslib import QTYPE, RCODE, RR, TXT
from dnslib.server import BaseResolver, DNSServer

DNS_PORT = 18253
HTTP_PORT = 18280
WELL_KNOWN_TEMPLATE = (
    f"http://127.0.0.1:{HTTP_PORT}/{{domain}}/.well-known/newswire-verification.txt"
)


@dataclass
class Zone(BaseResolver):  # type: ignore[misc]
    """TXT records by name; a name not in it does not exist (NXDOMAIN)."""

    txt: dict[str, list[str]] = field(default_factory=dict)

    def resolve(self, request: Any, handler: Any) -> Any:
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        if name not in self.txt:
            reply.header.rcode = RCODE.NXDOMAIN
        elif request.q.qtype == QTYPE.TXT:
            for value in self.txt[name]:
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(value), ttl=60))
        return reply


@dataclass
class Files:
    """Files by path ("/acme.example/.well-known/newswire-verification.txt")."""

    by_path: dict[str, str] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def well_known(self, domain: str, text: str) -> None:
        self.by_path[f"/{domain}/.well-known/newswire-verification.txt"] = text


@dataclass
class ProofServers:
    zone: Zone
    files: Files
    dns_resolver: str = f"127.0.0.1:{DNS_PORT}"
    url_template: str = WELL_KNOWN_TEMPLATE

    def reset(self) -> None:
        self.zone.txt.clear()
        self.files.by_path.clear()
        self.files.requests.clear()


def _handler(files: Files) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            files.requests.append(self.path)
            body = files.by_path.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write((body or "not found").encode())

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture(scope="session")
def proof_servers() -> Iterator[ProofServers]:
    zone, files = Zone(), Files()
    dns_server = DNSServer(zone, port=DNS_PORT, address="127.0.0.1")
    dns_server.start_thread()
    http_server = ThreadingHTTPServer(("127.0.0.1", HTTP_PORT), _handler(files))
    thread = threading.Thread(target=http_server.serve_forever, daemon=True)
    thread.start()
    try:
        yield ProofServers(zone, files)
    finally:
        http_server.shutdown()
        http_server.server_close()
        dns_server.stop()


@pytest.fixture
def proofs(proof_servers: ProofServers) -> Iterator[ProofServers]:
    proof_servers.reset()
    yield proof_servers
    proof_servers.reset()
