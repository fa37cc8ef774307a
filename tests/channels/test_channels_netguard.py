"""The SSRF guard: which addresses it refuses, allow-lists, resolution of names. No traffic: names
are resolved by stubs (or /etc/hosts for localhost) and nothing connects."""

from __future__ import annotations

import asyncio

import pytest

from newswire.channels.netguard import (
    LOOPBACK,
    DestinationRefused,
    NetGuard,
    ResolutionFailed,
    numeric_ipv4,
)

REFUSED = [
    "10.0.0.1",
    "10.255.255.254",
    "172.16.0.1",
    "172.31.255.1",
    "192.168.1.10",
    "169.254.169.254",  # cloud metadata
    "127.0.0.1",
    "127.1.2.3",
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "::ffff:10.0.0.1",  # IPv4-mapped
    "::ffff:127.0.0.1",
    "2002:c0a8:0101::1",  # 6to4 of 192.168.1.1
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "ff02::1",
    "::7f00:1",  # IPv4-compatible ::127.0.0.1
    "::a00:1",  # IPv4-compatible ::10.0.0.1
    "::ffff:0:7f00:1",  # SIIT IPv4-translated 127.0.0.1
    "64:ff9b:1::a00:1",  # local-use NAT64 of 10.0.0.1
    "192.0.0.1",  # IETF protocol assignments
    "192.0.0.170",
    "192.88.99.1",  # 6to4 relay anycast
    "fec0::1",  # site-local
]
ALLOWED = ["93.184.216.34", "1.1.1.1", "8.8.8.8", "2606:4700:4700::1111", "::ffff:93.184.216.34"]


@pytest.mark.parametrize("address", REFUSED)
def test_non_public_addresses_are_refused(address: str) -> None:
    guard = NetGuard()
    assert not guard.is_allowed(address)
    with pytest.raises(DestinationRefused):
        guard.check(address)


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_are_allowed(address: str) -> None:
    NetGuard().check(address)


def test_allow_list_opens_exactly_the_listed_networks() -> None:
    guard = NetGuard(allow=LOOPBACK)
    assert guard.is_allowed("127.0.0.1") and guard.is_allowed("127.9.9.9")
    assert guard.is_allowed("::1")
    assert not guard.is_allowed("10.0.0.1")
    assert not guard.is_allowed("192.168.0.1")
    partial = NetGuard(allow=["10.1.0.0/16"])
    assert partial.is_allowed("10.1.2.3") and not partial.is_allowed("10.2.0.1")


def stub_resolver(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    calls: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        await asyncio.sleep(0.01)
        if host not in table:
            raise ResolutionFailed(f"{host}: not found")
        return table[host]

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


def test_every_resolved_address_must_be_allowed() -> None:
    resolver = stub_resolver(
        {
            "public.test": ["93.184.216.34", "2606:4700:4700::1111"],
            "mixed.test": ["93.184.216.34", "10.0.0.7"],  # one bad apple spoils it
            "meta.test": ["169.254.169.254"],
            "lan.test": ["192.168.0.20"],
        }
    )
    guard = NetGuard(resolver=resolver)

    async def scenario() -> None:
        assert await guard.resolve("public.test", 443) == ("93.184.216.34", "2606:4700:4700::1111")
        for name in ("mixed.test", "meta.test", "lan.test"):
            with pytest.raises(DestinationRefused, match=name):
                await guard.resolve(name, 443)
        with pytest.raises(ResolutionFailed):
            await guard.resolve("missing.test", 443)

    asyncio.run(scenario())


def test_ip_literals_are_checked_without_resolving() -> None:
    resolver = stub_resolver({})
    guard = NetGuard(resolver=resolver)

    async def scenario() -> None:
        assert await guard.resolve("93.184.216.34", 80) == ("93.184.216.34",)
        for literal in ("10.0.0.1", "192.168.1.1", "169.254.169.254", "127.0.0.1", "[::1]"):
            with pytest.raises(DestinationRefused):
                await guard.resolve(literal, 80)

    asyncio.run(scenario())
    assert resolver.calls == []  # type: ignore[attr-defined]


def test_localhost_is_refused_unless_loopback_is_allowed() -> None:
    async def scenario() -> None:
        with pytest.raises(DestinationRefused):
            await NetGuard().resolve("localhost", 80)
        addresses = await NetGuard(allow=LOOPBACK).resolve("localhost", 80)
        assert addresses and all(a in ("127.0.0.1", "::1") for a in addresses)

    asyncio.run(scenario())


def test_concurrent_lookups_of_one_name_resolve_once_and_are_cached() -> None:
    resolver = stub_resolver({"hooks.test": ["93.184.216.34"]})
    guard = NetGuard(resolver=resolver)

    async def scenario() -> None:
        results = await asyncio.gather(*(guard.resolve("hooks.test", 443) for _ in range(50)))
        assert set(results) == {("93.184.216.34",)}
        await guard.resolve("HOOKS.test.", 443)

    asyncio.run(scenario())
    assert resolver.calls == ["hooks.test"]  # type: ignore[attr-defined]


def test_cached_answers_are_rechecked_against_the_allow_list() -> None:
    resolver = stub_resolver({"hooks.test": ["127.0.0.1"]})
    open_guard = NetGuard(allow=LOOPBACK, resolver=resolver)

    async def scenario() -> None:
        assert await open_guard.resolve("hooks.test", 80) == ("127.0.0.1",)
        open_guard._networks = ()  # the allow-list was tightened
        with pytest.raises(DestinationRefused):
            await open_guard.resolve("hooks.test", 80)

    asyncio.run(scenario())


# as libc's inet_aton and curl read them
NUMERIC = {
    "2130706433": "127.0.0.1",
    "0x7f000001": "127.0.0.1",
    "0x7f.1": "127.0.0.1",
    "0177.0.0.1": "127.0.0.1",
    "017700000001": "127.0.0.1",
    "127.1": "127.0.0.1",
    "127.0.1": "127.0.0.1",
    "0": "0.0.0.0",
    "0x0a.0.0.1": "10.0.0.1",
    "192.168.0x101": "192.168.1.1",
    "2852039166": "169.254.169.254",
    "0xa9.0xfe.0xa9.0xfe": "169.254.169.254",
    "1572395042": "93.184.216.34",
}


@pytest.mark.parametrize(("spelling", "address"), NUMERIC.items())
def test_numeric_spellings_of_an_address_are_read_as_libc_reads_them(
    spelling: str, address: str
) -> None:
    assert str(numeric_ipv4(spelling)) == address


@pytest.mark.parametrize("name", ["1.2.3.4.5", "0x1g", "08.0.0.1", "256.1.1.1", "4294967296", "a1"])
def test_names_that_only_look_numeric_are_names(name: str) -> None:
    assert numeric_ipv4(name) is None


def test_a_numeric_spelling_is_checked_as_the_address_it_spells_without_resolving() -> None:
    resolver = stub_resolver({})
    guard = NetGuard(resolver=resolver)

    async def scenario() -> None:
        for spelling, address in NUMERIC.items():
            if address == "93.184.216.34":
                assert await guard.resolve(spelling, 80) == (address,)
            else:
                with pytest.raises(DestinationRefused, match="not a public address"):
                    await guard.resolve(spelling, 80)

    asyncio.run(scenario())
    assert resolver.calls == []  # type: ignore[attr-defined]


def test_localhost_names_are_loopback_whatever_the_dns_server_says() -> None:
    resolver = stub_resolver({"localhost": ["93.184.216.34"], "a.localhost": ["93.184.216.34"]})

    async def scenario() -> None:
        for name in ("localhost", "LOCALHOST.", "a.localhost"):
            with pytest.raises(DestinationRefused):
                await NetGuard(resolver=resolver).resolve(name, 80)

    asyncio.run(scenario())
    assert resolver.calls == []  # type: ignore[attr-defined]
