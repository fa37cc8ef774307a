"""Where installed models live in the data folder, what an installed model says about itself,
and how a model folder is put in place all at once or not at all.

    <data_dir>/models/firefox/<src>-<tgt>/           Firefox Translations (fxtranslate engine)
        fxtranslate.json                             the manifest (below)
        model.ende.intgemm.alphas.bin  vocab.ende.spm  lex.50.50.ende.s2t.bin
    <data_dir>/models/argos/<from>_<to>-<version>/   unzipped Argos Translate packages
        metadata.json  model/  sentencepiece.model   (read by the ctranslate2 engine)
        newswire-install.json                        where it came from, its hash

The Firefox manifest (`fxtranslate.json`):

    {"engine": "fxtranslate", "from": "en", "to": "de", "version": "1.0",
     "source": "https://.../records", "installed_at": "2026-12-03T12:00:00+00:00",
     "files": {"model": {"name": "model.ende.intgemm.alphas.bin", "sha256": "..."},
               "vocab": {"name": "vocab.ende.spm", "sha256": "..."},
               "lex":   {"name": "lex.50.50.ende.s2t.bin", "sha256": "..."}}}

Roles: `model`; `vocab` (shared) or `srcvocab` and `trgvocab` (split, CJK); `lex` (the lexical
shortlist, optional).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = [
    "ARGOS_RECEIPT",
    "FIREFOX_MANIFEST",
    "FirefoxManifest",
    "ModelFile",
    "ModelInstallError",
    "argos_models_dir",
    "firefox_models_dir",
    "is_staging",
    "model_folders",
    "models_root",
    "place",
    "read_firefox_manifest",
    "staging",
    "write_json",
]

FIREFOX_MANIFEST = "fxtranslate.json"
ARGOS_RECEIPT = "newswire-install.json"
FIREFOX_ROLES = ("model", "vocab", "srcvocab", "trgvocab", "lex")
_STAGING_PREFIX = ".installing-"
# A staging folder this old was left by an install that was killed: removed by the next one.
_STALE_AFTER_S = 24 * 3600


class ModelInstallError(Exception):
    """A model could not be installed, listed or removed; the message names the problem."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def models_root(data_dir: Path) -> Path:
    return Path(data_dir) / "models"


def firefox_models_dir(data_dir: Path) -> Path:
    """Where the fxtranslate engine finds its models: one `<src>-<tgt>` folder a direction."""
    return models_root(data_dir) / "firefox"


def argos_models_dir(data_dir: Path) -> Path:
    """Where the ctranslate2 engine finds installed Argos Translate packages."""
    return models_root(data_dir) / "argos"


@dataclass(frozen=True)
class ModelFile:
    role: str
    name: str
    sha256: str


@dataclass(frozen=True)
class FirefoxManifest:
    """One installed Firefox Translations direction, read from its folder's manifest."""

    folder: Path
    src: str
    tgt: str
    version: str
    source: str
    files: dict[str, ModelFile] = field(default_factory=dict)
    installed_at: str = ""

    def path(self, role: str) -> Path | None:
        file = self.files.get(role)
        return self.folder / file.name if file else None

    def as_json(self) -> dict[str, Any]:
        return {
            "engine": "fxtranslate",
            "from": self.src,
            "to": self.tgt,
            "version": self.version,
            "source": self.source,
            "installed_at": self.installed_at or datetime.now(UTC).isoformat(timespec="seconds"),
            "files": {
                role: {"name": f.name, "sha256": f.sha256} for role, f in sorted(self.files.items())
            },
        }


def read_firefox_manifest(folder: Path) -> FirefoxManifest:
    """The manifest of an installed direction; ValueError naming what is wrong with it."""
    path = folder / FIREFOX_MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{folder}: no {FIREFOX_MANIFEST}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a readable manifest: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    files: dict[str, ModelFile] = {}
    for role, entry in (data.get("files") or {}).items():
        if role not in FIREFOX_ROLES or not isinstance(entry, dict):
            raise ValueError(f"{path}: unknown file role {role!r}")
        name = str(entry.get("name", ""))
        if not name or "/" in name or name.startswith("."):
            raise ValueError(f"{path}: bad file name for {role}: {name!r}")
        files[role] = ModelFile(role, name, str(entry.get("sha256", "")))
    src, tgt = data.get("from"), data.get("to")
    if not isinstance(src, str) or not isinstance(tgt, str) or not src or not tgt:
        raise ValueError(f"{path}: 'from' and 'to' are required")
    if "model" not in files or not ("vocab" in files or {"srcvocab", "trgvocab"} <= set(files)):
        raise ValueError(f"{path}: needs a model and a vocab (or srcvocab and trgvocab)")
    return FirefoxManifest(
        folder=folder,
        src=src,
        tgt=tgt,
        version=str(data.get("version", "")),
        source=str(data.get("source", "")),
        files=files,
        installed_at=str(data.get("installed_at", "")),
    )


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ModelInstallError(
            f"cannot install into {folder}: it is a file, not a folder"
        ) from None
    except PermissionError:
        raise ModelInstallError(f"cannot write to {folder}: permission denied") from None
    except OSError as exc:
        raise ModelInstallError(f"cannot create {folder}: {exc.strerror or exc}") from None
    if not folder.is_dir():
        raise ModelInstallError(f"cannot install into {folder}: it is not a folder")


@contextmanager
def staging(parent: Path) -> Iterator[Path]:
    """A fresh folder inside `parent` (same file system, so `place` is a rename), removed on
    the way out whatever happens; what `place` moved out of it stays installed."""
    _writable(parent)
    _remove_stale(parent)
    try:
        folder = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=parent))
    except PermissionError:
        raise ModelInstallError(f"cannot write to {parent}: permission denied") from None
    except OSError as exc:
        raise ModelInstallError(f"cannot write to {parent}: {exc.strerror or exc}") from None
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _remove_stale(parent: Path) -> None:
    now = time.time()
    for folder in parent.glob(_STAGING_PREFIX + "*"):
        try:
            if now - folder.stat().st_mtime > _STALE_AFTER_S:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def place(ready: Path, final: Path, replaces: list[Path] | None = None) -> None:
    """Move the verified folder `ready` to `final`, then remove what it replaces (an older
    version of the same direction). If the move fails, the old model is back where it was."""
    old = [p for p in {final, *(replaces or [])} if p.exists()]
    parked: list[tuple[Path, Path]] = []
    try:
        for path in old:
            aside = ready.parent / f"{_STAGING_PREFIX}old-{path.name}-{os.getpid()}"
            os.replace(path, aside)
            parked.append((aside, path))
        os.replace(ready, final)
    except OSError as exc:
        for aside, path in reversed(parked):
            os.replace(aside, path)
        raise ModelInstallError(
            f"cannot move the model into {final}: {exc.strerror or exc}"
        ) from exc
    for aside, _ in parked:
        shutil.rmtree(aside, ignore_errors=True)


def is_staging(folder: Path) -> bool:
    return folder.name.startswith(_STAGING_PREFIX)


def model_folders(root: Path) -> list[Path]:
    """The model folders under `root`, in name order: staging folders (an install under way
    or one that was killed) left out; none when `root` does not exist yet."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not is_staging(p))
