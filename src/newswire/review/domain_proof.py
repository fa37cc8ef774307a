"""Checking a domain's proof, over the network: the DNS TXT record
``newswire-verification=<token>`` (dnspython), else the file
``https://<domain>/.well-known/newswire-verification.txt`` (httpcore).

Settings: ``dns_resolver`` (``$NEWSWIRE_DNS_RESOLVER``, ``host:port``; empty: the system's
resolvers) and ``domain_check_url_template`` (``$NEWSWIRE_DOMAIN_CHECK_URL_TEMPLATE``, default
``https://{domain}/.well-known/newswire-verification.txt``; the tests point it at a local
server). The file is fetched only from a host that the SSRF guard allows (the caller passes
`newswire.channels.netguard.NetGuard` with the webhook allow-list: review may not import
channels), from the address the guard checked (pinned: a name that resolves elsewhere a moment
later, DNS rebinding, is not asked again; TLS still checks the certificate for the name), without
following redirects, and at most 4 KiB of it is read. httpcore (httpx's own core) makes the
request, since its network backend is where a connection's address can be pinned.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import dns.asyncresolver
import dns.exception
import dns.resolver
import httpcore

from newswire.config import Settings
from newswire.domain.issuer_claims import found_token, txt_record_value

TIMEOUT_S = 5.0
MAX_FILE_BYTES = 4096


class Guard(Protocol):
    """The SSRF guard: the checked addresses of a host, or an exception saying why not."""

    async def resolve(self, host: str, port: int) -> Sequence[str]: ...


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects to the address the guard checked, whatever the host name resolves to now."""

    def __init__(self, address: str) -> None:
        self._address = address
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        return await self._backend.connect_tcp(
            self._address, port, timeout, local_address, socket_options
        )

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("a proof file is fetched over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


_FETCH_ERRORS = (
    httpcore.TimeoutException,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.UnsupportedProtocol,
)


@dataclass(frozen=True)
class ProofResult:
    verified: bool
    method: str | None  # "dns" | "well-known" when verified
    error: str | None  # why neither proof was found


def _resolver(settings: Settings) -> dns.asyncresolver.Resolver:
    if not settings.dns_resolver:
        return dns.asyncresolver.Resolver()
    resolver = dns.asyncresolver.Resolver(configure=False)
    host, _, port = settings.dns_resolver.rpartition(":")
    resolver.nameservers = [host.strip("[]") or "127.0.0.1"]
    resolver.port = int(port or 53)
    return resolver


async def txt_records(settings: Settings, domain: str) -> list[str]:
    """The TXT strings of a domain (each record's strings joined, as RFC 7208 reads them)."""
    resolver = _resolver(settings)
    resolver.lifetime = TIMEOUT_S
    answer = await resolver.resolve(domain, "TXT")
    return [b"".join(r.strings).decode("utf-8", "replace") for r in answer]  # type: ignore[attr-defined]


async def check_dns(settings: Settings, domain: str, token: str) -> str | None:
    """None when the TXT record is there, else what was wrong."""
    try:
        records = await txt_records(settings, domain)
    except dns.resolver.NXDOMAIN:
        return f"DNS: {domain} does not exist"
    except dns.resolver.NoAnswer:
        return f"DNS: {domain} has no TXT records"
    except dns.exception.DNSException as exc:
        return f"DNS: could not look up {domain} ({type(exc).__name__})"
    if found_token(records, token):
        return None
    return f"DNS: no TXT record {txt_record_value(token)!r} on {domain}"


async def check_well_known(settings: Settings, domain: str, token: str, guard: Guard) -> str | None:
    url = settings.domain_check_url_template.format(domain=domain)
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = await guard.resolve(host, port)
    except Exception as exc:  # the guard refused the host, or it did not resolve
        return f"file: {url} not fetched ({exc})"
    if not addresses:
        return f"file: {url} not fetched ({host} has no address)"
    timeouts = {"connect": TIMEOUT_S, "read": TIMEOUT_S, "write": TIMEOUT_S, "pool": TIMEOUT_S}
    try:
        async with (
            httpcore.AsyncConnectionPool(network_backend=_PinnedBackend(addresses[0])) as pool,
            pool.stream("GET", url, extensions={"timeout": timeouts}) as response,
        ):
            if response.status != 200:
                return f"file: {url} answered HTTP {response.status}"
            body = b""
            async for chunk in response.aiter_stream():
                body += chunk
                if len(body) >= MAX_FILE_BYTES:
                    break
    except _FETCH_ERRORS as exc:
        return f"file: {url} could not be fetched ({type(exc).__name__})"
    if found_token([body[:MAX_FILE_BYTES].decode("utf-8", "replace")], token):
        return None
    return f"file: {url} does not contain the token"


async def check_proof(settings: Settings, domain: str, token: str, guard: Guard) -> ProofResult:
    """Either proof will do: the DNS record first, then the file."""
    dns_error, file_error = await asyncio.gather(
        check_dns(settings, domain, token), check_well_known(settings, domain, token, guard)
    )
    if dns_error is None:
        return ProofResult(True, "dns", None)
    if file_error is None:
        return ProofResult(True, "well-known", None)
    return ProofResult(False, None, f"{dns_error}; {file_error}")


def check_proof_now(settings: Settings, domain: str, token: str, guard: Guard) -> ProofResult:
    """`check_proof` from synchronous code (actions run in worker threads)."""
    return asyncio.run(check_proof(settings, domain, token, guard))
