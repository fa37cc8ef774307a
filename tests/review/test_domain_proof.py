"""Fetching a domain's proof file: only from the address the SSRF guard checked."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from newswire.config import load_settings
from newswire.review.domain_proof import check_well_known
from proof_servers import HTTP_PORT, ProofServers

TOKEN = "tok-3f9a"


class CheckedAs:
    """A guard that has checked a host and found these addresses (whatever DNS says later)."""

    def __init__(self, *addresses: str) -> None:
        self.addresses = list(addresses)
        self.asked: list[tuple[str, int]] = []

    async def resolve(self, host: str, port: int) -> Sequence[str]:
        self.asked.append((host, port))
        return self.addresses


def _check(tmp_path: Path, template: str, guard: CheckedAs) -> str | None:
    settings = load_settings(tmp_path, domain_check_url_template=template)
    return asyncio.run(check_well_known(settings, "acme.example", TOKEN, guard))


def test_the_file_comes_from_the_address_the_guard_checked_not_from_a_second_lookup(
    tmp_path: Path, proofs: ProofServers
) -> None:
    # "rebind.invalid" never resolves: a client that looked the name up again, as a DNS
    # rebinding attack relies on, could not fetch the file at all.
    proofs.files.well_known("acme.example", f"newswire-verification={TOKEN}\n")
    template = f"http://rebind.invalid:{HTTP_PORT}/{{domain}}/.well-known/newswire-verification.txt"
    guard = CheckedAs("127.0.0.1")

    assert _check(tmp_path, template, guard) is None
    assert guard.asked == [("rebind.invalid", HTTP_PORT)]
    assert proofs.files.requests == ["/acme.example/.well-known/newswire-verification.txt"]


def test_the_checked_address_is_used_even_when_the_url_names_another(
    tmp_path: Path, proofs: ProofServers
) -> None:
    # The URL's host is 127.0.0.1, where the file is served; the guard checked 127.0.0.2,
    # where nothing listens (the test server is bound to 127.0.0.1 only): the fetch goes to
    # the checked address and fails, naming why.
    proofs.files.well_known("acme.example", f"newswire-verification={TOKEN}\n")
    template = f"http://127.0.0.1:{HTTP_PORT}/{{domain}}/.well-known/newswire-verification.txt"

    error = _check(tmp_path, template, CheckedAs("127.0.0.2"))

    assert error is not None and "could not be fetched (ConnectError)" in error
    assert proofs.files.requests == []
