"""X-Forwarded-For is believed only from NEWSWIRE_TRUSTED_PROXIES: a client on loopback cannot
escape the sign-in throttle by naming another address in the header."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from newswire.web import session
from serve_process import serving


def _failed_sign_in(client: httpx.Client, forwarded_for: str) -> int:
    page = client.get("/login")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the login page has no CSRF token"
    answer = client.post(
        "/login",
        data={"email": "nobody@example.com", "password": "guess", "csrf_token": found.group(1)},
        headers={"X-Forwarded-For": forwarded_for},
    )
    return answer.status_code


def _statuses(port: int) -> list[int]:
    """One failed sign-in more than the throttle allows, each from a new forwarded address."""
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        return [_failed_sign_in(client, f"203.0.113.{n}") for n in range(session.MAX_FAILURES + 1)]


def test_the_throttle_holds_against_forged_forwarded_headers(tmp_path: Path) -> None:
    with serving(tmp_path / "data", 18401):
        statuses = _statuses(18401)
    assert statuses[: session.MAX_FAILURES] == [401] * session.MAX_FAILURES
    assert statuses[-1] == 429  # a new X-Forwarded-For does not make a new client


def test_a_trusted_proxy_s_forwarded_address_is_the_client(tmp_path: Path) -> None:
    with serving(tmp_path / "data", 18402, NEWSWIRE_TRUSTED_PROXIES="127.0.0.1"):
        statuses = _statuses(18402)
    assert statuses == [401] * (session.MAX_FAILURES + 1)  # each address is its own client
