"""Approve-to-first-delivery latency on the embedded default.

Starts `newswire serve` (SQLite, in-process bus, scheduler and worker in one process) on a fresh
data folder, with one partner site whose webhook is a local receiver. For each of N releases
(default 100): file and submit it over the API, then time from the editor's approve request to
the receiver getting the signed webhook. In the same run, the raw floor: a plain POST of the
same body from this process to the same receiver.

    .venv/bin/python bench/publish_latency.py [--releases 100]

Last line: JSON with releases, p50_ms, p99_ms, max_ms, raw_post_p50_ms, lost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from aiohttp import web
from benchkit import call, free_port, release

NEWSWIRE = [sys.executable, "-c", "from newswire.cli import main; main()"]


class Receiver:
    def __init__(self) -> None:
        self.arrivals: dict[str, float] = {}
        self.port = 0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.arrivals.setdefault(body.get("uri", "raw"), time.perf_counter())
        return web.Response(status=204)

    def start(self) -> None:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            app = web.Application()
            app.router.add_post("/{tail:.*}", self.handle)
            runner = web.AppRunner(app, access_log=None)
            loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, "127.0.0.1", 0)
            loop.run_until_complete(site.start())
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            ready.set()
            loop.run_forever()

        threading.Thread(target=run, daemon=True).start()
        ready.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--releases", type=int, default=100)
    args = parser.parse_args()

    receiver = Receiver()
    receiver.start()
    data = Path(tempfile.mkdtemp(prefix="newswire-bench-"))
    env = {**os.environ, "NEWSWIRE_DATA": str(data), "NEWSWIRE_WEBHOOK_ALLOW": "127.0.0.0/8"}
    env.pop("DATABASE_URL", None)

    def cli(*words: str) -> str:
        return subprocess.run(
            [*NEWSWIRE, *words], env=env, check=True, capture_output=True, text=True
        ).stdout

    cli("org", "create", "desk", "Desk", "--kind", "wire")
    cli("org", "create", "acme", "Acme")
    cli(
        "user",
        "create",
        "ed@desk.example",
        "--name",
        "Ed",
        "--role",
        "editor",
        "--org",
        "desk",
        "--password",
        "benchmark",
    )
    cli(
        "user",
        "create",
        "pr@acme.example",
        "--name",
        "Pr",
        "--role",
        "issuer",
        "--org",
        "acme",
        "--password",
        "benchmark",
    )
    editor = cli("apikey", "create", "--as", "ed@desk.example").strip()
    issuer = cli("apikey", "create", "--as", "pr@acme.example").strip()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*NEWSWIRE, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        call("POST", f"{base}/api/v1/recipients", editor, {
            "kind": "partner", "name": "Portal", "webhook_url": f"http://127.0.0.1:{receiver.port}/hook",
            "subscriptions": [{"industries": ["energy"]}],
        })  # fmt: skip
        latencies, lost = [], 0
        for n in range(args.releases):
            rid = call("POST", f"{base}/api/v1/releases?submit=true", issuer, release(n))["id"]
            uri = f"urn:newswire:release:{rid}"
            started = time.perf_counter()
            call(
                "POST",
                f"{base}/api/v1/releases/{rid}/approve",
                editor,
                {"override_reason": "benchmark"},
            )
            deadline = started + 10
            while uri not in receiver.arrivals and time.perf_counter() < deadline:
                time.sleep(0.0005)
            if uri in receiver.arrivals:
                latencies.append((receiver.arrivals[uri] - started) * 1000)
            else:
                lost += 1
            print(f"\r{n + 1}/{args.releases}", end="", file=sys.stderr)
        print(file=sys.stderr)
        raw = []
        body = json.dumps({"uri": "raw"}).encode()
        for _ in range(args.releases):
            receiver.arrivals.pop("raw", None)
            started = time.perf_counter()
            urllib.request.urlopen(
                urllib.request.Request(
                    f"http://127.0.0.1:{receiver.port}/raw", data=body, method="POST"
                ),
                timeout=5,
            )
            raw.append((receiver.arrivals["raw"] - started) * 1000)
    finally:
        server.terminate()
        server.wait(10)
    latencies.sort()
    result = {
        "releases": args.releases,
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 1),
        "max_ms": round(latencies[-1], 1),
        "raw_post_p50_ms": round(statistics.median(raw), 2),
        "lost": lost,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
