"""Real SMTP servers (aiosmtpd on 127.0.0.1) and a DKIM key made for the test run."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from newswire.channels.dkim import DkimSigner


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class MailHandler:
    """Accepts mail, except for a few addresses that it refuses the way real servers do."""

    pipelining: bool = True
    delay_s: float = 0.0  # before accepting each message, as a busy server takes its time
    messages: list[Received] = field(default_factory=list)
    sessions: int = 0

    async def handle_EHLO(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        session.host_name = hostname
        self.sessions += 1
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        local = address.partition("@")[0]
        if local == "unknown":
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if local == "full":
            return "452 4.2.2 Mailbox full"
        if local == "blocked":
            return "554 5.7.1 Relay access denied"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if any(r.startswith("spamtrap@") for r in envelope.rcpt_tos):
            return "554 5.7.1 Message rejected as spam"
        if any(r.startswith("later@") for r in envelope.rcpt_tos):
            return "451 4.3.0 Try again later"
        if any(r.startswith("closing@") for r in envelope.rcpt_tos):
            return "421 4.3.2 Shutting down, come back later"
        if any(r.startswith("slow@") for r in envelope.rcpt_tos):
            await asyncio.sleep(1.0)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        data = envelope.original_content or b""
        self.messages.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), data))
        return "250 2.0.0 Ok: queued"


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: MailHandler
    controller: Controller
    cert_file: Path | None = None

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[Callable[..., SmtpServer]]:
    """Start aiosmtpd servers: ``smtp_server(pipelining=True, tls=None, auth=None, port=None,
    delay_s=0.0)``."""
    started: list[SmtpServer] = []

    def start(
        pipelining: bool = True,
        tls: tuple[ssl.SSLContext, Path] | None = None,
        auth: tuple[str, str] | None = None,
        port: int | None = None,
        delay_s: float = 0.0,
    ) -> SmtpServer:
        handler = MailHandler(pipelining=pipelining, delay_s=delay_s)
        kwargs: dict[str, Any] = {}
        if tls is not None:
            kwargs.update(tls_context=tls[0], require_starttls=True)
        if auth is not None:

            def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any):  # type: ignore[no-untyped-def]
                good = data.login == auth[0].encode() and data.password == auth[1].encode()
                return AuthResult(success=good, handled=False)

            kwargs.update(authenticator=authenticator, auth_required=True)
        controller = Controller(
            handler, hostname="127.0.0.1", port=port or free_port(), decode_data=False, **kwargs
        )
        controller.start()
        server = SmtpServer("127.0.0.1", controller.port, handler, controller)
        if tls is not None:
            server.cert_file = tls[1]
        started.append(server)
        return server

    yield start
    for server in started:
        with contextlib.suppress(AssertionError, RuntimeError):  # stopped by the test already
            server.stop()


@pytest.fixture(scope="session")
def dkim_key() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@pytest.fixture(scope="session")
def dkim_signer(dkim_key: bytes) -> DkimSigner:
    return DkimSigner("wire.example.com", "nw2026", dkim_key)


@pytest.fixture(scope="session")
def tls_server_context(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, Path]:
    """A self-signed certificate for 127.0.0.1 and a server context that uses it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file
