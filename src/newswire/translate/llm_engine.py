"""A large language model as a translation engine, over an OpenAI-compatible chat API.

Ollama, vLLM, llama.cpp's server, LM Studio, a hosted TranslateGemma, or anything else that
serves `POST {base_url}/chat/completions` in the OpenAI format:

    engine = ChatCompletionsEngine("http://127.0.0.1:11434/v1", "qwen2.5:7b-instruct")
    engine.translate_batch(["Acme opens a plant in XNW0X."], "en", "de")

One request per batch (at most `batch_size` segments and `max_chars` characters), with
`temperature` 0. The system prompt asks for a press-release translation from one language to
another (named in full), every placeholder token (`XNW0X`) kept exactly, every segment
translated, and the answer as ONLY a JSON object `{"translations": [...]}` with one string
per segment, in order. The user message is the segments as a JSON object numbered from "1".

The reply is parsed strictly, because a language model may drop, merge or split segments
and a shifted batch would put each sentence under the wrong source: a reply that is not that
JSON object (a ```json fence and a leading <think>...</think> block are tolerated), that has
fewer or more items than were sent, an empty item for a non-empty segment, or a placeholder
lost, invented or duplicated is a `TranslationError` ("unavailable", retryable: the editions
job tries again later, then hands the edition to a translator). Before failing, a bad batch
of several segments is sent again one segment per request (`split_bad_batches`), since small
models keep one sentence straight far more often than twenty.

HTTP failures map as for the other HTTP engines (`newswire.translate.http_engines`): no
connection, timeout, 5xx -> "unavailable" (retryable); 429 -> "rate_limited" (retryable,
`retry_after` from Retry-After); 401, 403, 404 (unknown model), 400 -> "rejected".
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

import httpx

from newswire.intake.language import WIRE_LANGUAGES, language_name
from newswire.translate.base import Quality, TranslationError, base_lang, canonical_tag
from newswire.translate.http_engines import _HttpEngine
from newswire.translate.inline import PLACEHOLDER

__all__ = ["ChatCompletionsEngine", "parse_translations", "system_prompt"]

_FENCE = re.compile(r"^```[A-Za-z]*\s*\n?(?P<body>.*?)\n?\s*```$", re.DOTALL)
_THINKING = re.compile(r"^\s*<think>.*?</think>\s*", re.DOTALL)


def system_prompt(src: str, tgt: str, count: int) -> str:
    """The instructions for one batch of `count` segments from `src` to `tgt`."""
    source, target = language_name(src), language_name(tgt)
    return (
        f"You are a professional translator of press releases from {source} into {target}. "
        f"The user sends {count} numbered segment(s) as a JSON object. Translate every "
        f"segment into {target}, faithfully and completely: keep names, brands, numbers, "
        "dates and facts; write them the way a press release in the target language would. "
        "Tokens like XNW0X, XNW1X are placeholders: copy each one exactly, once, where it "
        "belongs in the translated sentence; never translate, drop or add one. Translate each "
        "segment on its own: never merge, split or skip segments. "
        'Answer with ONLY a JSON object {"translations": [...]} holding exactly '
        f"{count} string(s), the translation of segment 1 first, in order; no other text."
    )


def user_message(segments: list[str]) -> str:
    """The segments of a batch as a JSON object numbered from "1"."""
    return json.dumps({str(i): s for i, s in enumerate(segments, 1)}, ensure_ascii=False)


def _placeholders(text: str) -> Counter[str]:
    return Counter(f"XNW{m.group(1)}X" for m in PLACEHOLDER.finditer(text))


def parse_translations(content: str, segments: list[str]) -> list[str]:
    """The translations in a reply's content, checked against the segments sent.

    Raises ValueError naming what is wrong: not the JSON object, a count that differs, an
    empty item for a non-empty segment, a placeholder lost, added or duplicated.
    """
    text = _THINKING.sub("", content, count=1).strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group("body").strip()
    try:
        body = json.loads(text)
    except ValueError:
        raise ValueError(f"the reply is not JSON: {content.strip()[:120]!r}") from None
    items = body.get("translations") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise ValueError('the reply is not a JSON object {"translations": [...]}')
    if len(items) != len(segments):
        what = "dropped or merged" if len(items) < len(segments) else "split or invented"
        raise ValueError(
            f"sent {len(segments)} segments, got {len(items)} translations back (segments {what})"
        )
    for number, (source, item) in enumerate(zip(segments, items, strict=True), 1):
        if not isinstance(item, str):
            raise ValueError(f"translation {number} is not a string: {item!r}")
        if source.strip() and not item.strip():
            raise ValueError(f"translation {number} is empty")
        wanted, got = _placeholders(source), _placeholders(item)
        if wanted != got:
            lost = sorted((wanted - got).elements())
            extra = sorted((got - wanted).elements())
            problems = [f"lost {', '.join(lost)}"] if lost else []
            problems += [f"added or repeated {', '.join(extra)}"] if extra else []
            raise ValueError(f"translation {number} {' and '.join(problems)}")
    return items


class ChatCompletionsEngine(_HttpEngine):
    """A language model behind an OpenAI-compatible `/chat/completions` endpoint.

    base_url: up to and including the API version, e.g. "http://127.0.0.1:11434/v1" (Ollama),
    "http://127.0.0.1:8000/v1" (vLLM), "http://127.0.0.1:8080/v1" (llama.cpp server).
    model: the model name the server knows. api_key: sent as a Bearer token when given.
    languages: the base tags it may translate between (default: the wire's 15 languages);
    every ordered pair among them is a direction. json_mode: ask for
    `response_format: {"type": "json_object"}` (turn off for a server that refuses it).
    quality: "draft" sends every edition it makes to the desk.
    """

    name = "llm"
    rule_based = False

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        *,
        languages: Iterable[str] | None = None,
        timeout_s: float = 120.0,
        batch_size: int = 16,
        max_chars: int = 6_000,
        temperature: float = 0.0,
        json_mode: bool = True,
        split_bad_batches: bool = True,
        quality: Quality = "publishable",
    ) -> None:
        if not isinstance(model, str) or not model.strip():
            raise ValueError("llm: a model name is required (the name the server knows)")
        if not isinstance(base_url, str):
            raise ValueError(f"llm: base_url must be a URL, not {base_url!r}")
        if isinstance(timeout_s, bool) or not isinstance(timeout_s, int | float) or timeout_s <= 0:
            raise ValueError(f"llm: timeout_s must be a positive number of seconds: {timeout_s!r}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"llm: batch_size must be a whole number >= 1: {batch_size!r}")
        if isinstance(max_chars, bool) or not isinstance(max_chars, int) or max_chars < 1:
            raise ValueError(f"llm: max_chars must be a whole number >= 1: {max_chars!r}")
        if isinstance(temperature, bool) or not isinstance(temperature, int | float):
            raise ValueError(f"llm: temperature must be a number: {temperature!r}")
        for option, value in (("json_mode", json_mode), ("split_bad_batches", split_bad_batches)):
            if not isinstance(value, bool):
                raise ValueError(f"llm: {option} must be true or false: {value!r}")
        if quality not in ("publishable", "draft"):
            raise ValueError(f"llm: quality must be 'publishable' or 'draft': {quality!r}")
        super().__init__(
            base_url, timeout=float(timeout_s), max_batch=batch_size, max_chars=max_chars
        )
        self.model = model.strip()
        self.api_key = api_key or None
        self.temperature = float(temperature)
        self.json_mode = json_mode
        self.split_bad_batches = split_bad_batches
        self.quality: Quality = quality
        self.languages = self._read_languages(WIRE_LANGUAGES if languages is None else languages)

    @staticmethod
    def _read_languages(languages: Iterable[str]) -> frozenset[str]:
        if isinstance(languages, str):
            raise ValueError(f"llm: languages must be a list of tags, not {languages!r}")
        bases: set[str] = set()
        for tag in languages:
            try:
                bases.add(base_lang(canonical_tag(str(tag))))
            except ValueError:
                raise ValueError(f"llm: {tag!r} in languages is not a language tag") from None
        if not bases:
            raise ValueError("llm: languages is empty")
        return frozenset(bases)

    def directions(self) -> frozenset[tuple[str, str]]:
        """Every ordered pair of the configured languages; ("zh", "zh") is Simplified to
        Traditional Chinese and back, which a language model does too."""
        pairs = {(s, t) for s in self.languages for t in self.languages if s != t}
        if "zh" in self.languages:
            pairs.add(("zh", "zh"))
        return frozenset(pairs)

    def unavailable_reason(self) -> str | None:
        # The server is asked only when there is something to translate: a server that is
        # down then fails that edition as "unavailable" (retryable), never the whole table.
        return None

    def supports(self, src: str, tgt: str) -> bool:
        try:
            s, t = canonical_tag(src), canonical_tag(tgt)
        except ValueError:
            return False
        return s != t and base_lang(s) in self.languages and base_lang(t) in self.languages

    def _error_message(self, response: httpx.Response) -> str:
        # OpenAI-style servers answer {"error": {"message": ..., "type": ...}}.
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            message = body["error"].get("message")
            if isinstance(message, str):
                return message
        return super()._error_message(response)

    def _payload(self, batch: list[str], src: str, tgt: str) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": [
                {"role": "system", "content": system_prompt(src, tgt, len(batch))},
                {"role": "user", "content": user_message(batch)},
            ],
            "temperature": self.temperature,
            "stream": False,
        }
        if self.json_mode:
            payload["response_format"] = {"type": "json_object"}
        return payload

    def _ask(self, batch: list[str], src: str, tgt: str) -> list[str]:
        """One request; ValueError when the reply does not hold the batch's translations."""
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else None
        body = self._request(
            "POST", "/chat/completions", json=self._payload(batch, src, tgt), headers=headers
        )
        choices = body.get("choices") if isinstance(body, dict) else None
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            raise self._error("unavailable", True, "the reply has no choices")
        message = choices[0].get("message")
        content = message.get("content") if isinstance(message, dict) else None
        if choices[0].get("finish_reason") == "length":
            raise ValueError(
                "the reply was cut off at the model's token limit; lower batch_size or "
                "max_chars, or raise the server's context size"
            )
        if not isinstance(content, str):
            raise ValueError("the reply's message has no text content")
        return parse_translations(content, batch)

    def _send(self, batch: list[str], src: str, tgt: str) -> list[str]:
        try:
            return self._ask(batch, src, tgt)
        except ValueError as exc:
            if not (self.split_bad_batches and len(batch) > 1):
                raise self._bad_reply(exc, f"model {self.model!r}") from exc
        out: list[str] = []
        for number, segment in enumerate(batch, 1):
            try:
                out.extend(self._ask([segment], src, tgt))
            except ValueError as exc:
                where = f"model {self.model!r}, segment {number} sent alone"
                raise self._bad_reply(exc, where) from exc
        return out

    def _bad_reply(self, exc: ValueError, where: str) -> TranslationError:
        return self._error("unavailable", True, f"{where}: {exc}")
