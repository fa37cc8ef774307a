"""A NATS JetStream server of the test's own (`nats-server` on a port and store folder the test
chooses), so that a test can kill -9 it and start it again without touching the shared one."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest


def nats_server_binary() -> str:
    """The nats-server executable; skips the test when there is none (fails under CI=true)."""
    found = shutil.which("nats-server")
    if found is None:
        problem = "nats-server is not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(problem + " (CI=true: NATS is required)")
        pytest.skip(problem)
    return found


class NatsServer:
    """`nats-server -js` on 127.0.0.1:`port`, its store under `store`; `kill` is kill -9."""

    def __init__(self, port: int, store: Path) -> None:
        self.port = port
        self.store = store
        self.binary = nats_server_binary()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self, *, fresh_store: bool = False) -> NatsServer:
        """Start (again); `fresh_store`: as on a new machine, the old store is gone."""
        if fresh_store:
            shutil.rmtree(self.store, ignore_errors=True)
        self.process = subprocess.Popen(
            [self.binary, "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd", str(self.store)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                assert self.process.poll() is None, "nats-server exited on start"
                assert time.monotonic() < deadline, "nats-server never listened"
                time.sleep(0.05)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        if self.process is not None:
            self.process.wait(10)
        self.process = None
