"""Webhook fan-out benchmark: one release (~2 KB of ninjs) to N endpoints, against wrk's raw limit.

    .venv/bin/python bench/fanout_webhooks.py [--endpoints N] [--connections C] [--runs R]

Starts nginx from a temporary config on a free high port (one worker process, answering every
POST with 204, logging each request's URI to a buffered access log), then, in the same run:

1. wrk POSTs the same body to the same receiver with the same connection count (one thread,
   5 s): the raw limit of this machine for this exchange;
2. `WebhookChannel` (uvloop) sends the release to N distinct endpoint URLs on that receiver,
   each signed with its own secret (Standard Webhooks), at most C connections to the host,
   and collects N receipts. A warm-up batch of C deliveries opens the connections first (a
   running worker keeps them open). Repeated R times; the median run is reported.

Nothing is lost when every receipt says delivered and nginx logged each endpoint's URI once per
run. nginx is stopped and the temporary folder removed at the end.

Needs `nginx` and `wrk` on PATH (Debian: apt-get install nginx wrk). Progress goes to stderr;
the last line of stdout is one JSON object: endpoints, seconds, rate, raw_rate, ratio, lost.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

import uvloop
from benchkit import free_port

from newswire.channels.base import OutboundMessage, Outcome
from newswire.channels.netguard import LOOPBACK, NetGuard
from newswire.channels.webhook import WebhookChannel, WebhookPayload, WebhookSettings

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    log_format uri '$request_uri';
    access_log {tmp}/access.log uri buffer=1m;
    keepalive_requests 1000000;
    keepalive_timeout 120s;
    client_body_buffer_size 64k;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location / {{ return 204; }}
    }}
}}
"""

WRK_SCRIPT = """
wrk.method = "POST"
local f = io.open("{body}", "rb"); wrk.body = f:read("*a"); f:close()
wrk.headers["Content-Type"] = "application/json"
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ninjs_body() -> bytes:
    """A realistic ninjs 2.2 document of about 2 KB."""
    document = {
        "$schema": "http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json",
        "uri": "urn:newswire:release:8f3c2a",
        "version": "1",
        "type": "text",
        "profile": "press-release",
        "language": "en",
        "urgency": 5,
        "firstcreated": "2026-03-03T08:00:00Z",
        "versioncreated": "2026-03-03T08:00:00Z",
        "headlines": [{"value": "Acme switches on the North Sea's largest offshore wind farm"}],
        "descriptions": [
            {"role": "summary", "value": "Nordlicht's 120 turbines will power 1.2 million homes."}
        ],
        "bodies": [
            {
                "role": "main",
                "contenttype": "text/html",
                "value": "<p>HAMBURG, 3 March 2026 — Acme Energy today switched on Nordlicht, "
                "the largest offshore wind farm in the North Sea, after 26 months of "
                "construction and an investment of 2.1 billion euros.</p><p>The site employs "
                "340 people and will supply about 1.2 million households. It is the third "
                "project of its kind that Acme has completed in the region.</p><p>“This is a "
                "milestone for our customers and for the region,” said Maria Jensen, chief "
                "executive of Acme Energy. “We delivered on time and on budget.”</p><p>About "
                "Acme Energy: Acme builds and runs renewable power plants in nine countries, "
                "with 4,800 employees and 6.3 gigawatts in operation. Media contact: Jonas "
                "Weber, press@acme-energy.example, +49 40 555 0100.</p>",
            }
        ],
        "subjects": [
            {"name": "wind power", "uri": "http://cv.iptc.org/newscodes/mediatopic/20000264"},
            {"name": "energy industry", "uri": "http://cv.iptc.org/newscodes/mediatopic/20000257"},
        ],
        "places": [
            {"name": "Germany", "uri": "http://cvx.iptc.org/iso3166-1a2/DE"},
            {"name": "Denmark", "uri": "http://cvx.iptc.org/iso3166-1a2/DK"},
        ],
        "keywords": ["offshore wind", "North Sea", "renewable energy", "Nordlicht"],
        "copyrightnotice": "© 2026 Acme Energy. Distributed by Newswire.",
        "organisations": [{"name": "Acme Energy", "symbols": [{"ticker": "ACME"}]}],
        "genres": [{"name": "Press release", "uri": "urn:newswire:genre:press-release"}],
        "renditions": [
            {
                "name": "html",
                "href": "https://wire.example.com/releases/8f3c2a/v1",
                "contenttype": "text/html",
            }
        ],
    }
    return json.dumps(document, ensure_ascii=False).encode()


def wrk_rate(url: str, script: Path, connections: int, duration: int = 5) -> float:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "-s", str(script), url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    return float(match.group(1))


async def fan_out(
    port: int, body: bytes, endpoints: int, connections: int, runs: int
) -> list[tuple[float, int, list[str]]]:
    channel = WebhookChannel(
        WebhookSettings(per_host=connections, max_in_flight=connections),
        NetGuard(allow=LOOPBACK),
    )
    secret_list = [
        "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode() for _ in range(endpoints)
    ]
    warm_payload = WebhookPayload(body, ("whsec_" + base64.b64encode(b"w" * 24).decode(),))
    warm = [
        OutboundMessage(f"warm-{i}", f"http://127.0.0.1:{port}/warm/{i}", warm_payload)
        for i in range(connections)
    ]
    results = []
    for run in range(runs):
        messages = [
            OutboundMessage(
                f"dlv-{run}-{i}",
                f"http://127.0.0.1:{port}/hooks/{i}/events?run={run}",
                WebhookPayload(body, (secret_list[i],)),
            )
            for i in range(endpoints)
        ]
        await channel.send_batch(warm)
        started = time.perf_counter()
        receipts = await channel.send_batch(messages)
        seconds = time.perf_counter() - started
        delivered = sum(r.outcome is Outcome.DELIVERED for r in receipts)
        failures = [f"{r.delivery_id}: {r.outcome} {r.detail}" for r in receipts if not r.ok]
        log(f"run {run}: {endpoints} endpoints in {seconds:.3f} s = {endpoints / seconds:,.0f}/s")
        results.append((seconds, endpoints - delivered, failures[:5]))
    await channel.aclose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoints", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for tool in ("nginx", "wrk"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed (Debian: apt-get install nginx wrk)")

    tmp = Path(tempfile.mkdtemp(prefix="nw-fanout-webhooks-"))
    os.chmod(tmp, 0o755)  # nginx's worker runs as an unprivileged user
    nginx: subprocess.Popen[bytes] | None = None
    try:
        port = free_port()
        (tmp / "nginx.conf").write_text(NGINX_CONF.format(tmp=tmp, port=port))
        body = ninjs_body()
        (tmp / "body.json").write_bytes(body)
        (tmp / "post.lua").write_text(WRK_SCRIPT.format(body=tmp / "body.json"))
        nginx = subprocess.Popen(["nginx", "-c", str(tmp / "nginx.conf"), "-p", str(tmp)])
        for _ in range(100):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(
                    urllib.request.Request(f"http://127.0.0.1:{port}/ping", b"{}"), timeout=1
                )
                break
            time.sleep(0.05)
        log(f"nginx on 127.0.0.1:{port}; body {len(body)} bytes")

        raw_rate = wrk_rate(f"http://127.0.0.1:{port}/raw", tmp / "post.lua", args.connections)
        log(f"wrk -t1 -c{args.connections}: {raw_rate:,.0f} POSTs/s")

        results = uvloop.run(fan_out(port, body, args.endpoints, args.connections, args.runs))
    finally:
        if nginx is not None:
            nginx.terminate()  # SIGTERM: nginx flushes its buffered access log and exits
            nginx.wait(timeout=10)
    try:
        seen = Counter(
            line.split("?run=")[1]
            for line in (tmp / "access.log").read_text().splitlines()
            if line.startswith("/hooks/")
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    lost = 0
    for run, (_seconds, undelivered, failures) in enumerate(results):
        logged = seen.get(str(run), 0)
        lost += max(undelivered, args.endpoints - logged)
        if undelivered or logged != args.endpoints:
            log(f"run {run}: {undelivered} receipts not delivered, nginx logged {logged}")
            for failure in failures:
                log(f"  {failure}")
    seconds = statistics.median(s for s, _, _ in results)
    rate = args.endpoints / seconds
    print(
        json.dumps(
            {
                "endpoints": args.endpoints,
                "seconds": round(seconds, 3),
                "rate": round(rate, 1),
                "raw_rate": round(raw_rate, 1),
                "ratio": round(rate / raw_rate, 3),
                "lost": lost,
                "connections": args.connections,
                "runs": [round(args.endpoints / s, 1) for s, _, _ in results],
            }
        )
    )


if __name__ == "__main__":
    main()
