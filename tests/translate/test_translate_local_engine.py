"""The CTranslate2 engine, on tiny models that the test builds (random weights, a
SentencePiece model trained on a few sentences): discovery of Argos and manifest layouts,
tokenization, batching, order, language tokens. Translation quality is not the point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ctranslate2 = pytest.importorskip("ctranslate2", reason="ctranslate2 is not installed")
spm = pytest.importorskip("sentencepiece", reason="sentencepiece is not installed")
np = pytest.importorskip("numpy", reason="numpy is not installed")

from newswire.translate.base import TranslationError  # noqa: E402
from newswire.translate.local_engine import CTranslate2Engine, discover_models  # noqa: E402
from tiny_ct2 import argos_vocabulary, build_model  # noqa: E402


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("models")
    sp_model, vocabulary = argos_vocabulary()
    # an Argos Translate package, unzipped
    argos = root / "translate-en_de-1_0"
    build_model(argos / "model", vocabulary, seed=1)
    (argos / "sentencepiece.model").write_bytes(sp_model)
    (argos / "metadata.json").write_text(
        json.dumps(
            {"package_version": "1.0", "argos_version": "1.0", "from_code": "en", "to_code": "de"}
        )
    )
    # a multilingual model with language tokens, described by a manifest
    multi = root / "tiny-multi"
    build_model(multi, vocabulary, seed=2)
    (multi / "spm.model").write_bytes(sp_model)
    (multi / "newswire-model.json").write_text(
        json.dumps(
            {
                "languages": {"en": "__en__", "fr": "__fr__", "de": "__de__"},
                "spm": "spm.model",
                "source_prefix": ["{src}"],
                "source_suffix": ["</s>"],
                "target_prefix": ["{tgt}"],
            }
        )
    )
    (root / "not-a-model").mkdir()
    return root


SENTENCES = ["the board approved the plan", "", "acme energy builds wind farms", "shares rose"]


def test_discovery(models_dir: Path) -> None:
    models = discover_models(models_dir)
    assert [m.name for m in models] == ["translate-en_de-1_0", "tiny-multi"]
    engine = CTranslate2Engine(models_dir)
    assert engine.model_for("en", "de").name == "translate-en_de-1_0"  # the pair model first
    assert engine.model_for("en", "fr").name == "tiny-multi"
    assert engine.supports("de", "en") and not engine.supports("en", "ja")
    with pytest.raises(ValueError):
        CTranslate2Engine(models_dir / "missing")


def _direct(folder: Path, spm_file: Path, texts: list[str], **kw: object) -> list[list[str]]:
    translator = ctranslate2.Translator(str(folder), device="cpu")
    sp = spm.SentencePieceProcessor(model_file=str(spm_file))
    source = [sp.encode(t, out_type=str) for t in texts]
    prefix = kw.pop("source_prefix", [])
    suffix = kw.pop("source_suffix", [])
    source = [list(prefix) + s + list(suffix) for s in source]  # type: ignore[arg-type]
    results = translator.translate_batch(
        source, beam_size=2, max_decoding_length=12, replace_unknowns=True, **kw
    )
    return [r.hypotheses[0] for r in results]


def test_batches_keep_order_and_map_tokens(models_dir: Path) -> None:
    engine = CTranslate2Engine(models_dir, max_batch_size=2, max_decoding_length=12)
    out = engine.translate_batch(SENTENCES, "en", "de")
    assert len(out) == len(SENTENCES) and out[1] == ""
    # one by one gives the same: batching does not mix segments up
    assert [engine.translate_batch([s], "en", "de")[0] for s in SENTENCES] == out
    # and it is exactly the model's tokens, detokenized with the package's SentencePiece
    argos = models_dir / "translate-en_de-1_0"
    sp = spm.SentencePieceProcessor(model_file=str(argos / "sentencepiece.model"))
    texts = [s for s in SENTENCES if s]
    expected = [
        sp.decode(h).strip() for h in _direct(argos / "model", argos / "sentencepiece.model", texts)
    ]
    assert [out[0], out[2], out[3]] == expected


def test_language_tokens_are_added_and_stripped(models_dir: Path) -> None:
    engine = CTranslate2Engine(models_dir, max_decoding_length=12)
    out = engine.translate_batch(["the plan", "wind farms"], "en", "fr")
    multi = models_dir / "tiny-multi"
    hyps = _direct(
        multi,
        multi / "spm.model",
        ["the plan", "wind farms"],
        source_prefix=["__en__"],
        source_suffix=["</s>"],
        target_prefix=[["__fr__"], ["__fr__"]],
    )
    assert all(h[0] == "__fr__" for h in hyps)  # the model's output starts with the prefix
    sp = spm.SentencePieceProcessor(model_file=str(multi / "spm.model"))
    assert out == [sp.decode(h[1:]).strip() for h in hyps]


def test_unsupported_pair(models_dir: Path) -> None:
    with pytest.raises(TranslationError) as info:
        CTranslate2Engine(models_dir).translate_batch(["x"], "en", "ja")
    assert info.value.kind == "rejected" and not info.value.retryable
