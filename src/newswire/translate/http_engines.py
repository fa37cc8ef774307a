"""Engines behind HTTP: a LibreTranslate-compatible server and the DeepL API.

Both are configured by URL and key, send segments in batches (one request per batch, at
most `max_batch` segments and `max_chars` characters), use timeouts, and turn every failure
into a `TranslationError`:

| what happened                                     | kind           | retryable |
| ------------------------------------------------- | -------------- | --------- |
| no connection, timeout, 5xx, an unreadable reply  | "unavailable"  | yes       |
| 400, 403 (bad request, bad or banned key), 404, 413 | "rejected"   | no        |
| 429 too many requests (`retry_after`: Retry-After) | "rate_limited" | yes       |
| 456 (DeepL) quota exceeded                        | "quota"        | no        |

Neither engine retries by itself: the caller (a queue worker) decides when to try again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from typing import Any

import httpx

from newswire.translate.base import TranslationError, base_lang, base_pair, canonical_tag

__all__ = ["DeepLEngine", "LibreTranslateEngine"]


def _batches(segments: list[str], max_batch: int, max_chars: int) -> Iterator[list[int]]:
    """Indices of the segments, cut into batches under both limits."""
    batch: list[int] = []
    size = 0
    for i, text in enumerate(segments):
        if batch and (len(batch) >= max_batch or size + len(text) > max_chars):
            yield batch
            batch, size = [], 0
        batch.append(i)
        size += len(text)
    if batch:
        yield batch


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class _HttpEngine:
    name = "http"

    def __init__(self, url: str, *, timeout: float, max_batch: int, max_chars: int) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"{self.name}: the URL must start with http:// or https://: {url!r}")
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.max_batch = max(1, max_batch)
        self.max_chars = max(1, max_chars)
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = httpx.Client(
                        timeout=httpx.Timeout(self.timeout, connect=min(5.0, self.timeout)),
                        headers={"User-Agent": "newswire-translate"},
                    )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _error(self, kind: Any, retryable: bool, message: str, **extra: Any) -> TranslationError:
        return TranslationError(kind, retryable, message, self.name, **extra)

    def _error_message(self, response: httpx.Response) -> str:
        try:
            body = response.json()
        except ValueError:
            return response.text.strip()[:200] or response.reason_phrase
        if isinstance(body, dict):
            for key in ("error", "message", "detail"):
                if isinstance(body.get(key), str):
                    return body[key]
        return response.reason_phrase

    def _status_error(self, response: httpx.Response) -> TranslationError:
        status = response.status_code
        message = f"HTTP {status}: {self._error_message(response)}"
        if status == 429:
            return self._error(
                "rate_limited", True, message, status=status, retry_after=_retry_after(response)
            )
        if status == 456:
            return self._error("quota", False, message, status=status)
        if status >= 500:
            return self._error("unavailable", True, message, status=status)
        return self._error("rejected", False, message, status=status)

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self.client.request(method, self.url + path, **kwargs)
        except httpx.TimeoutException as exc:
            raise self._error("unavailable", True, f"timed out after {self.timeout} s") from exc
        except httpx.HTTPError as exc:
            raise self._error("unavailable", True, f"cannot reach {self.url}: {exc}") from exc
        if response.status_code != 200:
            raise self._status_error(response)
        try:
            return response.json()
        except ValueError as exc:
            raise self._error("unavailable", True, "the reply is not JSON") from exc

    def _send(self, batch: list[str], src: str, tgt: str) -> list[str]:
        raise NotImplementedError

    def translate_batch(self, segments: list[str], src: str, tgt: str) -> list[str]:
        out: list[str] = list(segments)
        todo = [i for i, s in enumerate(segments) if s.strip()]
        texts = [segments[i] for i in todo]
        for batch in _batches(texts, self.max_batch, self.max_chars):
            results = self._send([texts[i] for i in batch], src, tgt)
            if len(results) != len(batch):
                raise self._error(
                    "unavailable",
                    True,
                    f"sent {len(batch)} segments, got {len(results)} translations back",
                )
            for i, result in zip(batch, results, strict=True):
                out[todo[i]] = result
        return out


class LibreTranslateEngine(_HttpEngine):
    """A LibreTranslate server (or anything that speaks its API).

    POST {url}/translate with {"q": [...], "source", "target", "format": "text", "api_key"};
    the reply is {"translatedText": [...]}; errors are {"error": "..."} with 400, 403, 429 or
    500. `languages` lists the codes the server has (all pairs among them); without it the
    engine asks GET {url}/languages once, and assumes a pair is supported if the server
    cannot be asked (a translation then fails as "unavailable", retryable).
    """

    name = "libretranslate"

    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        *,
        timeout: float = 30.0,
        languages: Iterable[str] | None = None,
        max_batch: int = 50,
        max_chars: int = 20_000,
    ) -> None:
        super().__init__(url, timeout=timeout, max_batch=max_batch, max_chars=max_chars)
        self.api_key = api_key
        self._targets: dict[str, set[str]] | None = None
        if languages is not None:
            codes = set(languages)
            self._targets = {code: codes - {code} for code in codes}

    def _server_languages(self) -> dict[str, set[str]] | None:
        if self._targets is None:
            try:
                body = self._request("GET", "/languages")
            except TranslationError:
                return None
            targets: dict[str, set[str]] = {}
            if isinstance(body, list):
                all_codes = {str(item.get("code")) for item in body if isinstance(item, dict)}
                for item in body:
                    if isinstance(item, dict) and "code" in item:
                        targets[str(item["code"])] = set(item.get("targets") or all_codes)
            self._targets = targets
        return self._targets

    def code(self, tag: str) -> str:
        """The server's code for a language tag (Chinese: "zh-Hans"/"zh-Hant", or "zh"/"zt")."""
        canonical = canonical_tag(tag)
        base = base_lang(canonical)
        if base != "zh":
            return base
        known = self._targets or {}
        traditional = canonical.endswith("Hant") or canonical in ("zh-TW", "zh-HK", "zh-MO")
        preferred, legacy = ("zh-Hant", "zt") if traditional else ("zh-Hans", "zh")
        if known and preferred not in known and legacy in known:
            return legacy
        return preferred

    def supports(self, src: str, tgt: str) -> bool:
        try:
            targets = self._server_languages()
            s, t = self.code(src), self.code(tgt)
        except ValueError:
            return False
        if targets is None:
            return True
        return s in targets and t in targets[s]

    def _send(self, batch: list[str], src: str, tgt: str) -> list[str]:
        payload: dict[str, Any] = {
            "q": batch,
            "source": self.code(src),
            "target": self.code(tgt),
            "format": "text",
        }
        if self.api_key:
            payload["api_key"] = self.api_key
        body = self._request("POST", "/translate", json=payload)
        result = body.get("translatedText") if isinstance(body, dict) else None
        if isinstance(result, str) and len(batch) == 1:
            result = [result]
        if not isinstance(result, list) or not all(isinstance(r, str) for r in result):
            raise self._error("unavailable", True, "the reply has no translatedText list")
        return result


# DeepL's languages (https://developers.deepl.com/docs/resources/supported-languages), as
# base codes; override with `languages=` when DeepL adds more.
_DEEPL_SOURCES = frozenset(
    [
        "ar",
        "bg",
        "cs",
        "da",
        "de",
        "el",
        "en",
        "es",
        "et",
        "fi",
        "fr",
        "hu",
        "id",
        "it",
        "ja",
        "ko",
        "lt",
        "lv",
        "nb",
        "nl",
        "pl",
        "pt",
        "ro",
        "ru",
        "sk",
        "sl",
        "sv",
        "tr",
        "uk",
        "zh",
    ]
)
_DEEPL_TARGETS = _DEEPL_SOURCES


class DeepLEngine(_HttpEngine):
    """The DeepL API (v2).

    POST {url}/v2/translate with `Authorization: DeepL-Auth-Key KEY` and {"text": [...],
    "source_lang": "EN", "target_lang": "DE"}; the reply is {"translations": [{"text": ...,
    "detected_source_language": ...}]}. Target variants: English and Portuguese need one
    (`variants`, default {"en": "EN-US", "pt": "PT-BR"}; a tag with a region, "pt-PT",
    "en-GB", picks its own); Chinese targets are ZH-HANS or ZH-HANT. The URL defaults to the
    free API for keys ending in ":fx", the paid API otherwise.
    """

    name = "deepl"

    def __init__(
        self,
        api_key: str,
        url: str | None = None,
        *,
        timeout: float = 30.0,
        variants: dict[str, str] | None = None,
        languages: Iterable[str] | None = None,
        formality: str | None = None,
        max_batch: int = 50,
        max_chars: int = 100_000,
    ) -> None:
        if not api_key:
            raise ValueError("deepl: an API key is required")
        if url is None:
            free = api_key.endswith(":fx")
            url = "https://api-free.deepl.com" if free else "https://api.deepl.com"
        super().__init__(url, timeout=timeout, max_batch=max_batch, max_chars=max_chars)
        self.api_key = api_key
        self.variants = {"en": "EN-US", "pt": "PT-BR", **(variants or {})}
        self.formality = formality
        self.sources = frozenset(languages) if languages is not None else _DEEPL_SOURCES
        self.targets = frozenset(languages) if languages is not None else _DEEPL_TARGETS

    def source_code(self, tag: str) -> str:
        return base_lang(canonical_tag(tag)).upper()

    def target_code(self, tag: str) -> str:
        canonical = canonical_tag(tag)
        base = base_lang(canonical)
        if base == "zh":
            traditional = canonical.endswith("Hant") or canonical in ("zh-TW", "zh-HK", "zh-MO")
            return "ZH-HANT" if traditional else "ZH-HANS"
        if base in ("en", "pt"):
            if "-" in canonical and len(canonical.split("-")[1]) == 2:
                return canonical.upper()
            return self.variants[base].upper()
        return base.upper()

    def supports(self, src: str, tgt: str) -> bool:
        pair = base_pair(src, tgt)
        if pair is None:
            return False
        s, t = pair
        return s in self.sources and t in self.targets and s != t

    def _send(self, batch: list[str], src: str, tgt: str) -> list[str]:
        payload: dict[str, Any] = {
            "text": batch,
            "source_lang": self.source_code(src),
            "target_lang": self.target_code(tgt),
        }
        if self.formality:
            payload["formality"] = self.formality
        body = self._request(
            "POST",
            "/v2/translate",
            json=payload,
            headers={"Authorization": f"DeepL-Auth-Key {self.api_key}"},
        )
        items = body.get("translations") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise self._error("unavailable", True, "the reply has no translations list")
        out: list[str] = []
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise self._error("unavailable", True, "a translation in the reply has no text")
            out.append(item["text"])
        return out
