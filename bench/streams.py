"""Stream fan-out: N concurrent SSE terminals on one server process, against nginx + nchan.

Starts `newswire serve` (uvicorn, one worker, SQLite, scheduler in-process) on a fresh data
folder and files 20 releases over the API. A separate client process (asyncio + uvloop, raw
protocols, RLIMIT_NOFILE raised) opens N SSE connections to `GET /api/v1/stream`; then the
editor approves one release every 500 ms over the public API (the scheduler wakes on approval
and publishes); `--warmup` releases (default 1) go first, unmeasured, `--settle` seconds (default
2) before the measured ones, so that the first fan-outs after 10,000 connections arrived (and
the garbage collection their setup leaves due) are not what is measured. Latency is
publish-to-receipt: from the moment the publishing transaction
stamped the stream event (`stream_events.created_at`, microseconds, read from the database
after the run; it is taken before rendering and commit, so it errs on the slow side) to the
client's arrival time for each connection. The rate is deliveries per second within each
release's fan-out burst (first to last arrival), median over releases.

In the same run the same client load subscribes to nginx with the nchan module
(`nchan_subscriber_first_message newest`, one worker process) and the same 20 ninjs documents
are posted to nchan's publisher endpoint 500 ms apart (after the same warm-up); latency from
just before each POST.

    .venv/bin/python bench/streams.py [--clients 10000] [--releases 20] [--gap 0.5]
        [--warmup 1] [--settle 2] [--only newswire|nchan]

Last line: JSON with clients, p50_ms, p99_ms, rate, nchan_p99_ms, nchan_rate, missed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from benchkit import call, free_port, release

NEWSWIRE = [sys.executable, "-c", "from newswire.cli import main; main()"]
MARK = b"\nid: "


def raise_nofile() -> int:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# --- the client process -----------------------------------------------------------------------


class Terminal(asyncio.Protocol):
    """One SSE connection: records (event id, arrival time) for every `id:` line."""

    def __init__(self, request: bytes, arrivals: dict[bytes, list[float]], ready: asyncio.Future):
        self.request = request
        self.arrivals = arrivals
        self.ready = ready
        self.head = b""
        self.tail: bytes | None = None  # None until the response head is complete
        self.count = 0
        self.lost = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.write(self.request)  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        now = time.time()
        if self.tail is None:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            status = self.head.split(b" ", 2)[1]
            if not self.ready.done():
                if status == b"200":
                    self.ready.set_result(None)
                else:
                    self.ready.set_exception(RuntimeError(self.head[:200].decode(errors="replace")))
            data = b"\n" + self.head[end + 4 :]
            self.head = b""
            self.tail = b""
        buf = self.tail + data if self.tail else data
        pos = 0
        while True:
            i = buf.find(MARK, pos)
            if i < 0:
                self.tail = buf[max(pos, len(buf) - 4) :]
                return
            j = buf.find(b"\n", i + 5)
            if j < 0:
                self.tail = buf[i:]
                return
            self.arrivals.setdefault(buf[i + 5 : j].strip(), []).append(now)
            self.count += 1
            pos = j

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if not self.ready.done():
            self.ready.set_exception(ConnectionError(f"closed before the response: {exc}"))


async def run_clients(url: str, n: int, headers: list[str], expect: int, out: str) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"GET {path} HTTP/1.1", f"Host: {parts.netloc}", "Accept: text/event-stream"]
    request = ("\r\n".join(lines + headers) + "\r\n\r\n").encode()
    loop = asyncio.get_running_loop()
    arrivals: dict[bytes, list[float]] = {}
    terminals: list[Terminal] = []
    gate = asyncio.Semaphore(256)  # connections being set up at once

    async def connect() -> None:
        async with gate:
            for attempt in range(20):
                ready = loop.create_future()
                term = Terminal(request, arrivals, ready)
                try:
                    await loop.create_connection(lambda term=term: term, parts.hostname, parts.port)
                    await asyncio.wait_for(ready, 60)
                    terminals.append(term)
                    return
                except (OSError, TimeoutError):
                    await asyncio.sleep(0.05 * (attempt + 1))
            raise RuntimeError("could not connect")

    started = time.time()
    await asyncio.gather(*(connect() for _ in range(n)))
    print(f"ready {len(terminals)} {time.time() - started:.1f}s", flush=True)
    stop = asyncio.Event()
    loop.add_reader(sys.stdin.fileno(), stop.set)
    while not stop.is_set():
        if expect and all(t.count >= expect for t in terminals):
            print("done", flush=True)
            await stop.wait()
            break
        await asyncio.sleep(0.05)
    result = {
        "arrivals": {k.decode(): v for k, v in arrivals.items()},
        "counts": [t.count for t in terminals],
        "lost": sum(t.lost for t in terminals),
    }
    Path(out).write_text(json.dumps(result))
    print("dumped", flush=True)
    os._exit(0)  # closing 10,000 sockets politely takes long and measures nothing


def client_main(args: argparse.Namespace) -> None:
    raise_nofile()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(run_clients(args.url, args.clients, args.header, args.expect, args.out))


# --- the driver -------------------------------------------------------------------------------


class Clients:
    """The client process: connect, wait until all N are subscribed, collect, dump."""

    def __init__(self, url: str, n: int, headers: list[str], expect: int, work: Path) -> None:
        self.out = work / f"arrivals-{time.time_ns()}.json"
        cmd = [sys.executable, __file__, "--client", url, "--clients", str(n)]
        cmd += ["--expect", str(expect), "--out", str(self.out)]
        for header in headers:
            cmd += ["--header", header]
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )

    def line(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line:
            raise RuntimeError(f"client process ended (rc={self.proc.wait()})")
        return line

    def wait_ready(self) -> None:
        print(f"  clients: {self.line()}", file=sys.stderr)

    def finish(self, timeout: float, when_done: Callable[[], object] = lambda: None) -> dict:
        """Wait (up to `timeout` s) until every client has every event, call `when_done`, then
        collect the arrivals."""
        import select

        assert self.proc.stdout is not None and self.proc.stdin is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if ready:
            print(f"  clients: {self.line()}", file=sys.stderr)  # "done"
        when_done()
        self.proc.stdin.write("stop\n")
        self.proc.stdin.flush()
        while self.line() != "dumped":
            pass
        self.proc.wait(60)
        return json.loads(self.out.read_text())


def summarize(
    result: dict, published: dict[str, float], n: int, releases: int
) -> tuple[list[float], list[float], int]:
    latencies: list[float] = []
    rates: list[float] = []
    firsts: list[float] = []
    for key, moment in published.items():
        times = result["arrivals"].get(key, [])
        latencies += [(t - moment) * 1000 for t in times]
        if times:
            firsts.append((min(times) - moment) * 1000)
        if len(times) > 1:
            span = max(times) - min(times)
            rates.append(len(times) / span if span > 0 else float("inf"))
    got = sum(min(n, len(result["arrivals"].get(key, []))) for key in published)
    missed = n * releases - got
    if firsts:  # publish-to-first-receipt: what comes before the fan-out itself
        print(f"  first receipt: median {statistics.median(firsts):.1f} ms, "
              f"max {max(firsts):.1f} ms", file=sys.stderr)  # fmt: skip
    if os.environ.get("BENCH_VERBOSE"):  # first and last receipt of each event, in ms
        for key, moment in published.items():
            times = result["arrivals"].get(key) or [moment]
            print(f"    {key}: {(min(times) - moment) * 1000:.0f} .. "
                  f"{(max(times) - moment) * 1000:.0f}", file=sys.stderr)  # fmt: skip
    return sorted(latencies), rates, missed


def pct(values: list[float], p: float) -> float:
    return round(values[min(len(values) - 1, int(len(values) * p))], 1) if values else -1.0


NGINX_CONF = """
load_module /usr/lib/nginx/modules/ngx_nchan_module.so;
worker_processes 1;
worker_rlimit_nofile {nofile};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections {conns}; use epoll; multi_accept on; }}
http {{
  access_log off;
  client_body_temp_path {prefix}/body;
  nchan_max_channel_subscribers 0;
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    location = /sub {{
      nchan_subscriber eventsource;
      nchan_channel_id wire;
      nchan_subscriber_first_message newest;
    }}
    location = /pub {{
      nchan_publisher;
      nchan_channel_id wire;
      nchan_message_buffer_length 100;
      client_max_body_size 1m;
      client_body_buffer_size 1m;
    }}
  }}
}}
"""


def bench_nchan(
    work: Path, n: int, documents: list[str], gap: float, nofile: int, warmup: int, settle: float
) -> tuple[list[float], list[float], int]:
    prefix = work / "nginx"
    prefix.mkdir()
    port = free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(prefix=prefix, port=port, nofile=nofile, conns=max(1024, nofile - 100))
    )
    nginx = subprocess.Popen(
        ["nginx", "-c", str(conf), "-p", str(prefix), "-g", "daemon off; user root;"],
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.05)
        clients = Clients(f"{base}/sub", n, [], warmup + len(documents), work)
        clients.wait_ready()
        time.sleep(1)
        order: list[float] = []
        for i, doc in enumerate(documents[:1] * warmup + documents):
            if i == warmup and warmup:
                time.sleep(settle)
            request = urllib.request.Request(f"{base}/pub", data=doc.encode(), method="POST")
            request.add_header("X-EventSource-Event", "release")
            request.add_header("Accept", "application/json")
            order.append(time.time())
            urllib.request.urlopen(request, timeout=10).read()
            time.sleep(gap)
        result = clients.finish(30)
        # nchan ids are "time:tag"; the i-th distinct id in arrival order is the i-th post
        keys = sorted(result["arrivals"], key=lambda k: min(result["arrivals"][k]))
        published = dict(zip(keys[warmup:], order[warmup:], strict=False))
        return summarize(result, published, n, len(documents))
    finally:
        nginx.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            nginx.wait(10)


def bench_newswire(
    work: Path, n: int, releases: int, gap: float, warmup: int, settle: float
) -> tuple[list[float], list[float], int, list[str], list[float], dict[str, float]]:
    data = work / "data"
    env = {**os.environ, "NEWSWIRE_DATA": str(data)}
    env.pop("DATABASE_URL", None)
    env.pop("NEWSWIRE_BUS_URL", None)

    def cli(*words: str) -> str:
        return subprocess.run(
            [*NEWSWIRE, *words], env=env, check=True, capture_output=True, text=True
        ).stdout

    cli("org", "create", "desk", "Desk", "--kind", "wire")
    cli("org", "create", "acme", "Acme")
    for email, role, org in (
        ("ed@desk.example", "editor", "desk"),
        ("pr@acme.example", "issuer", "acme"),
    ):
        cli("user", "create", email, "--name", role, "--role", role, "--org", org,
            "--password", "benchmark")  # fmt: skip
    editor = cli("apikey", "create", "--as", "ed@desk.example").strip()
    issuer = cli("apikey", "create", "--as", "pr@acme.example").strip()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*NEWSWIRE, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(work / "server.log").open("w"),
    )
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        ids = [
            call("POST", f"{base}/api/v1/releases?submit=true", issuer, release(i, "Stream Test"))[
                "id"
            ]
            for i in range(warmup + releases)
        ]
        clients = Clients(
            f"{base}/api/v1/stream", n, [f"Authorization: Bearer {issuer}"], warmup + releases, work
        )
        clients.wait_ready()
        time.sleep(1)
        for rid in ids[:warmup]:  # not measured: the first fan-outs after connecting
            call("POST", f"{base}/api/v1/releases/{rid}/approve", editor, {"override_reason": "w"})
            time.sleep(gap)
        time.sleep(settle if warmup else 0)
        cpu_before = cpu_seconds(server.pid), cpu_seconds(clients.proc.pid)
        spy = None
        if os.environ.get("BENCH_PY_SPY"):  # a profile of the server over the fan-out phase
            spy = subprocess.Popen(
                [os.environ.get("PY_SPY", "py-spy"), "record", "-p", str(server.pid), "-r", "250",
                 "-f", "raw", "-o", os.environ["BENCH_PY_SPY"], "--nonblocking"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        approved: list[float] = []
        for rid in ids[warmup:]:
            approved.append(time.time())
            call(
                "POST",
                f"{base}/api/v1/releases/{rid}/approve",
                editor,
                {"override_reason": "benchmark"},
            )
            time.sleep(gap)
        cpu_after: list[float] = []
        result = clients.finish(
            30, lambda: cpu_after.extend((cpu_seconds(server.pid), cpu_seconds(clients.proc.pid)))
        )
        if os.environ.get("BENCH_VERBOSE"):
            print(f"  measured from {approved[0]:.3f} to {time.time():.3f}", file=sys.stderr)
        cpu = server_cpu(server.pid)
        if spy is not None:
            spy.send_signal(2)
            spy.wait(30)
    finally:
        server.terminate()
        server.wait(10)
    with contextlib.closing(sqlite3.connect(data / "newswire.db")) as con:
        rows = con.execute(
            "select seq, created_at, ninjs from stream_events order by seq"
        ).fetchall()
    rows = rows[warmup:]
    published = {str(seq): parse_time(created) for seq, created, _ in rows}
    latencies, rates, missed = summarize(result, published, n, releases)
    from_approve = []
    for (seq, _, _), moment in zip(rows, approved, strict=False):
        from_approve += [(t - moment) * 1000 for t in result["arrivals"].get(str(seq), [])]
    print(f"  server cpu after run: {cpu}", file=sys.stderr)
    deliveries = max(1, n * releases - missed)
    cpu_use = {
        "server_cpu_s": round(cpu_after[0] - cpu_before[0], 2),
        "server_us_per_delivery": round((cpu_after[0] - cpu_before[0]) / deliveries * 1e6, 1),
        "client_cpu_s": round(cpu_after[1] - cpu_before[1], 2),
    }
    docs = [doc for _, _, doc in rows]
    return latencies, rates, missed, docs, sorted(from_approve), cpu_use


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far."""
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def server_cpu(pid: int) -> str:
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return f"user {int(fields[11]) / ticks:.1f}s sys {int(fields[12]) / ticks:.1f}s"
    return "?"


def parse_time(value: str) -> float:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        from datetime import UTC

        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--releases", type=int, default=20)
    parser.add_argument("--gap", type=float, default=0.5)
    parser.add_argument(
        "--warmup", type=int, default=1, help="unmeasured releases published first (default 1)"
    )
    parser.add_argument(
        "--settle", type=float, default=2.0, help="seconds between warm-up and measured ones"
    )
    parser.add_argument("--only", choices=["newswire", "nchan"])
    parser.add_argument("--client", help=argparse.SUPPRESS)  # run as the client process
    parser.add_argument("--header", action="append", default=[], help=argparse.SUPPRESS)
    parser.add_argument("--expect", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        args.url = args.client
        client_main(args)
        return

    nofile = raise_nofile()
    if nofile < args.clients + 200:
        sys.exit(f"RLIMIT_NOFILE is {nofile}: too low for {args.clients} clients")
    work = Path(tempfile.mkdtemp(prefix="newswire-bench-streams-"))
    result: dict = {"clients": args.clients, "releases": args.releases}
    documents: list[str] = []
    if args.only != "nchan":
        print("newswire ...", file=sys.stderr)
        lat, rates, missed, documents, from_approve, cpu_use = bench_newswire(
            work, args.clients, args.releases, args.gap, args.warmup, args.settle
        )
        result |= {
            "p50_ms": pct(lat, 0.5),
            "p99_ms": pct(lat, 0.99),
            "max_ms": pct(lat, 1.0),
            "rate": round(statistics.median(rates)) if rates else 0,
            "missed": missed,
            "from_approve_p50_ms": pct(from_approve, 0.5),
            "from_approve_p99_ms": pct(from_approve, 0.99),
            **cpu_use,
        }
        print(f"  {json.dumps(result)}", file=sys.stderr)
    if args.only != "newswire":
        print("nchan ...", file=sys.stderr)
        if not documents:
            documents = [json.dumps(release(i, "Stream Test")) * 2 for i in range(args.releases)]
        lat, rates, missed = bench_nchan(
            work, args.clients, documents, args.gap, nofile, args.warmup, args.settle
        )
        result |= {
            "nchan_p50_ms": pct(lat, 0.5),
            "nchan_p99_ms": pct(lat, 0.99),
            "nchan_rate": round(statistics.median(rates)) if rates else 0,
            "nchan_missed": missed,
        }
    result["event_bytes"] = round(statistics.mean(len(d) for d in documents)) if documents else 0
    result["load_avg_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
