"""Refuse outbound connections to private, loopback, link-local and other non-public addresses.

Webhook URLs are typed in by users, so without a guard a URL like ``http://169.254.169.254/`` or
``http://localhost:5432/`` would make the wire a proxy into its own network (SSRF). The rules:

- a host name is resolved once, and *every* address it resolves to must be allowed (a name that
  resolves to one public and one private address is refused);
- the sender then connects to one of those checked addresses, never resolving the name again, so
  a DNS answer that changes between check and connect (DNS rebinding) cannot slip through;
- an address is allowed when it is globally routable unicast, or inside a network that the
  configuration allow-lists (the tests allow-list loopback to reach their own receivers).

IPv4 addresses embedded in IPv6 ones (IPv4-mapped ``::ffff:10.0.0.1``, IPv4-compatible
``::10.0.0.1``, SIIT ``::ffff:0:10.0.0.1``, 6to4, Teredo, NAT64 ``64:ff9b::/96`` and
``64:ff9b:1::/48``) are judged as the IPv4 address they lead to. A host written as a number the
way libc's inet_aton and curl read it (``2130706433``, ``0x7f.1``, ``0177.0.0.1``, ``127.1``)
is the address it spells, and ``localhost`` and ``*.localhost`` are loopback whatever a DNS
server says (RFC 6761).

Names are resolved by the system's resolver, or by the DNS server named in the settings
(``dns_resolver``, ``$NEWSWIRE_DNS_RESOLVER``), see `guard_for`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

import dns.asyncresolver
import dns.exception
import dns.resolver

from newswire.config import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[str]]]

_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_SIIT = ipaddress.IPv6Network("::ffff:0:0:0/96")
# not global, though the ipaddress module of Python 3.11 says they are
_NOT_GLOBAL = (
    ipaddress.IPv4Network("192.0.0.0/24"),  # IETF protocol assignments
    ipaddress.IPv4Network("192.88.99.0/24"),  # 6to4 relay anycast (deprecated)
    ipaddress.IPv6Network("fec0::/10"),  # site-local (deprecated)
)
_NUMBER = re.compile(r"(?i)0x[0-9a-f]*|0[0-7]*|[1-9][0-9]*")
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
    if any(address in net for net in _NAT64) or address in _SIIT:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _IPV4_COMPATIBLE and int(address) > 1:  # not :: or ::1 themselves
        return ipaddress.IPv4Address(int(address))
    return None


def numeric_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address that ``host`` spells as inet_aton (and curl) read it: one to four parts,
    each decimal, ``0x`` hexadecimal or ``0`` octal, the last filling the remaining bytes
    (``127.1`` is 127.0.0.1, ``2130706433`` too); None when it is not such a number."""
    parts = host.rstrip(".").split(".")
    if not 1 <= len(parts) <= 4 or not all(_NUMBER.fullmatch(part) for part in parts):
        return None
    values = []
    for part in parts:
        if part[:2].lower() == "0x":
            values.append(int(part[2:] or "0", 16))
        elif part.startswith("0") and len(part) > 1:
            values.append(int(part, 8))
        else:
            values.append(int(part))
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (4 - len(head)):
        return None
    number = last
    for index, value in enumerate(head):
        number |= value << (8 * (3 - index))
    return ipaddress.IPv4Address(number)


def is_localhost_name(host: str) -> bool:
    """``localhost`` or a name under it: loopback by definition (RFC 6761)."""
    name = host.lower().rstrip(".")
    return name == "localhost" or name.endswith(".localhost")


async def system_resolver(host: str, port: int) -> list[str]:
    """The system's resolver (getaddrinfo, run off the event loop), TCP addresses only."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ResolutionFailed(f"{host}: {exc.strerror or exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def dns_server_resolver(server: str) -> Resolver:
    """A resolver asking the DNS server at ``server`` (``host:port``) for A and AAAA records."""
    host, _, port = server.rpartition(":")
    resolver = dns.asyncresolver.Resolver(configure=False)
    resolver.nameservers = [host.strip("[]") or "127.0.0.1"]
    resolver.port = int(port or 53)
    resolver.lifetime = 5.0

    async def resolve(name: str, port: int) -> list[str]:
        addresses: list[str] = []
        for rdtype in ("A", "AAAA"):
            try:
                answer = await resolver.resolve(name, rdtype)
            except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
                continue
            except dns.exception.DNSException as exc:
                raise ResolutionFailed(f"{name}: {exc}") from exc
            addresses.extend(str(record) for record in answer)
        return list(dict.fromkeys(addresses))

    return resolve


def guard_for(settings: Settings) -> NetGuard:
    """The guard every outbound connection of the wire goes through: the webhook allow-list,
    and the configured DNS server (``dns_resolver``) or the system's resolver."""
    resolver = dns_server_resolver(settings.dns_resolver) if settings.dns_resolver else None
    return NetGuard(allow=settings.webhook_allow, resolver=resolver or system_resolver)


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
        if any(ip.version == net.version and ip in net for net in _NOT_GLOBAL):
            return False
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
        """The addresses to connect to for ``host``: all checked. An IP literal (or a number
        spelling one, see `numeric_ipv4`) is checked as it is; ``localhost`` is 127.0.0.1; a
        name is resolved (or taken from the cache) and every address checked."""
        literal = host[1:-1] if host.startswith("[") and host.endswith("]") else host
        try:
            ipaddress.ip_address(literal.split("%", 1)[0])
        except ValueError:
            pass
        else:
            self.check(literal)
            return (literal,)
        number = numeric_ipv4(literal)
        if number is not None:
            self.check(str(number))
            return (str(number),)
        if is_localhost_name(host):
            if not self.is_allowed("127.0.0.1"):
                raise DestinationRefused(f"{host} resolves to 127.0.0.1, not a public address")
            return ("127.0.0.1",)
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
