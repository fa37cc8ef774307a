"""Local CTranslate2 models: Argos Translate packages, converted OPUS-MT and NLLB models.

The operator puts models in one folder (`models_dir`), one sub-folder per model; nothing is
downloaded at run time. A sub-folder is recognized as:

* an **Argos Translate package** (an unzipped `.argosmodel`): `metadata.json` with
  `from_code`/`to_code`, a CTranslate2 model in `model/`, and `sentencepiece.model`;
* a **converted OPUS-MT model** (`ct2-transformers-converter --model Helsinki-NLP/opus-mt-en-de`):
  `model.bin`, `source.spm`, `target.spm`, the pair read from the folder name
  (`opus-mt-en-de`, `opus-mt-tc-big-en-pt`);
* a **converted NLLB-200 model**: `model.bin` and `sentencepiece.bpe.model` in a folder whose
  name contains "nllb"; every pair among the wire languages, with FLORES-200 language tokens;
* anything else with a `newswire-model.json` manifest, which overrides what is guessed:

      {"pairs": ["en-de"],              // or "languages": {"en": "eng_Latn", ...} for all pairs
       "model": "model",                // CTranslate2 folder, relative (default ".")
       "source_spm": "source.spm", "target_spm": "target.spm",
       "source_prefix": ["{src}"], "source_suffix": ["</s>"], "target_prefix": ["{tgt}"]}

  where "{src}"/"{tgt}" stand for the language tokens from "languages".

A model made for a pair is preferred over a multilingual one. See README.md in this package
for how to install models.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newswire.translate.base import TranslationError, base_lang, canonical_tag

__all__ = [
    "NLLB_CODES",
    "CTranslate2Engine",
    "LocalModel",
    "argos_tag",
    "discover_models",
    "language_key",
]

log = logging.getLogger(__name__)

MANIFEST = "newswire-model.json"

# FLORES-200 codes of the wire languages, as NLLB-200 spells them.
NLLB_CODES: dict[str, str] = {
    "en": "eng_Latn",
    "ko": "kor_Hang",
    "ja": "jpn_Jpan",
    "ar": "arb_Arab",
    "zh-Hans": "zho_Hans",
    "zh-Hant": "zho_Hant",
    "vi": "vie_Latn",
    "th": "tha_Thai",
    "id": "ind_Latn",
    "ms": "zsm_Latn",
    "de": "deu_Latn",
    "ru": "rus_Cyrl",
    "fr": "fra_Latn",
    "es": "spa_Latn",
    "pt": "por_Latn",
}


# Argos Translate's own codes for two of the wire's languages.
ARGOS_CODES = {"zt": "zh-Hant", "pb": "pt-BR"}


def argos_tag(code: str) -> str:
    """The wire's tag for an Argos Translate language code ("zt" -> "zh-Hant")."""
    return ARGOS_CODES.get(code, code)


def language_key(tag: str) -> str:
    """ "zh-Hans"/"zh-Hant" stay as they are; every other tag becomes its base language."""
    canonical = canonical_tag(tag)
    if base_lang(canonical) == "zh":
        traditional = canonical.endswith("Hant") or canonical in ("zh-TW", "zh-HK", "zh-MO")
        return "zh-Hant" if traditional else "zh-Hans"
    return base_lang(canonical)


@dataclass
class LocalModel:
    """One model found in the models folder, and how to feed it."""

    name: str
    path: Path  # the CTranslate2 model folder
    source_spm: Path
    target_spm: Path
    pairs: frozenset[tuple[str, str]] = frozenset()
    languages: dict[str, str] = field(default_factory=dict)  # multilingual: tag -> token
    source_prefix: list[str] = field(default_factory=list)
    source_suffix: list[str] = field(default_factory=list)
    target_prefix: list[str] = field(default_factory=list)

    @property
    def multilingual(self) -> bool:
        return bool(self.languages) and not self.pairs

    def covers(self, src: str, tgt: str) -> bool:
        s, t = language_key(src), language_key(tgt)
        if self.pairs:
            return (s, t) in self.pairs or (base_lang(s), base_lang(t)) in self.pairs
        return s != t and s in self.languages and t in self.languages

    def _fill(self, tokens: list[str], src: str, tgt: str) -> list[str]:
        values = {
            "{src}": self.languages.get(language_key(src), ""),
            "{tgt}": self.languages.get(language_key(tgt), ""),
        }
        return [values.get(t, t) for t in tokens]

    def source_tokens(self, pieces: list[str], src: str, tgt: str) -> list[str]:
        return (
            self._fill(self.source_prefix, src, tgt)
            + pieces
            + self._fill(self.source_suffix, src, tgt)
        )

    def target_tokens(self, src: str, tgt: str) -> list[str]:
        return self._fill(self.target_prefix, src, tgt)


def _pair_set(pairs: list[str]) -> frozenset[tuple[str, str]]:
    out = set()
    for pair in pairs:
        src, _, tgt = pair.replace(">", "-").partition("-")
        if not src or not tgt:
            raise ValueError(f"bad pair {pair!r} (write 'en-de')")
        out.add((language_key(src), language_key(tgt)))
    return frozenset(out)


def _from_manifest(folder: Path, data: dict[str, Any]) -> LocalModel:
    model_path = folder / str(data.get("model", "."))
    shared = data.get("spm")
    source_spm = folder / str(data.get("source_spm", shared or "source.spm"))
    target_spm = folder / str(data.get("target_spm", shared or "target.spm"))
    languages = {language_key(k): str(v) for k, v in (data.get("languages") or {}).items()}
    return LocalModel(
        name=folder.name,
        path=model_path,
        source_spm=source_spm,
        target_spm=target_spm,
        pairs=_pair_set(list(data.get("pairs") or [])),
        languages=languages,
        source_prefix=list(data.get("source_prefix") or []),
        source_suffix=list(data.get("source_suffix") or []),
        target_prefix=list(data.get("target_prefix") or []),
    )


_OPUS_PAIR = re.compile(r"(?:^|[-_])([a-z]{2,3})[-_]([a-z]{2,3})$")


def _detect(folder: Path) -> LocalModel | None:
    manifest = folder / MANIFEST
    if manifest.is_file():
        return _from_manifest(folder, json.loads(manifest.read_text(encoding="utf-8")))
    metadata = folder / "metadata.json"
    if metadata.is_file() and (folder / "model").is_dir():
        meta = json.loads(metadata.read_text(encoding="utf-8"))
        spm = folder / "sentencepiece.model"
        if not spm.is_file():
            log.warning("%s: Argos package without sentencepiece.model (BPE): skipped", folder)
            return None
        prefix = meta.get("target_prefix")
        return LocalModel(
            name=folder.name,
            path=folder / "model",
            source_spm=spm,
            target_spm=spm,
            pairs=_pair_set([f"{argos_tag(meta['from_code'])}-{argos_tag(meta['to_code'])}"]),
            target_prefix=[prefix] if prefix else [],
        )
    if not (folder / "model.bin").is_file():
        return None
    if (folder / "source.spm").is_file() and (folder / "target.spm").is_file():
        m = _OPUS_PAIR.search(folder.name.lower())
        if not m:
            log.warning("%s: cannot tell the language pair; add %s", folder, MANIFEST)
            return None
        return LocalModel(
            name=folder.name,
            path=folder,
            source_spm=folder / "source.spm",
            target_spm=folder / "target.spm",
            pairs=_pair_set([f"{m.group(1)}-{m.group(2)}"]),
        )
    spm = folder / "sentencepiece.bpe.model"
    if "nllb" in folder.name.lower() and spm.is_file():
        return LocalModel(
            name=folder.name,
            path=folder,
            source_spm=spm,
            target_spm=spm,
            languages=dict(NLLB_CODES),
            source_prefix=["{src}"],
            source_suffix=["</s>"],
            target_prefix=["{tgt}"],
        )
    return None


def discover_models(models_dir: str | Path) -> list[LocalModel]:
    """The models in `models_dir` (the folder itself may be a model), pair models first."""
    root = Path(models_dir)
    if not root.is_dir():
        raise ValueError(f"the models folder {root} does not exist")
    found: list[LocalModel] = []
    for folder in [root, *sorted(p for p in root.iterdir() if p.is_dir())]:
        try:
            model = _detect(folder)
        except (ValueError, KeyError, json.JSONDecodeError) as exc:
            log.warning("%s: not a usable model: %s", folder, exc)
            continue
        if model is not None:
            found.append(model)
    return sorted(found, key=lambda m: m.multilingual)


class _Loaded:
    def __init__(self, model: LocalModel, device: str, inter: int, intra: int) -> None:
        import ctranslate2
        import sentencepiece

        self.translator = ctranslate2.Translator(
            str(model.path), device=device, inter_threads=inter, intra_threads=intra
        )
        self.source = sentencepiece.SentencePieceProcessor(model_file=str(model.source_spm))
        self.target = (
            self.source
            if model.target_spm == model.source_spm
            else sentencepiece.SentencePieceProcessor(model_file=str(model.target_spm))
        )


class CTranslate2Engine:
    """Translates with CTranslate2 models from a folder (see the module docstring).

    Segments are tokenized with the model's SentencePiece model, translated in batches of
    `max_batch_size` (CTranslate2 sorts them by length inside and gives them back in
    order), and detokenized; empty segments are passed through without running the model.
    """

    name = "ctranslate2"

    def __init__(
        self,
        models_dir: str | Path,
        *,
        device: str = "cpu",
        inter_threads: int = 1,
        intra_threads: int = 0,
        beam_size: int = 2,
        max_batch_size: int = 32,
        max_decoding_length: int = 256,
        watch: bool = False,
    ) -> None:
        self.models_dir = Path(models_dir)
        # watch: the folder the installer fills (it may not exist yet); read again when it changes
        self.watch = watch
        self._seen: float | None = None
        self.models = [] if watch else discover_models(self.models_dir)
        self.device = device
        self.inter_threads = inter_threads
        self.intra_threads = intra_threads
        self.beam_size = beam_size
        self.max_batch_size = max_batch_size
        self.max_decoding_length = max_decoding_length
        self._loaded: dict[str, _Loaded] = {}
        self._lock = threading.Lock()

    def _refresh(self) -> None:
        try:
            stamp = self.models_dir.stat().st_mtime
        except OSError:
            self.models, self._seen = [], None
            return
        if stamp != self._seen:
            self.models, self._seen = discover_models(self.models_dir), stamp

    def directions(self) -> frozenset[tuple[str, str]]:
        if self.watch:
            self._refresh()
        found: set[tuple[str, str]] = set()
        for model in self.models:
            pairs = model.pairs or {(s, t) for s in model.languages for t in model.languages}
            found |= {(base_lang(s), base_lang(t)) for s, t in pairs if s != t}
        return frozenset(found)

    def model_for(self, src: str, tgt: str) -> LocalModel | None:
        if self.watch:
            self._refresh()
        try:
            return next((m for m in self.models if m.covers(src, tgt)), None)
        except ValueError:
            return None

    def supports(self, src: str, tgt: str) -> bool:
        return self.model_for(src, tgt) is not None

    def _load(self, model: LocalModel) -> _Loaded:
        loaded = self._loaded.get(model.name)
        if loaded is None:
            with self._lock:
                loaded = self._loaded.get(model.name)
                if loaded is None:
                    try:
                        loaded = _Loaded(model, self.device, self.inter_threads, self.intra_threads)
                    except ImportError as exc:
                        raise TranslationError(
                            "unavailable", False, f"ctranslate2 is not installed: {exc}", self.name
                        ) from exc
                    except (RuntimeError, OSError, ValueError) as exc:
                        raise TranslationError(
                            "unavailable", False, f"cannot load {model.name}: {exc}", self.name
                        ) from exc
                    self._loaded[model.name] = loaded
        return loaded

    def translate_batch(self, segments: list[str], src: str, tgt: str) -> list[str]:
        model = self.model_for(src, tgt)
        if model is None:
            raise TranslationError(
                "rejected", False, f"no local model translates {src} to {tgt}", self.name
            )
        loaded = self._load(model)
        todo = [i for i, s in enumerate(segments) if s.strip()]
        out = list(segments)
        if not todo:
            return out
        sources = [
            model.source_tokens(loaded.source.encode(segments[i], out_type=str), src, tgt)
            for i in todo
        ]
        prefix = model.target_tokens(src, tgt)
        try:
            results = loaded.translator.translate_batch(
                sources,
                target_prefix=[list(prefix) for _ in sources] if prefix else None,
                beam_size=self.beam_size,
                max_batch_size=self.max_batch_size,
                max_decoding_length=self.max_decoding_length,
                replace_unknowns=True,
            )
        except (RuntimeError, ValueError) as exc:
            raise TranslationError(
                "unavailable", False, f"{model.name} failed: {exc}", self.name
            ) from exc
        for i, result in zip(todo, results, strict=True):
            pieces = result.hypotheses[0][len(prefix) :]
            out[i] = loaded.target.decode(pieces).strip()
        return out
