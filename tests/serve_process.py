"""Real `newswire` processes (`serve`, `worker`, `gateway`) on a data folder, for tests of what
only a process shows (proxy headers as uvicorn reads them, how fast it stops, kill -9)."""

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
    process = newswire_process("serve", "--port", str(port), env=environment)
    try:
        wait_answering(process, f"http://127.0.0.1:{port}/login")
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)


def newswire_process(
    *args: str, env: dict[str, str], log: Path | None = None
) -> subprocess.Popen[bytes]:
    """`newswire ARGS...` with exactly `env` as its environment (stdout and stderr appended to
    `log`, else discarded)."""
    output = open(log, "ab") if log is not None else subprocess.DEVNULL  # noqa: SIM115
    command = [sys.executable, "-c", "from newswire.cli import main; main()", *args]
    try:
        return subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    finally:
        if log is not None:
            output.close()  # type: ignore[union-attr]


def wait_answering(process: subprocess.Popen[bytes], url: str, timeout: float = 30) -> None:
    """Until `url` answers over HTTP (any status); fails if the process exits first."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            assert process.poll() is None, f"{process.args[3:]} exited on start"
            assert time.monotonic() < deadline, f"{process.args[3:]} never answered at {url}"
            time.sleep(0.1)
