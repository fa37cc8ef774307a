"""`newswire doctor` says in plain words what works and what is missing, and exits 1 when a
required part is broken; run against real servers (aiosmtpd, NATS) and real broken ones."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newswire.cli import app


def doctor(monkeypatch: pytest.MonkeyPatch, data: Path, **env: str) -> tuple[int, dict[str, dict]]:
    for name in ("DATABASE_URL", "NEWSWIRE_SMTP_URL", "NEWSWIRE_BUS_URL", "NEWSWIRE_DKIM_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(app, ["doctor", "--data", str(data), "--json"])
    found = json.loads(result.output)
    return result.exit_code, {f["part"]: f for f in found["findings"]}


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_fresh_embedded_wire_has_nothing_broken_and_says_what_it_lacks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert CliRunner().invoke(app, ["db-upgrade", "--data", str(tmp_path)]).exit_code == 0
    code, parts = doctor(monkeypatch, tmp_path)
    assert code == 0
    assert (
        parts["database"]["status"] == "ok" and "latest migration" in parts["database"]["message"]
    )
    assert parts["mail"]["status"] == "warn" and "local mail folder" in parts["mail"]["message"]
    assert parts["base URL"]["status"] == "warn"
    assert "List-Unsubscribe-Post" in parts["base URL"]["message"]
    assert "from English: es, pt" in parts["translation"]["message"]
    assert parts["dkim"]["status"] == "warn" and "NEWSWIRE_DKIM_KEY" in parts["dkim"]["message"]
    assert parts["disk"]["status"] == "ok" and "GB free" in parts["disk"]["message"]
    text = CliRunner().invoke(app, ["doctor", "--data", str(tmp_path)]).output
    assert "nothing required is broken" in text and "warn  mail" in text


def test_configured_but_unreachable_servers_are_failures(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    port = closed_port()
    code, parts = doctor(
        monkeypatch,
        tmp_path,
        DATABASE_URL=f"postgresql://127.0.0.1:{port}/none",
        NEWSWIRE_SMTP_URL=f"smtp://127.0.0.1:{port}",
        NEWSWIRE_BUS_URL=f"nats://127.0.0.1:{port}",
        NEWSWIRE_DKIM_KEY=str(tmp_path / "missing.pem"),
    )
    assert code == 1
    assert (
        parts["database"]["status"] == "fail"
        and "cannot be reached" in parts["database"]["message"]
    )
    assert parts["mail"]["status"] == "fail" and f"127.0.0.1:{port}" in parts["mail"]["message"]
    assert parts["bus"]["status"] == "fail" and "NATS" in parts["bus"]["message"]
    assert parts["dkim"]["status"] == "fail" and "missing.pem" in parts["dkim"]["message"]


def test_a_real_smtp_server_with_starttls_and_a_dkim_key_are_reported(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, smtp_server, tls_server_context, dkim_key
) -> None:
    plain = smtp_server()
    _, parts = doctor(monkeypatch, tmp_path, NEWSWIRE_SMTP_URL=f"smtp://127.0.0.1:{plain.port}")
    assert parts["mail"]["status"] == "warn" and "no STARTTLS" in parts["mail"]["message"]
    secure = smtp_server(tls=tls_server_context)
    key = tmp_path / "dkim.pem"
    key.write_bytes(dkim_key)
    _, parts = doctor(
        monkeypatch,
        tmp_path,
        NEWSWIRE_SMTP_URL=f"smtp://127.0.0.1:{secure.port}",
        NEWSWIRE_DKIM_KEY=str(key),
        NEWSWIRE_MAIL_FROM="releases@wire.example.com",
    )
    assert parts["mail"]["status"] == "ok" and "STARTTLS" in parts["mail"]["message"]
    assert parts["dkim"]["status"] == "ok"
    assert "newswire._domainkey.wire.example.com: v=DKIM1; k=rsa; p=" in parts["dkim"]["message"]


def test_a_reachable_nats_with_jetstream_is_ok(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    try:
        socket.create_connection(("127.0.0.1", 4222), timeout=2).close()
    except OSError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"NATS at 127.0.0.1:4222 is unreachable: {exc} (CI=true)")
        pytest.skip(f"NATS at 127.0.0.1:4222 is unreachable: {exc}")
    _, parts = doctor(monkeypatch, tmp_path, NEWSWIRE_BUS_URL="nats://127.0.0.1:4222")
    assert parts["bus"]["status"] == "ok" and "JetStream" in parts["bus"]["message"]


def test_a_broken_key_ring_is_a_failure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "signing-keys.json").write_text("{not json")
    code, parts = doctor(monkeypatch, tmp_path)
    assert code == 1
    assert (
        parts["signing"]["status"] == "fail" and "signing-keys.json" in parts["signing"]["message"]
    )
