"""Apertium: Debian's rule-based English <-> Spanish, as a draft for the desk.

Apertium's `eng-spa` pair is the only English pair any package registry ships for free, and
it is rule-based: it gets the grammar of simple sentences right and misses idiom and sense
("quarter" becomes "barrio", "on Tuesday" becomes "encima martes"). Its editions are therefore
always `quality = "draft"`: they go to the desk for post-editing and never out on their own,
whatever the QA gate says. It is `rule_based`, so the router never chains it through a pivot.

The engine runs the `apertium` command (package `apertium-eng-spa`), one process per batch,
one segment a line; placeholders (`XNW0X`) pass through untouched.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from newswire.translate.base import Quality, TranslationError, base_pair

__all__ = ["APT_INSTALL", "ApertiumEngine"]

APT_INSTALL = "apt-get install apertium apertium-eng-spa"
_MODES = {("en", "es"): "eng-spa", ("es", "en"): "spa-eng"}


class ApertiumEngine:
    name = "apertium"
    quality: Quality = "draft"
    rule_based = True

    def __init__(
        self,
        *,
        command: str = "apertium",
        modes_dir: str = "/usr/share/apertium/modes",
        timeout_s: float = 60.0,
    ) -> None:
        self.command = command
        self.modes_dir = Path(modes_dir)
        self.timeout_s = timeout_s

    def _executable(self) -> str | None:
        return shutil.which(self.command)

    def directions(self) -> frozenset[tuple[str, str]]:
        if self._executable() is None:
            return frozenset()
        return frozenset(
            pair for pair, mode in _MODES.items() if (self.modes_dir / f"{mode}.mode").is_file()
        )

    def unavailable_reason(self) -> str | None:
        if self._executable() is None:
            return f"the apertium command is not installed (install it with: {APT_INSTALL})"
        if not self.directions():
            return f"the apertium-eng-spa pair is not installed (install it with: {APT_INSTALL})"
        return None

    def supports(self, src: str, tgt: str) -> bool:
        pair = base_pair(src, tgt)
        return pair is not None and pair in self.directions()

    def translate_batch(self, segments: list[str], src: str, tgt: str) -> list[str]:
        pair = base_pair(src, tgt)
        if pair is None or not self.supports(src, tgt):
            reason = self.unavailable_reason() or f"{src} to {tgt} is not a pair Apertium has"
            raise TranslationError("unavailable", False, reason, self.name)
        mode = _MODES[pair]
        todo = [i for i, s in enumerate(segments) if s.strip()]
        out = list(segments)
        if not todo:
            return out
        lines = [" ".join(segments[i].split()) for i in todo]
        translated = self._run(mode, lines)
        if len(translated) != len(lines):  # a line Apertium split or joined: one at a time
            translated = [self._run(mode, [line])[0] for line in lines]
        for i, text in zip(todo, translated, strict=True):
            out[i] = text
        return out

    def _run(self, mode: str, lines: list[str]) -> list[str]:
        executable = self._executable()
        if executable is None:
            raise TranslationError("unavailable", False, self.unavailable_reason() or "", self.name)
        try:
            done = subprocess.run(
                [executable, "-u", mode],
                input="\n".join(lines) + "\n",
                capture_output=True,
                text=True,
                timeout=self.timeout_s,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise TranslationError(
                "unavailable", True, f"apertium took over {self.timeout_s:g} s", self.name
            ) from exc
        if done.returncode != 0:
            detail = done.stderr.strip().splitlines()[-1:] or ["no message"]
            raise TranslationError(
                "unavailable", False, f"apertium {mode} failed: {detail[0]}", self.name
            )
        result = done.stdout.rstrip("\n").split("\n")
        return [" ".join(line.split()) for line in result]
