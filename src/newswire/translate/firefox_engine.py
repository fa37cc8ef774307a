"""Firefox Translations: Mozilla's Bergamot/Marian models run on the CPU by `fxtranslate`.

The engine reads the directions installed in `models_dir` (`<data_dir>/models/firefox`, one
`<src>-<tgt>` folder with an `fxtranslate.json` manifest each; `newswire translate install`
puts them there, see `newswire.translate.models`). Nothing is downloaded: translators are
built from the files' bytes (`fxtranslate.Translator(model, src_vocab, trg_vocab, lex)`),
never with `Translator.load`.

A direction is loaded on first use: its files are read, checked against the manifest's
SHA-256, and a translator is built and asked to translate a probe sentence; a direction that
fails is remembered as broken (until its folder changes) and reported as a
`TranslationError("unavailable", retryable=False)` naming the folder and the problem.

`fxtranslate`'s translators are *unsendable*: one may only be used on the thread that built
it. So every worker thread of the engine's pool builds its own translator per direction
(from the bytes read once) and keeps it in a thread-local; segments go to the pool, never
to a translator of another thread.
"""

from __future__ import annotations

import hashlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newswire.translate.base import TranslationError, base_lang, canonical_tag
from newswire.translate.local_engine import language_key
from newswire.translate.models.layout import (
    FIREFOX_MANIFEST,
    FirefoxManifest,
    firefox_models_dir,
    model_folders,
    read_firefox_manifest,
)

__all__ = ["FirefoxTranslationsEngine", "ModelFiles", "build_translator", "firefox_models_dir"]

PROBE = "The company announced its results on Monday."


def fxtranslate_missing() -> str | None:
    """None when `fxtranslate` imports, else why not and how to fix it."""
    try:
        import fxtranslate  # noqa: F401
    except ImportError as exc:
        return f"the fxtranslate package cannot be imported ({exc}): pip install fxtranslate"
    return None


@dataclass(frozen=True)
class ModelFiles:
    """The bytes a translator is built from, read and checked once per direction."""

    model: bytes
    src_vocab: bytes
    trg_vocab: bytes
    lex: bytes | None

    @classmethod
    def read(cls, manifest: FirefoxManifest) -> ModelFiles:
        """ValueError naming the file that is missing or does not match its hash."""

        def load(role: str) -> bytes | None:
            path = manifest.path(role)
            if path is None:
                return None
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise ValueError(f"cannot read {path.name}: {exc.strerror or exc}") from exc
            expected = manifest.files[role].sha256
            if expected and hashlib.sha256(data).hexdigest() != expected.lower():
                raise ValueError(f"{path.name} does not match its SHA-256 (corrupt or changed)")
            return data

        model = load("model")
        shared = load("vocab")
        src_vocab = shared if shared is not None else load("srcvocab")
        trg_vocab = shared if shared is not None else load("trgvocab")
        assert model is not None and src_vocab is not None and trg_vocab is not None
        return cls(model, src_vocab, trg_vocab, load("lex"))


def _native_failure(exc: BaseException) -> bool:
    """fxtranslate raises ValueError, and on some bad input a PyO3 PanicException (which is
    a BaseException): both are failures of the model, not of the program."""
    return not isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit)


def build_translator(files: ModelFiles) -> Any:
    """A translator from the bytes, checked by translating a probe; ValueError if it fails.

    Must be called on the thread that will use (and drop) the translator: on failure no
    reference to it leaves this function, not even through a traceback."""
    from fxtranslate import Translator

    why = ""
    try:
        translator = Translator(files.model, files.src_vocab, files.trg_vocab, files.lex)
    except BaseException as exc:
        if not _native_failure(exc):
            raise
        why = f"the model does not load: {exc}"
    if why:
        raise ValueError(why)
    try:
        probe = translator.translate(PROBE)
    except BaseException as exc:
        if not _native_failure(exc):
            raise
        why = f"the model does not translate: {exc}"
    else:
        if not probe.strip():
            why = "the model translates a probe sentence to nothing (wrong vocabulary?)"
    if why:
        del translator
        raise ValueError(why)
    return translator


# Each worker thread's translators (folder -> (stamp, translator)). Module-level, so that a
# translator is only ever dropped by its own thread: when the thread ends or replaces it.
_THREAD_TRANSLATORS = threading.local()


def _mtime(folder: Path) -> int:
    try:
        return (folder / FIREFOX_MANIFEST).stat().st_mtime_ns
    except OSError:
        return 0


class FirefoxTranslationsEngine:
    """Translates with the Firefox Translations models installed in `models_dir`."""

    name = "fxtranslate"
    quality = "publishable"
    rule_based = False

    def __init__(self, models_dir: str | Path, workers: int | None = None) -> None:
        self.models_dir = Path(models_dir)
        self.workers = max(1, workers or min(4, os.cpu_count() or 1))
        self._lock = threading.Lock()
        self._scanned: tuple[tuple[int, ...], dict[tuple[str, str], FirefoxManifest]] | None = None
        self._files: dict[Path, tuple[str, ModelFiles]] = {}  # folder -> (stamp, bytes)
        self._broken: dict[Path, tuple[str, str]] = {}  # folder -> (stamp, why)
        self._pool: ThreadPoolExecutor | None = None

    @classmethod
    def for_data_dir(
        cls, data_dir: str | Path, workers: int | None = None
    ) -> FirefoxTranslationsEngine:
        return cls(firefox_models_dir(Path(data_dir)), workers=workers)

    # -- what is installed ------------------------------------------------------------------

    def installed(self) -> dict[tuple[str, str], FirefoxManifest]:
        """The installed directions by (source, target) language key ("zh-Hans" kept whole).

        Read again whenever the models folder changes (an install or a removal renames a
        folder in it), so a model installed while the server runs is found."""
        try:
            folders = model_folders(self.models_dir)
            stamp = (self.models_dir.stat().st_mtime_ns, *(_mtime(f) for f in folders))
        except OSError:
            return {}
        scanned = self._scanned
        if scanned is not None and scanned[0] == stamp:
            return scanned[1]
        found: dict[tuple[str, str], FirefoxManifest] = {}
        for folder in folders:
            try:
                manifest = read_firefox_manifest(folder)
                key = (language_key(manifest.src), language_key(manifest.tgt))
            except ValueError:
                continue
            found.setdefault(key, manifest)
        self._scanned = (stamp, found)
        return found

    def directions(self) -> frozenset[tuple[str, str]]:
        if fxtranslate_missing():
            return frozenset()
        return frozenset((base_lang(s), base_lang(t)) for s, t in self.installed())

    def unavailable_reason(self) -> str | None:
        """Why the engine cannot run at all (the package); a direction not installed yet is
        what the route's remedy (`newswire translate install`) is for."""
        return fxtranslate_missing()

    def _manifest(self, src: str, tgt: str) -> FirefoxManifest | None:
        try:
            key = (language_key(canonical_tag(src)), language_key(canonical_tag(tgt)))
        except ValueError:
            return None
        return self.installed().get(key)

    # -- loading ----------------------------------------------------------------------------

    @staticmethod
    def _stamp(manifest: FirefoxManifest) -> str:
        return f"{_mtime(manifest.folder)}|{manifest.version}|{sorted(manifest.files.items())}"

    def _fail(self, manifest: FirefoxManifest, why: str) -> TranslationError:
        return TranslationError(
            "unavailable",
            False,
            f"the {manifest.src}->{manifest.tgt} model in {manifest.folder} cannot be used: {why}; "
            f"install it again with `newswire translate install {manifest.src} {manifest.tgt}`",
            self.name,
        )

    def _pool_now(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="fxtranslate")
            return self._pool

    def _load(self, manifest: FirefoxManifest) -> ModelFiles:
        """The direction's bytes, checked and proved to build a translator (once)."""
        missing = fxtranslate_missing()
        if missing:
            raise TranslationError("unavailable", False, missing, self.name)
        stamp = self._stamp(manifest)
        with self._lock:
            broken = self._broken.get(manifest.folder)
            if broken and broken[0] == stamp:
                raise self._fail(manifest, broken[1])
            cached = self._files.get(manifest.folder)
            if cached and cached[0] == stamp:
                return cached[1]
        try:
            files = ModelFiles.read(manifest)
            failure = (
                self._pool_now().submit(self._work, manifest.folder, stamp, files, PROBE).result()
            )
            why = failure[1].partition(": ")[2] if failure[0] is None else None
        except ValueError as exc:
            why = str(exc)
        if why is not None:
            with self._lock:
                self._broken[manifest.folder] = (stamp, why)
            raise self._fail(manifest, why)
        with self._lock:
            self._files[manifest.folder] = (stamp, files)
        return files

    def _work(
        self, folder: Path, stamp: str, files: ModelFiles, text: str
    ) -> tuple[str | None, str]:
        """On a worker thread: (translation, "") or (None, why). Nothing raised here crosses
        to the caller's thread, so no traceback carries this thread's translators away."""
        mine: dict[Path, tuple[str, Any]] = getattr(_THREAD_TRANSLATORS, "by_folder", None) or {}
        _THREAD_TRANSLATORS.by_folder = mine
        entry = mine.get(folder)
        if entry is None or entry[0] != stamp:
            mine.pop(folder, None)
            try:
                entry = (stamp, build_translator(files))
            except ValueError as exc:
                return None, f"load: {exc}"
            mine[folder] = entry
        if not text.strip():
            return text, ""
        try:
            return " ".join(entry[1].translate(text).split()), ""
        except BaseException as exc:
            if not _native_failure(exc):
                raise
            return None, f"run: the model failed: {exc}"

    # -- the engine protocol ----------------------------------------------------------------

    def supports(self, src: str, tgt: str) -> bool:
        manifest = self._manifest(src, tgt)
        if manifest is None:
            return False
        try:
            self._load(manifest)
        except TranslationError:
            return False
        return True

    def translate_batch(self, segments: list[str], src: str, tgt: str) -> list[str]:
        manifest = self._manifest(src, tgt)
        if manifest is None:
            raise TranslationError(
                "rejected",
                False,
                f"no Firefox Translations model for {src} to {tgt} is installed in "
                f"{self.models_dir} (`newswire translate install {src} {tgt}`)",
                self.name,
            )
        files = self._load(manifest)
        stamp = self._stamp(manifest)

        results = list(
            self._pool_now().map(
                lambda text: self._work(manifest.folder, stamp, files, text), segments
            )
        )
        for out, why in results:
            if out is None:
                kind, _, message = why.partition(": ")
                if kind == "load":
                    raise self._fail(manifest, message)
                raise TranslationError("unavailable", False, message, self.name)
        return [out for out, _ in results]  # type: ignore[misc]

    def close(self) -> None:
        """Stops the worker threads (each drops its own translators, as fxtranslate needs)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
