"""The CTranslate2 engine, on tiny models that the test builds (random weights, a
SentencePiece model trained on a few sentences): discovery of Argos and manifest layouts,
tokenization, batching, order, language tokens. Translation quality is not the point."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

ctranslate2 = pytest.importorskip("ctranslate2", reason="ctranslate2 is not installed")
spm = pytest.importorskip("sentencepiece", reason="sentencepiece is not installed")
np = pytest.importorskip("numpy", reason="numpy is not installed")

from newswire.translate.base import TranslationError  # noqa: E402
from newswire.translate.local_engine import CTranslate2Engine, discover_models  # noqa: E402

CORPUS = [
    "the company announced that revenue rose in the quarter",
    "acme energy builds wind farms in germany and brazil",
    "the board approved the plan on tuesday",
    "shares rose four percent in frankfurt",
] * 10
LANG_TOKENS = ["__en__", "__fr__", "__de__"]


def train_spm() -> tuple[bytes, list[str]]:
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(CORPUS),
        model_writer=model,
        vocab_size=48,
        model_type="unigram",
        minloglevel=2,
    )
    processor = spm.SentencePieceProcessor(model_proto=model.getvalue())
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    return model.getvalue(), pieces


def build_model(folder: Path, vocabulary: list[str], seed: int) -> None:
    """A 1-layer Transformer with random weights, saved as a CTranslate2 model."""
    from ctranslate2 import specs

    rng = np.random.default_rng(seed)
    d, ff, v = 16, 32, len(vocabulary)
    spec = specs.TransformerSpec.from_config(1, 2)

    def linear(layer: object, out: int, inp: int) -> None:
        layer.weight = (rng.standard_normal((out, inp)) * 0.3).astype(np.float32)  # type: ignore[attr-defined]
        layer.bias = np.zeros(out, np.float32)  # type: ignore[attr-defined]

    def norm(layer: object) -> None:
        layer.gamma = np.ones(d, np.float32)  # type: ignore[attr-defined]
        layer.beta = np.zeros(d, np.float32)  # type: ignore[attr-defined]

    def attention(layer: object, cross: bool) -> None:
        norm(layer.layer_norm)  # type: ignore[attr-defined]
        links = layer.linear  # type: ignore[attr-defined]
        if cross:
            linear(links[0], d, d), linear(links[1], 2 * d, d), linear(links[2], d, d)
        else:
            linear(links[0], 3 * d, d), linear(links[1], d, d)

    def ffn(layer: object) -> None:
        norm(layer.layer_norm)  # type: ignore[attr-defined]
        linear(layer.linear_0, ff, d), linear(layer.linear_1, d, ff)  # type: ignore[attr-defined]

    spec.encoder.embeddings[0].weight = rng.standard_normal((v, d)).astype(np.float32)
    norm(spec.encoder.layer_norm)
    for layer in spec.encoder.layer:
        attention(layer.self_attention, cross=False)
        ffn(layer.ffn)
    spec.decoder.embeddings.weight = rng.standard_normal((v, d)).astype(np.float32)
    norm(spec.decoder.layer_norm)
    linear(spec.decoder.projection, v, d)
    for layer in spec.decoder.layer:
        attention(layer.self_attention, cross=False)
        attention(layer.attention, cross=True)
        ffn(layer.ffn)
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.validate()
    spec.optimize()
    folder.mkdir(parents=True, exist_ok=True)
    spec.save(str(folder))


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("models")
    sp_model, pieces = train_spm()
    vocabulary = ["<blank>", "<unk>", "<s>", "</s>"]
    vocabulary += [p for p in pieces if p not in vocabulary] + LANG_TOKENS
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
