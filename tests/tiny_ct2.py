"""Tiny CTranslate2 models with random weights and a SentencePiece model trained on a few
sentences: real models for tests of discovery, tokenization and installs, made in a second."""

from __future__ import annotations

import io
from pathlib import Path

import ctranslate2  # noqa: F401 - the callers skip when it is missing
import numpy as np
import sentencepiece as spm

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


def argos_vocabulary() -> tuple[bytes, list[str]]:
    """A SentencePiece model and the vocabulary a model for it needs."""
    sp_model, pieces = train_spm()
    vocabulary = ["<blank>", "<unk>", "<s>", "</s>"]
    vocabulary += [p for p in pieces if p not in vocabulary] + LANG_TOKENS
    return sp_model, vocabulary
