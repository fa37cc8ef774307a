"""`newswire cluster start|status|stop`: the scale-out topology on one machine, and its clear
refusals when PostgreSQL or NATS is not configured or not reachable."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from newswire.cli import app
from newswire.cli.cluster_processes import COMMAND, Member, record

FIRST_PORT = 19510  # serve on 19510, gateway on 19511
CLOSED_PORT = 19589  # nothing listens here


def cluster(data: Path, *args: str, **env: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["cluster", *args, "--data", str(data)], env=env)
    return result.exit_code, result.output


def answers(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({"DATABASE_URL": ""}, "set DATABASE_URL=postgresql://"),
        (
            {"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/x", "NEWSWIRE_BUS_URL": ""},
            "set NEWSWIRE_BUS_URL=nats://",
        ),
        (
            {
                "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{CLOSED_PORT}/newswire",
                "NEWSWIRE_BUS_URL": "nats://127.0.0.1:4222",
            },
            "PostgreSQL cannot be reached",
        ),
    ],
    ids=["sqlite", "no-bus", "postgresql-unreachable"],
)
def test_start_refuses_without_postgresql_and_nats(
    tmp_path: Path, env: dict[str, str], said: str
) -> None:
    code, output = cluster(tmp_path, "start", "--port", str(FIRST_PORT), **env)
    assert code == 2
    assert said in output
    assert not (tmp_path / "cluster" / "cluster.json").exists(), "nothing was started"


@pytest.mark.postgres
def test_start_refuses_when_nats_is_unreachable(tmp_path: Path, postgres_url: str) -> None:
    """As a real command: nats-py's logged traceback went to the process's stderr."""
    env = {
        **os.environ,
        "DATABASE_URL": postgres_url,
        "NEWSWIRE_BUS_URL": f"nats://127.0.0.1:{CLOSED_PORT}",
    }
    command = [*COMMAND, "cluster", "start", "--data", str(tmp_path), "--port", str(FIRST_PORT)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"error: NATS at nats://127.0.0.1:{CLOSED_PORT} with JetStream cannot be used: "
        "NoServersError: nats: no servers available for connection"
    ), "one line, not nats-py's traceback; and the refusal, not a timeout"
    assert not (tmp_path / "cluster" / "cluster.json").exists()


@pytest.mark.postgres
def test_start_status_stop(tmp_path: Path, postgres_url: str, nats_url: str) -> None:
    env = {"DATABASE_URL": postgres_url, "NEWSWIRE_BUS_URL": nats_url}
    sizes = ["--nodes", "1", "--workers", "1", "--gateways", "1", "--port", str(FIRST_PORT)]
    code, output = cluster(tmp_path, "start", *sizes, **env)
    try:
        assert code == 0, output
        assert f"web and API at http://127.0.0.1:{FIRST_PORT}/" in output
        assert httpx.get(f"http://127.0.0.1:{FIRST_PORT}/healthz", timeout=5).status_code == 200
        gateway = httpx.get(f"http://127.0.0.1:{FIRST_PORT + 1}/healthz", timeout=5)
        assert gateway.status_code == 200

        code, output = cluster(tmp_path, "status", **env)
        assert code == 0, output
        rows = {line.split()[0]: line for line in output.splitlines()}
        assert set(rows) == {"serve-1", "worker-1", "gateway-1"}
        assert all(row.endswith("healthy") for row in rows.values())
        assert f"http://127.0.0.1:{FIRST_PORT + 1}/" in rows["gateway-1"]
        log = (tmp_path / "cluster" / "worker-1.log").read_text()
        assert f"bus: {nats_url}" in log, "the worker runs on the shared NATS"

        code, output = cluster(tmp_path, "start", *sizes, **env)
        assert code == 2
        assert "already running" in output
    finally:
        code, output = cluster(tmp_path, "stop", **env)
    assert code == 0
    assert "stopped 3 process(es)" in output
    assert not answers(FIRST_PORT) and not answers(FIRST_PORT + 1)
    code, output = cluster(tmp_path, "status", **env)
    assert code == 1
    assert [line.split()[-1] for line in output.splitlines()] == ["stopped"] * 3


def test_stop_leaves_alone_a_process_that_took_a_recorded_pid(tmp_path: Path) -> None:
    """After a reboot, a pid in DATA/cluster/cluster.json may be another program's."""
    other = subprocess.Popen(["sleep", "60"])
    try:
        members = [Member("serve-1", "serve", FIRST_PORT, other.pid, str(tmp_path / "x.log"))]
        (tmp_path / "cluster").mkdir()
        record(tmp_path, members)
        code, output = cluster(tmp_path, "status")
        assert code == 1
        assert output.split()[-1] == "stopped"
        code, output = cluster(tmp_path, "stop")
        assert "stopped 0 process(es)" in output
        assert other.poll() is None, "the other program still runs"
    finally:
        other.kill()
        other.wait(10)
