"""Glossary, translation memory, and choosing an engine per language pair."""

from __future__ import annotations

import pytest

from newswire.translate.base import TranslationError, canonical_tag, is_known_language
from newswire.translate.engines import DeepLEngine, EngineRegistry, LibreTranslateEngine
from newswire.translate.glossary import Glossary, GlossaryEntry
from newswire.translate.memory import InMemoryTranslationMemory, store_approved
from newswire.translate.pipeline import translate_edition


class Fake:
    def __init__(self, name: str, pairs: set[tuple[str, str]] | None = None) -> None:
        self.name = name
        self.pairs = pairs
        self.calls: list[list[str]] = []

    def supports(self, src: str, tgt: str) -> bool:
        return self.pairs is None or (src, tgt) in self.pairs

    def translate_batch(self, segments: list[str], src: str, tgt: str) -> list[str]:
        self.calls.append(list(segments))
        return [f"[{tgt}] {s}" for s in segments]


def test_glossary_matching() -> None:
    g = Glossary.from_mapping(
        {"ACME": None, "Acme Energy": "keep", "WindMaster": {"de": "WindMeister", "pt-BR": "X"}}
    )
    found = [
        (e.term, "Acme Energy and ACME, not ACMEX; WindMaster."[a:b])
        for a, b, e in g.find("Acme Energy and ACME, not ACMEX; WindMaster.", "en")
    ]
    assert found == [("Acme Energy", "Acme Energy"), ("ACME", "ACME"), ("WindMaster", "WindMaster")]
    entry = next(e for e in g if e.term == "WindMaster")
    assert entry.target_for("de") == "WindMeister"
    assert entry.target_for("de-AT") == "WindMeister"
    assert entry.target_for("pt") == "X"
    assert entry.target_for("fr") == "WindMaster"
    assert g.covers(" Acme Energy ", "en") is not None
    cjk = Glossary([GlossaryEntry("華達", {})])
    assert cjk.find("華達科技今天宣布", "zh-Hant")
    with pytest.raises(ValueError):
        Glossary.from_mapping({"X": 3})  # type: ignore[dict-item]


def test_memory() -> None:
    memory = InMemoryTranslationMemory()
    memory.store("en", "pt-BR", "Hello  world.", "Olá, mundo.")
    assert memory.lookup("en", "pt-br", "Hello world.") == "Olá, mundo."
    assert memory.lookup("en", "pt", "Hello world.") is None
    assert store_approved(memory, [("A.", "B.", "engine"), ("", "x")], "en", "de") == 1
    with pytest.raises(ValueError):
        memory.store("en", "de", " ", "x")


def test_language_tags() -> None:
    assert canonical_tag("ZH_hans") == "zh-Hans"
    assert canonical_tag("pt-br") == "pt-BR"
    assert is_known_language("zh-Hant") and is_known_language("pt-BR")
    assert not is_known_language("xx") and not is_known_language("")


def test_registry_precedence() -> None:
    local, deepl, libre = Fake("local"), Fake("deepl"), Fake("libre", {("en", "fr")})
    registry = EngineRegistry(
        {"en-de": "local", "*-de": "deepl", "en-*": "libre", "zh-Hans-en": "local"},
        {"local": local, "deepl": deepl, "libre": libre},
    )
    assert registry.engine_for("en", "de") is local
    assert registry.engine_for("fr", "de") is deepl
    assert registry.engine_for("en", "fr") is libre
    assert registry.engine_for("en", "ja") is None  # libre cannot, nothing else covers it
    assert registry.engine_for("zh-Hans", "en") is local
    assert registry.engine_for("ko", "en") is None


def test_registry_from_config_builds_engines() -> None:
    registry = EngineRegistry.from_config(
        {
            "pairs": {"*-de": "deepl", "en-fr": "libre"},
            "engines": {
                "deepl": {"type": "deepl", "api_key": "k:fx"},
                "libre": {
                    "type": "libretranslate",
                    "url": "http://127.0.0.1:9",
                    "languages": ["en", "fr"],
                },
            },
        }
    )
    deepl = registry.engine_for("en", "de")
    assert isinstance(deepl, DeepLEngine) and deepl.url == "https://api-free.deepl.com"
    assert isinstance(registry.engine_for("en", "fr"), LibreTranslateEngine)
    assert registry.engine_for("en", "th") is None
    with pytest.raises(ValueError, match="not configured"):
        EngineRegistry({"en-de": "nope"})
    with pytest.raises(ValueError, match="unknown engine type"):
        EngineRegistry.from_config({"engines": {"x": {"type": "babelfish"}}})


def test_edition_statuses() -> None:
    fake = Fake("fake", {("en", "de")})
    registry = EngineRegistry({"en-de": "fake"}, {"fake": fake})
    md = "Acme Energy opened its plant in Porto on Tuesday."
    draft = translate_edition(md, "en", "th", registry=registry, machine_translation_allowed=True)
    assert draft.status == "needs_translator" and draft.result is None
    assert "translator" in draft.reason

    class German(Fake):
        def translate_batch(self, segments: list[str], src: str, tgt: str) -> list[str]:
            return ["Die Acme Energy eröffnete am Dienstag ihr Werk in Porto."]

    registry = EngineRegistry({"en-de": "g"}, {"g": German("g")})
    ok = translate_edition(md, "en", "de", registry=registry, machine_translation_allowed=True)
    assert ok.status == "auto_approved", ok.reason
    held = translate_edition(md, "en", "de", registry=registry, machine_translation_allowed=False)
    assert held.status == "needs_review"

    class Broken(Fake):
        def translate_batch(self, segments: list[str], src: str, tgt: str) -> list[str]:
            raise TranslationError("quota", False, "quota used up", "broken")

    registry = EngineRegistry({"en-de": "b"}, {"b": Broken("b")})
    failed = translate_edition(md, "en", "de", registry=registry, machine_translation_allowed=True)
    assert failed.status == "engine_failed" and failed.error is not None
    assert failed.error.kind == "quota" and not failed.error.retryable
