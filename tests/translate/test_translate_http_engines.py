"""LibreTranslate and DeepL engines against a local server that speaks their documented
formats, errors included (127.0.0.1 only)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from newswire.translate.base import TranslationError
from newswire.translate.http_engines import DeepLEngine, LibreTranslateEngine


class Server:
    """Records requests; `script` maps a path to (status, body, headers) answers in turn."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.script: dict[str, list[tuple[int, Any, dict[str, str]]]] = {}
        self.delay = 0.0
        handler = self._handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                server.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "json": body,
                        "headers": dict(self.headers),
                    }
                )
                if server.delay:
                    time.sleep(server.delay)
                queue = server.script.get(self.path)
                if queue:
                    status, reply, headers = queue.pop(0) if len(queue) > 1 else queue[0]
                else:
                    status, reply, headers = server.default(self.path, body)
                data = reply if isinstance(reply, bytes) else json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = _answer
            do_POST = _answer

        return Handler

    def default(self, path: str, body: Any) -> tuple[int, Any, dict[str, str]]:
        if path == "/translate":  # LibreTranslate
            q = body["q"]
            out = [f"{body['target']}:{s}" for s in q] if isinstance(q, list) else q
            return 200, {"translatedText": out}, {}
        if path == "/languages":
            return (
                200,
                [
                    {"code": "en", "name": "English", "targets": ["de", "zh-Hans"]},
                    {"code": "de", "name": "German", "targets": ["en"]},
                ],
                {},
            )
        if path == "/v2/translate":  # DeepL
            return (
                200,
                {
                    "translations": [
                        {
                            "detected_source_language": body.get("source_lang", "EN"),
                            "text": f"{body['target_lang']}:{t}",
                        }
                        for t in body["text"]
                    ]
                },
                {},
            )
        return 404, {"message": "not found"}, {}

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


def test_libretranslate_batches_and_keeps_order(server: Server) -> None:
    engine = LibreTranslateEngine(server.url, "secret", max_batch=2)
    out = engine.translate_batch(["One.", "", "Two.", "Three."], "en", "de")
    assert out == ["de:One.", "", "de:Two.", "de:Three."]
    posts = [r for r in server.requests if r["method"] == "POST"]
    assert [r["json"]["q"] for r in posts] == [["One.", "Two."], ["Three."]]
    assert posts[0]["json"] == {
        "q": ["One.", "Two."],
        "source": "en",
        "target": "de",
        "format": "text",
        "api_key": "secret",
    }


def test_libretranslate_languages(server: Server) -> None:
    engine = LibreTranslateEngine(server.url)
    assert engine.supports("en", "de") and engine.supports("en", "zh-Hans")
    assert not engine.supports("de", "fr")
    assert engine.code("zh-CN") == "zh-Hans"
    assert len([r for r in server.requests if r["path"] == "/languages"]) == 1


@pytest.mark.parametrize(
    ("status", "kind", "retryable"),
    [
        (400, "rejected", False),
        (403, "rejected", False),
        (429, "rate_limited", True),
        (500, "unavailable", True),
    ],
)
def test_libretranslate_errors(server: Server, status: int, kind: str, retryable: bool) -> None:
    server.script["/translate"] = [(status, {"error": "Nope, sorry"}, {"Retry-After": "7"})]
    with pytest.raises(TranslationError) as info:
        LibreTranslateEngine(server.url).translate_batch(["Hi."], "en", "de")
    err = info.value
    assert (err.kind, err.retryable, err.status) == (kind, retryable, status)
    assert "Nope, sorry" in err.message and err.engine == "libretranslate"
    if status == 429:
        assert err.retry_after == 7.0


def test_libretranslate_bad_replies(server: Server) -> None:
    server.script["/translate"] = [(200, b"<html>oops</html>", {})]
    with pytest.raises(TranslationError, match="not JSON") as info:
        LibreTranslateEngine(server.url).translate_batch(["Hi."], "en", "de")
    assert info.value.kind == "unavailable" and info.value.retryable
    server.script["/translate"] = [(200, {"translatedText": ["only one"]}, {})]
    with pytest.raises(TranslationError, match="sent 2 segments, got 1"):
        LibreTranslateEngine(server.url).translate_batch(["A.", "B."], "en", "de")


def test_unreachable_and_timeout(server: Server) -> None:
    closed = Server()
    url = closed.url
    closed.close()
    with pytest.raises(TranslationError) as info:
        LibreTranslateEngine(url, timeout=2).translate_batch(["Hi."], "en", "de")
    assert info.value.kind == "unavailable" and info.value.retryable
    server.delay = 1.0
    with pytest.raises(TranslationError, match="timed out") as info:
        DeepLEngine("key", server.url, timeout=0.2).translate_batch(["Hi."], "en", "de")
    assert info.value.kind == "unavailable" and info.value.retryable


def test_deepl_request_format(server: Server) -> None:
    engine = DeepLEngine("abc:fx", server.url, max_batch=50)
    out = engine.translate_batch(["Hello.", "World."], "en", "pt")
    assert out == ["PT-BR:Hello.", "PT-BR:World."]
    request = server.requests[-1]
    assert request["path"] == "/v2/translate"
    assert request["headers"]["Authorization"] == "DeepL-Auth-Key abc:fx"
    assert request["json"] == {
        "text": ["Hello.", "World."],
        "source_lang": "EN",
        "target_lang": "PT-BR",
    }
    assert engine.target_code("pt-PT") == "PT-PT"
    assert engine.target_code("en") == "EN-US"
    assert DeepLEngine("k", variants={"en": "EN-GB"}).target_code("en") == "EN-GB"
    assert engine.target_code("zh-Hant") == "ZH-HANT"
    assert engine.source_code("zh-Hans") == "ZH"
    assert engine.supports("en", "ja") and not engine.supports("en", "th")


@pytest.mark.parametrize(
    ("status", "kind", "retryable"),
    [
        (400, "rejected", False),
        (403, "rejected", False),
        (429, "rate_limited", True),
        (456, "quota", False),
        (503, "unavailable", True),
    ],
)
def test_deepl_errors(server: Server, status: int, kind: str, retryable: bool) -> None:
    server.script["/v2/translate"] = [(status, {"message": "Quota Exceeded"}, {})]
    with pytest.raises(TranslationError) as info:
        DeepLEngine("k", server.url).translate_batch(["Hi."], "en", "de")
    assert (info.value.kind, info.value.retryable) == (kind, retryable)
    assert "Quota Exceeded" in str(info.value)


def test_bad_configuration() -> None:
    with pytest.raises(ValueError):
        LibreTranslateEngine("ftp://x")
    with pytest.raises(ValueError):
        DeepLEngine("")
