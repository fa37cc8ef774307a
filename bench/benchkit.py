"""What the benchmarks share: a free port, a call to our API, and a sample release.

The benchmarks run as scripts (`.venv/bin/python bench/NAME.py`), so this folder is on their
import path."""

from __future__ import annotations

import json
import socket
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def call(method: str, url: str, key: str, body: object | None = None) -> dict:
    """One JSON request to the newswire API with an API key; the JSON answer."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Bearer {key}")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


def release(n: int, test: str = "Test") -> dict:
    """The n-th of a set of similar, valid releases (distinct headlines, so no duplicate check
    holds one back)."""
    return {
        "headline": f"Benchmark Release Number {n} Announces Results of {test} {n * 7919}",
        "dateline": {"city": "Hamburg", "country": "DE"},
        "body": f"Release {n}: Acme commissioned turbine park {n} in the North Sea today. " * 3,
        "language": "en",
        "industries": ["energy"],
        "boilerplate": "Acme builds wind farms.",
        "contacts": [{"name": "Press", "email": "press@acme.example"}],
    }
