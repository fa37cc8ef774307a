"""A real `newswire serve` process on a fresh data folder, for tests of what only a process shows
(proxy headers as uvicorn reads them, how fast it stops)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from newswire.config import load_settings
from newswire.store.db import Database


@contextmanager
def serving(data: Path, port: int, **env: str) -> Iterator[subprocess.Popen[bytes]]:
    """`newswire serve --port PORT` on DATA (upgraded first), ready to answer, stopped after;
    `env` adds to the environment (DATABASE_URL for another database than DATA's SQLite)."""
    environment = {**os.environ, "NEWSWIRE_DATA": str(data), **env}
    if "DATABASE_URL" not in env:
        environment.pop("DATABASE_URL", None)
    for name in ("NEWSWIRE_TRUSTED_PROXIES", "FORWARDED_ALLOW_IPS"):
        if name not in env:
            environment.pop(name, None)
    db = Database(
        load_settings(
            data, **({"database_url": env["DATABASE_URL"]} if "DATABASE_URL" in env else {})
        )
    )
    db.upgrade()
    db.dispose()
    command = [sys.executable, "-c", "from newswire.cli import main; main()", "serve"]
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/login", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, "newswire serve exited on start"
                assert time.monotonic() < deadline, "newswire serve never answered"
                time.sleep(0.1)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
