"""Refuse outbound connections to private, loopback, link-local and other non-public addresses.

Webhook URLs are typed in by users, so without a guard a URL like ``http://169.254.169.254/`` or
``http://localhost:5432/`` would make the wire a proxy into its own network (SSRF). The rules:

- a host name is resolved once, and *every* address it resolves to must be allowed (a name that
  resolves to one public and one private address is refused);
- the sender then connects to one of those checked addresses, never resolving the name again, so
  a DNS answer that changes between check and connect (DNS rebinding) cannot slip through;
- an address is allowed when it is globally routable unicast, or inside a network that the
  configuration allow-lists (the tests allow-list loopback to reach their own receivers).

IPv4 addresses embedded in IPv6 ones (``::ffff:10.0.0.1``, 6to4, Teredo, NAT64) are judged as
the IPv4 address they lead to.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[str]]]

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
LOOPBACK = ("127.0.0.0/8", "::1/128")


class DestinationRefused(Exception):
    """The destination resolves to an address the guard does not allow."""


class ResolutionFailed(Exception):
    """The host name did not resolve (temporary as far as delivery is concerned)."""


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


async def system_resolver(host: str, port: int) -> list[str]:
    """The system's resolver (getaddrinfo, run off the event loop), TCP addresses only."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ResolutionFailed(f"{host}: {exc.strerror or exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass
class NetGuard:
    """The guard, with its allow-list (networks in CIDR notation) and a small DNS cache.

    Concurrent lookups of one name share one resolution, so that a fan-out to 10,000 URLs on
    one host resolves it once.
    """

    allow: Iterable[str] = ()
    resolver: Resolver = system_resolver
    cache_ttl_s: float = 60.0
    _networks: tuple[IPNetwork, ...] = field(init=False, repr=False)
    _cache: dict[tuple[str, int], tuple[float, tuple[str, ...]]] = field(
        init=False, repr=False, default_factory=dict
    )
    _pending: dict[tuple[str, int], asyncio.Future[tuple[str, ...]]] = field(
        init=False, repr=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self._networks = tuple(ipaddress.ip_network(n, strict=False) for n in self.allow)

    def is_allowed(self, address: str | IPAddress) -> bool:
        ip = ipaddress.ip_address(address.split("%", 1)[0] if isinstance(address, str) else address)
        if any(ip.version == net.version and ip in net for net in self._networks):
            return True
        if isinstance(ip, ipaddress.IPv6Address):
            embedded = _embedded_ipv4(ip)
            if embedded is not None:
                return self.is_allowed(embedded)
        return ip.is_global and not ip.is_multicast

    def check(self, address: str) -> None:
        """Raise `DestinationRefused` unless ``address`` (an IP literal) is allowed."""
        try:
            allowed = self.is_allowed(address)
        except ValueError:
            raise DestinationRefused(f"{address!r} is not an IP address") from None
        if not allowed:
            raise DestinationRefused(f"{address} is not a public address")

    async def resolve(self, host: str, port: int) -> tuple[str, ...]:
        """The addresses to connect to for ``host``: all checked. An IP literal is checked as
        it is; a name is resolved (or taken from the cache) and every address checked."""
        literal = host[1:-1] if host.startswith("[") and host.endswith("]") else host
        try:
            ipaddress.ip_address(literal.split("%", 1)[0])
        except ValueError:
            pass
        else:
            self.check(literal)
            return (literal,)
        addresses = await self._lookup(host.lower().rstrip("."), port)
        if not addresses:
            raise ResolutionFailed(f"{host}: no addresses")
        for address in addresses:
            if not self.is_allowed(address):
                raise DestinationRefused(f"{host} resolves to {address}, not a public address")
        return addresses

    async def _lookup(self, host: str, port: int) -> tuple[str, ...]:
        key = (host, port)
        cached = self._cache.get(key)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        pending = self._pending.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[tuple[str, ...]] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            addresses = tuple(await self.resolver(host, port))
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-raise it, nobody else must log it
            raise
        else:
            future.set_result(addresses)
            self._cache[key] = (time.monotonic() + self.cache_ttl_s, addresses)
            return addresses
        finally:
            del self._pending[key]
