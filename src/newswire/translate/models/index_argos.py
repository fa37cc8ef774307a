"""The Argos Translate package index and `.argosmodel` packages, for the ctranslate2 engine.

The index is a JSON list of package descriptions, read the way argostranslate's
`package.py` reads it (`load_metadata_from_json`):

    [{"package_version": "1.9", "argos_version": "1.9.0", "type": "translate",
      "from_code": "en", "from_name": "English", "to_code": "de", "to_name": "German",
      "links": ["https://argos-net.com/v1/translate-en_de-1_9.argosmodel"], ...}, ...]

A package is a zip archive of one folder holding `metadata.json` (the same fields),
`model/` (CTranslate2) and `sentencepiece.model`. The index URL is
`NEWSWIRE_ARGOS_INDEX_URL` (default argospm-index's `index.json` on GitHub). Argos spells
Traditional Chinese "zt" and Brazilian Portuguese "pb".
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from newswire.translate.local_engine import argos_tag, discover_models, language_key
from newswire.translate.models.fetch import refuse_broken_zip
from newswire.translate.models.layout import ModelInstallError

__all__ = [
    "ARGOS_INDEX_URL",
    "ArgosIndex",
    "ArgosPackage",
    "argos_index_url",
    "unpack_argos",
]

ARGOS_INDEX_URL = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"


def argos_index_url() -> str:
    return os.environ.get("NEWSWIRE_ARGOS_INDEX_URL") or ARGOS_INDEX_URL


def wire_key(argos_code: str) -> str:
    """The language key of an Argos code ("zt" -> "zh-Hant", "de" -> "de")."""
    return language_key(argos_tag(argos_code))


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", version))


@dataclass(frozen=True)
class ArgosPackage:
    from_code: str
    to_code: str
    version: str
    links: tuple[str, ...]
    sha256: str | None = None  # not in argospm-index; honoured when an index gives one

    @property
    def folder_name(self) -> str:
        return f"{self.from_code}_{self.to_code}-{self.version or '0'}"


class ArgosIndex:
    def __init__(self, body: str, where: str) -> None:
        self.where = where
        try:
            data = json.loads(body)
        except json.JSONDecodeError as exc:
            raise ModelInstallError(
                f"{where}: not an Argos package index (not JSON: {exc.msg})"
            ) from None
        if not isinstance(data, list):
            raise ModelInstallError(f"{where}: not an Argos package index (expected a JSON list)")
        self.packages: list[ArgosPackage] = []
        for entry in data:
            package = self._package(entry)
            if package is not None:
                self.packages.append(package)

    @staticmethod
    def _package(entry: Any) -> ArgosPackage | None:
        if not isinstance(entry, dict) or entry.get("type", "translate") != "translate":
            return None
        src, tgt, links = entry.get("from_code"), entry.get("to_code"), entry.get("links")
        if not isinstance(src, str) or not isinstance(tgt, str) or not isinstance(links, list):
            return None
        sha = entry.get("sha256")
        return ArgosPackage(
            src,
            tgt,
            str(entry.get("package_version", "")),
            tuple(str(link) for link in links if isinstance(link, str)),
            sha if isinstance(sha, str) else None,
        )

    def pairs(self) -> list[tuple[str, str]]:
        return sorted({(p.from_code, p.to_code) for p in self.packages})

    def package_for(self, src: str, tgt: str) -> ArgosPackage | None:
        """The newest package for a wire pair, or None."""
        want = (language_key(src), language_key(tgt))
        found = []
        for p in self.packages:
            try:
                if (wire_key(p.from_code), wire_key(p.to_code)) == want and p.links:
                    found.append(p)
            except ValueError:
                continue
        return max(found, key=lambda p: _version_key(p.version), default=None)


def _read_metadata(folder: Path, what: str) -> dict[str, Any]:
    try:
        meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelInstallError(f"{what}: unreadable metadata.json ({exc})") from None
    if not isinstance(meta, dict) or not meta.get("from_code") or not meta.get("to_code"):
        raise ModelInstallError(f"{what}: metadata.json lacks from_code/to_code")
    return meta


def _check_loads(model: Path, what: str) -> None:
    """Where ctranslate2 is installed, the model must load (a corrupt model.bin does not)."""
    try:
        import ctranslate2
    except ImportError:
        return
    try:
        ctranslate2.Translator(str(model), device="cpu")
    except (RuntimeError, ValueError, OSError) as exc:
        raise ModelInstallError(f"{what}: the CTranslate2 model does not load ({exc})") from None


def unpack_argos(archive: Path, into: Path, what: str) -> tuple[Path, dict[str, Any]]:
    """Unzips a `.argosmodel` into `into`; returns the package folder and its metadata.

    ModelInstallError when it is not a zip, has unsafe paths, lacks metadata.json, or is not
    a package the ctranslate2 engine can use (no CTranslate2 model, BPE instead of
    SentencePiece)."""
    refuse_broken_zip(archive, what)
    if not zipfile.is_zipfile(archive):
        raise ModelInstallError(f"{what}: not an Argos package (not a zip archive)")
    try:
        with zipfile.ZipFile(archive) as zipped:
            for info in zipped.infolist():
                parts = PurePosixPath(info.filename).parts
                if (
                    info.filename.startswith("/")
                    or ".." in parts
                    or (info.external_attr >> 28) == 0xA
                ):
                    raise ModelInstallError(
                        f"{what}: unsafe path in the archive: {info.filename!r}"
                    )
            bad = zipped.testzip()
            if bad is not None:
                raise ModelInstallError(f"{what}: corrupt archive (bad CRC in {bad})")
            zipped.extractall(into)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ModelInstallError(f"{what}: corrupt archive ({exc})") from None
    candidates = [into, *sorted(p for p in into.iterdir() if p.is_dir())]
    folder = next((p for p in candidates if (p / "metadata.json").is_file()), None)
    if folder is None:
        raise ModelInstallError(f"{what}: not an Argos package (no metadata.json)")
    meta = _read_metadata(folder, what)
    if not (folder / "model").is_dir():
        raise ModelInstallError(f"{what}: no CTranslate2 model/ folder in the package")
    if not (folder / "sentencepiece.model").is_file():
        raise ModelInstallError(
            f"{what}: the package has no sentencepiece.model (a BPE package, which the "
            "ctranslate2 engine cannot read)"
        )
    _check_loads(folder / "model", what)
    try:
        found = discover_models(folder)
    except ValueError as exc:
        raise ModelInstallError(f"{what}: {exc}") from None
    if not found:
        raise ModelInstallError(f"{what}: the ctranslate2 engine finds no model in the package")
    return folder, meta
