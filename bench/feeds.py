"""Feed benchmark: a cached feed served by the app against nginx serving the same bytes.

    .venv/bin/python bench/feeds.py [--releases N] [--connections C] [--duration S]
                                    [--threads T] [--rounds R] [--format atom|rss|json]
                                    [--gzip]

Seeds a fresh SQLite data folder with N published releases (realistic bodies, boilerplate and
contacts), starts the app under uvicorn (one worker, uvloop + httptools, no scheduler, no
access log), fetches /feeds/releases.<fmt> once (rendering it into the cache) and writes
those exact bytes into a temporary nginx root. nginx runs from a temporary config on a high
port (one worker process, sendfile, no access log). With two CPUs or more, both servers are
pinned to CPU 0 and wrk to CPU 1 (taskset). wrk then GETs each URL with the same threads,
connections and duration, in the same run, alternating app and nginx for R rounds; the rates
reported are the medians. Everything started here is stopped and the temporary folders
removed at the end. With --gzip, wrk asks for gzip: the app answers with the variant it
compressed once at render time, nginx with the same bytes as a .gz file (gzip_static).

Needs `nginx` and `wrk` on PATH (Debian: apt-get install nginx wrk).
Progress goes to stderr; the last line of stdout is one JSON object with rate, nginx_rate
and ratio (rate / nginx_rate).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path

from benchkit import free_port

PARAGRAPHS = [
    "{org} today announced that its {thing} in {city} has entered commercial operation "
    "{when}, after a construction period of {months} months and an investment of "
    "{money} million euros.",
    "The site employs {people} people and will supply about {homes} households. It is the "
    "{ordinal} project of its kind that {org} has completed in the region, and the first "
    "to use the company's own monitoring platform from day one.",
    "“This is a milestone for our customers and for the region,” said {person}, chief "
    "executive of {org}. “We delivered on time and on budget, and we are ready for the next "
    "phase.”",
    "Construction of a second phase is planned to begin in {year}. Details, images and a "
    "fact sheet are available at https://{slug}.example/press.",
]
THINGS = ["offshore wind farm", "battery storage park", "solar plant", "logistics hub"]
CITIES = ["Hamburg", "Rotterdam", "Lyon", "Porto", "Gdańsk", "Aarhus", "Valencia", "Turin"]
INDUSTRIES = [["wind-power"], ["solar-power"], ["utilities"], ["logistics"], ["banking"]]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def seed(data_dir: Path, releases: int) -> None:
    from newswire.actions import accounts
    from newswire.actions import releases as actions
    from newswire.actions.accounts import actor_for
    from newswire.actions.scheduler import run_once
    from newswire.config import load_settings
    from newswire.domain.lifecycle import Role
    from newswire.intake.validate import ReleaseInput, content_from_input
    from newswire.store.db import Database

    settings = load_settings(data_dir, base_url="http://127.0.0.1:8000")
    db = Database(settings)
    db.upgrade()
    start = datetime.now(UTC) - timedelta(hours=releases + 1)
    with db.session() as s:
        wire = accounts.create_organization(s, slug="desk", name="Newswire Desk", kind="wire")
        org = accounts.create_organization(
            s, slug="acme", name="Acme Renewables AG", website="https://acme.example"
        )
        editor = actor_for(
            accounts.create_user(
                s,
                email="e@wire.example",
                name="Eva",
                role=Role.EDITOR,
                organization=wire,
                password="bench-password",
            )
        )
        issuer = actor_for(
            accounts.create_user(
                s,
                email="p@acme.example",
                name="Jana",
                role=Role.ISSUER,
                organization=org,
                password="bench-password",
            )
        )
    for n in range(releases):
        at = start + timedelta(hours=n)
        words = {
            "org": "Acme Renewables AG",
            "thing": THINGS[n % len(THINGS)],
            "city": CITIES[n % len(CITIES)],
            "when": "three months ahead of schedule",
            "months": 18 + n,
            "money": 120 + 7 * n,
            "people": 40 + n,
            "homes": f"{(n + 3) * 11_000:,}",
            "ordinal": ["first", "second", "third", "fourth"][n % 4],
            "person": "Jana Becker",
            "year": 2027 + n % 3,
            "slug": "acme",
        }
        payload = {
            "headline": f"Acme Renewables opens {THINGS[n % len(THINGS)]} no. {n + 1} in "
            f"{CITIES[n % len(CITIES)]}",
            "subheadline": f"The site will supply about {words['homes']} households",
            "dateline": {"city": CITIES[n % len(CITIES)], "country": "DE"},
            "body": "\n\n".join(p.format(**words) for p in PARAGRAPHS),
            "boilerplate": "Acme Renewables AG builds and operates wind and solar farms, "
            "storage parks and grid connections in twelve European countries.",
            "contacts": [
                {"name": "Jana Becker", "email": "press@acme.example", "phone": "+49 40 1234567"}
            ],
            "industries": INDUSTRIES[n % len(INDUSTRIES)],
            "regions": ["DE", "EU"],
            "language": "en",
            "keywords": ["energy"],
        }
        content = content_from_input(ReleaseInput.model_validate(payload), now=at)
        with db.session() as s:
            release = actions.create_release(s, issuer, content, submit=True, now=at)
            actions.approve(s, editor, release.id, override_reason="benchmark data", now=at)
        run_once(db, now=at + timedelta(seconds=1))
    db.dispose()


def serve(data_dir: Path, port: int) -> None:
    """Run in the child process: the app under uvicorn, one worker."""
    import uvicorn

    from newswire.config import load_settings
    from newswire.web import feeds
    from newswire.web.app import create_app

    settings = load_settings(data_dir, base_url=f"http://127.0.0.1:{port}")
    app = create_app(settings, run_scheduler=False, migrate=False)
    feeds.install(app)  # a no-op where create_app already does it
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        workers=1,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
    )


def wait_for(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                response.read()
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def fetch(url: str, encoding: str = "identity") -> tuple[bytes, Message]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read(), response.headers


NGINX_CONF = """\
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  types {{ {media_type} {ext}; }}
  server {{
    listen 127.0.0.1:{port};
    root {root};
    etag on;
    gzip_static {gzip_static};
  }}
}}
"""


def pinned(cpu: int | None) -> list[str]:
    """A taskset prefix that keeps a process on one CPU (none when there is one CPU)."""
    if cpu is None or shutil.which("taskset") is None:
        return []
    return ["taskset", "-c", str(cpu)]


def wrk(
    url: str, *, threads: int, connections: int, duration: int, cpu: int | None, gzip: bool
) -> dict[str, float]:
    header = ["-H", "Accept-Encoding: gzip"] if gzip else []
    out = subprocess.run(
        [
            *pinned(cpu),
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            *header,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    log(out)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return {
        "rate": rate,
        "non_2xx": float(bad.group(1)) if bad else 0.0,
        "socket_errors": 1.0 if errors else 0.0,
        "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan"),
    }


def stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--releases", type=int, default=20)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--gzip",
        action="store_true",
        help="request gzip: the app's precompressed variant against nginx gzip_static",
    )
    parser.add_argument("--format", choices=["atom", "rss", "json"], default="atom")
    parser.add_argument("--serve", nargs=2, metavar=("DATA_DIR", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve[0]), int(args.serve[1]))
        return
    for tool in ("nginx", "wrk"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed (Debian: apt-get install nginx wrk)")

    tmp = Path(tempfile.mkdtemp(prefix="newswire-bench-feeds-"))
    app_proc: subprocess.Popen[bytes] | None = None
    nginx_proc: subprocess.Popen[bytes] | None = None
    try:
        data_dir = tmp / "data"
        log(f"seeding {args.releases} releases in {data_dir} ...")
        seed(data_dir, args.releases)

        app_port, nginx_port = free_port(), free_port()
        # Two CPUs or more: each server on CPU 0, wrk on CPU 1, so that neither side steals
        # from the other and both servers get the same single core.
        server_cpu, client_cpu = (0, 1) if (os.cpu_count() or 1) >= 2 else (None, None)
        app_proc = subprocess.Popen(
            [
                *pinned(server_cpu),
                sys.executable,
                __file__,
                "--serve",
                str(data_dir),
                str(app_port),
            ],
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        path = f"/feeds/releases.{args.format}"
        app_url = f"http://127.0.0.1:{app_port}{path}"
        wait_for(f"http://127.0.0.1:{app_port}/healthz")
        body, headers = fetch(app_url)  # renders the feed into the cache
        again, _ = fetch(app_url)
        assert again == body, "the cached feed changed between two reads"
        log(f"feed: {len(body)} bytes, {headers.get('Content-Type')}, ETag {headers.get('ETag')}")

        root = tmp / "www"
        (root / "feeds").mkdir(parents=True)
        (root / path.lstrip("/")).write_bytes(body)
        if args.gzip:  # the app's precompressed variant, served by nginx's gzip_static
            zipped, zipped_headers = fetch(app_url, "gzip")
            assert zipped_headers.get("Content-Encoding") == "gzip"
            (root / (path.lstrip("/") + ".gz")).write_bytes(zipped)
            log(f"gzip variant: {len(zipped)} bytes")
        for readable in (tmp, root, root / "feeds"):  # nginx workers run as an unprivileged user
            readable.chmod(0o755)
        for served in (root / "feeds").iterdir():
            served.chmod(0o644)
        media_type = headers.get("Content-Type", "application/octet-stream").split(";")[0]
        conf = tmp / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                tmp=tmp,
                port=nginx_port,
                root=root,
                media_type=media_type,
                ext=args.format,
                gzip_static="on" if args.gzip else "off",
            )
        )
        nginx_proc = subprocess.Popen(
            [*pinned(server_cpu), "nginx", "-c", str(conf), "-p", str(tmp)]
        )
        nginx_url = f"http://127.0.0.1:{nginx_port}{path}"
        wait_for(nginx_url)
        assert fetch(nginx_url)[0] == body, "nginx serves different bytes"
        if args.gzip:
            assert fetch(nginx_url, "gzip")[0] == zipped, "nginx serves different gzip bytes"

        load = {
            "threads": args.threads,
            "connections": args.connections,
            "duration": 2,
            "cpu": client_cpu,
            "gzip": args.gzip,
        }
        wrk(app_url, **load)  # warm-up, both
        wrk(nginx_url, **load)
        load["duration"] = args.duration
        apps, nginxes = [], []
        for n in range(args.rounds):  # alternate, so that a noisy moment hits both sides
            log(f"round {n + 1}/{args.rounds}: wrk app {app_url}")
            apps.append(wrk(app_url, **load))
            log(f"round {n + 1}/{args.rounds}: wrk nginx {nginx_url}")
            nginxes.append(wrk(nginx_url, **load))
        for name, results in (("app", apps), ("nginx", nginxes)):
            if any(r["non_2xx"] or r["socket_errors"] for r in results):
                log(f"warning: {name} had non-2xx responses or socket errors")
        rate = statistics.median(r["rate"] for r in apps)
        nginx_rate = statistics.median(r["rate"] for r in nginxes)
        result = {
            "benchmark": "feeds",
            "format": args.format,
            "bytes": len(zipped) if args.gzip else len(body),
            "gzip": args.gzip,
            "entries": args.releases,
            "threads": args.threads,
            "connections": args.connections,
            "duration_s": args.duration,
            "rounds": args.rounds,
            "pinned": server_cpu is not None and bool(pinned(server_cpu)),
            "rates": [round(r["rate"], 1) for r in apps],
            "round_ratios": [
                round(a["rate"] / n["rate"], 3) for a, n in zip(apps, nginxes, strict=True)
            ],
            "nginx_rates": [round(r["rate"], 1) for r in nginxes],
            "p99_ms": round(statistics.median(r["p99_ms"] for r in apps), 2),
            "nginx_p99_ms": round(statistics.median(r["p99_ms"] for r in nginxes), 2),
            "app_non_2xx": int(sum(r["non_2xx"] for r in apps)),
            "cpus": os.cpu_count(),
            "loadavg_1m": round(os.getloadavg()[0], 2),  # other work on the machine
            "rate": round(rate, 1),
            "nginx_rate": round(nginx_rate, 1),
            "ratio": round(rate / nginx_rate, 3),
        }
        print(json.dumps(result), flush=True)
    finally:
        stop(nginx_proc)
        stop(app_proc)
        with contextlib.suppress(OSError):
            shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
