"""`newswire serve` stops within seconds of SIGTERM although a terminal holds a stream open."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import httpx

from builders import make_world
from newswire.config import load_settings
from newswire.store.db import Database
from serve_process import serving


def test_serve_stops_promptly_with_an_open_stream(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    data = tmp_path / "data"
    db = Database(load_settings(data))
    db.upgrade()
    world = make_world(db)
    db.dispose()
    opened = threading.Event()

    def listen() -> None:
        headers = world.headers("issuer")
        try:
            with httpx.stream(
                "GET", "http://127.0.0.1:18410/api/v1/stream", headers=headers, timeout=60
            ) as answer:
                assert answer.status_code == 200
                opened.set()
                for _ in answer.iter_bytes():
                    pass
        except httpx.HTTPError:
            pass

    with serving(data, 18410) as process:
        client = threading.Thread(target=listen, daemon=True)
        client.start()
        assert opened.wait(10), "the stream never opened"
        time.sleep(0.3)
        began = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(30)
        took = time.monotonic() - began
    assert took < 6, f"serve took {took:.1f} s to stop after SIGTERM"
    client.join(5)
    assert not client.is_alive(), "the stream was not ended"
