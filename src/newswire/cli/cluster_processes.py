"""The processes of a scale-out wire on one machine (`newswire cluster`): serve nodes, delivery
workers and stream gateways, started detached on consecutive ports, with their process ids and
ports in `DATA/cluster/cluster.json` and their output in `DATA/cluster/NAME.log`.

Every member shares the data folder (signing keys, secret key) and the environment, so they
all use the same DATABASE_URL and NEWSWIRE_BUS_URL. See docs/scale-out.md."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

COMMAND = [sys.executable, "-c", "from newswire.cli import main; main()"]


@dataclass(frozen=True)
class Member:
    """One process of the cluster: `role` is serve, worker or gateway; workers have no port."""

    name: str
    role: str
    port: int | None
    pid: int
    log: str


@dataclass(frozen=True)
class Health:
    member: Member
    running: bool
    healthy: bool  # running, and (serve, gateway) its /healthz answers 200

    @property
    def state(self) -> str:
        if not self.running:
            return "stopped"
        return "healthy" if self.healthy else "starting or unhealthy"


def cluster_dir(data_dir: Path) -> Path:
    return data_dir / "cluster"


def layout(nodes: int, workers: int, gateways: int, port: int) -> list[tuple[str, str, int | None]]:
    """(name, role, port) of each member: serve nodes on PORT, PORT+1, ..., gateways on the
    ports after them, workers without one."""
    members: list[tuple[str, str, int | None]] = [
        (f"serve-{i + 1}", "serve", port + i) for i in range(nodes)
    ]
    members += [(f"worker-{i + 1}", "worker", None) for i in range(workers)]
    members += [(f"gateway-{i + 1}", "gateway", port + nodes + i) for i in range(gateways)]
    return members


def _arguments(role: str, port: int | None, data_dir: Path) -> list[str]:
    where = ["--data", str(data_dir)]
    if role == "serve":
        return ["serve", "--no-workers", "--port", str(port), *where]
    if role == "gateway":
        return ["gateway", "--port", str(port), *where]
    return ["worker", *where]


def port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def start(
    data_dir: Path, plan: list[tuple[str, str, int | None]], env: Mapping[str, str]
) -> list[Member]:
    """Start each member of `plan` detached (its own session, so it outlives this command),
    record them, and return them at once; `wait_healthy` waits for them to answer."""
    folder = cluster_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    members = []
    for name, role, port in plan:
        log = folder / f"{name}.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                [*COMMAND, *_arguments(role, port, data_dir)],
                env={**env, "NEWSWIRE_DATA": str(data_dir)},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        members.append(Member(name, role, port, process.pid, str(log)))
    record(data_dir, members)
    return members


def record(data_dir: Path, members: list[Member]) -> None:
    path = cluster_dir(data_dir) / "cluster.json"
    path.write_text(json.dumps([asdict(m) for m in members], indent=2) + "\n")


def recorded(data_dir: Path) -> list[Member]:
    """The members the last `start` recorded in this data folder (none if never started)."""
    path = cluster_dir(data_dir) / "cluster.json"
    if not path.exists():
        return []
    return [Member(**m) for m in json.loads(path.read_text())]


def running(pid: int) -> bool:
    """Whether `pid` is a live newswire process (a child that has exited is reaped, not
    counted)."""
    try:
        done, _status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass  # not our child: ask the kernel
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _zombie(pid) and _runs_newswire(pid)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def _runs_newswire(pid: int) -> bool:
    """Whether `pid` still runs newswire: after a reboot, a recorded pid may be another
    program's, which `stop` must not end (where /proc is missing, assume it is ours)."""
    try:
        return b"newswire" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return not Path("/proc/self").exists()
    except OSError:
        return True


def health(member: Member) -> Health:
    alive = running(member.pid)
    if not alive or member.port is None:
        return Health(member, alive, alive)
    try:
        answer = httpx.get(f"http://127.0.0.1:{member.port}/healthz", timeout=2)
    except httpx.HTTPError:
        return Health(member, True, False)
    return Health(member, True, answer.status_code == 200)


def wait_healthy(members: list[Member], timeout_s: float) -> list[Health]:
    """Each member's health once all are healthy, one has stopped, or `timeout_s` passed."""
    deadline = time.monotonic() + timeout_s
    while True:
        states = [health(m) for m in members]
        if all(s.healthy for s in states) or any(not s.running for s in states):
            return states
        if time.monotonic() > deadline:
            return states
        time.sleep(0.2)


def stop(members: list[Member], grace_s: float = 10.0) -> list[Member]:
    """SIGTERM each running member, SIGKILL what is still running after `grace_s`; returns the
    members that were running."""
    live = [m for m in members if running(m.pid)]
    for member in live:
        _signal(member.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while any(running(m.pid) for m in live) and time.monotonic() < deadline:
        time.sleep(0.1)
    for member in live:
        if running(member.pid):
            _signal(member.pid, signal.SIGKILL)
    while any(running(m.pid) for m in live) and time.monotonic() < deadline + 5:
        time.sleep(0.1)
    return live


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def log_tail(member: Member, lines: int = 5) -> list[str]:
    try:
        return Path(member.log).read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return []
