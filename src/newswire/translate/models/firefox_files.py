"""A Firefox Translations model given directly (`install --from`): which file is which.

`--from` takes either one archive (zip or tar, optionally gzip/xz-compressed) holding the
direction's files, at its root or in one folder, or the single files themselves (give
`--from` once per file). Files are recognized by name, as Mozilla names them:

    model.*.bin  -> model        lex.*  -> lex (the shortlist, optional)
    vocab.*      -> vocab        srcvocab.* / trgvocab.*  -> split vocabularies

A name ending in `.zst` (as Remote Settings attachments are) is decompressed first. Other
files (config.yml, README) are ignored.
"""

from __future__ import annotations

import re
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

from newswire.translate.models.fetch import refuse_broken_zip
from newswire.translate.models.index_firefox import decompress
from newswire.translate.models.layout import ModelInstallError

__all__ = ["collect_roles", "role_of", "unpack_archive"]

_ROLE_PATTERNS = (
    ("srcvocab", re.compile(r"^srcvocab\..+")),
    ("trgvocab", re.compile(r"^trgvocab\..+")),
    ("vocab", re.compile(r"^vocab\..+")),
    ("lex", re.compile(r"^lex\..+")),
    ("model", re.compile(r"^model\..*\.bin$")),
)


def role_of(name: str) -> str | None:
    base = name[:-4] if name.endswith(".zst") else name
    return next((role for role, pattern in _ROLE_PATTERNS if pattern.match(base)), None)


def _safe(name: str, what: str) -> None:
    parts = PurePosixPath(name).parts
    if name.startswith("/") or ".." in parts:
        raise ModelInstallError(f"{what}: unsafe path in the archive: {name!r}")


def unpack_archive(archive: Path, into: Path, what: str) -> bool:
    """Unpacks a zip or tar into `into`; False when `archive` is neither (a single file)."""
    refuse_broken_zip(archive, what)
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zipped:
                for info in zipped.infolist():
                    _safe(info.filename, what)
                bad = zipped.testzip()
                if bad is not None:
                    raise ModelInstallError(f"{what}: corrupt archive (bad CRC in {bad})")
                zipped.extractall(into)
            return True
        if tarfile.is_tarfile(archive):
            with tarfile.open(archive) as tarred:
                for member in tarred.getmembers():
                    _safe(member.name, what)
                tarred.extractall(into, filter="data")
            return True
    except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError) as exc:
        raise ModelInstallError(f"{what}: corrupt archive ({exc})") from None
    return False


def collect_roles(files: list[Path], into: Path, what: str) -> dict[str, Path]:
    """Moves the recognized files into `into` (decompressing .zst); role -> path there."""
    roles: dict[str, Path] = {}
    for path in files:
        role = role_of(path.name)
        if role is None:
            continue
        if role in roles:
            raise ModelInstallError(
                f"{what}: two files for the {role}: {roles[role].name}, {path.name}"
            )
        name = path.name[:-4] if path.name.endswith(".zst") else path.name
        target = into / name
        if path.name.endswith(".zst"):
            target.write_bytes(decompress(path.read_bytes(), None, f"{what}: {path.name}"))
        else:
            path.replace(target)
        roles[role] = target
    if "vocab" in roles:
        for split in ("srcvocab", "trgvocab"):
            roles.pop(split, None)
    has_vocab = "vocab" in roles or {"srcvocab", "trgvocab"} <= set(roles)
    if "model" not in roles or not has_vocab:
        found = ", ".join(sorted(p.name for p in files)) or "nothing"
        raise ModelInstallError(
            f"{what}: not a Firefox Translations model: needs model.*.bin and vocab.* "
            f"(or srcvocab.* and trgvocab.*); found {found}"
        )
    return roles
