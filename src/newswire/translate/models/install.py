"""Install, list and remove translation models in the data folder.

Every install is staged in a temporary folder inside the engine's models folder, fetched,
checked (hashes, the model loads) and only then renamed into place; any failure leaves
nothing behind and an installed model untouched. Errors are `ModelInstallError`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlparse

from newswire.translate.base import canonical_tag, is_known_language
from newswire.translate.local_engine import language_key
from newswire.translate.models.fetch import Fetcher, check_sha256, sha256_of_file
from newswire.translate.models.firefox_files import collect_roles, unpack_archive
from newswire.translate.models.index_argos import (
    ArgosIndex,
    argos_index_url,
    unpack_argos,
    wire_key,
)
from newswire.translate.models.index_firefox import FirefoxIndex, FirefoxRegistry, decompress
from newswire.translate.models.layout import (
    ARGOS_RECEIPT,
    FIREFOX_MANIFEST,
    FirefoxManifest,
    ModelFile,
    ModelInstallError,
    argos_models_dir,
    firefox_models_dir,
    model_folders,
    place,
    read_firefox_manifest,
    staging,
    write_json,
)

__all__ = ["ENGINES", "InstalledModel", "install", "install_all", "list_installed", "remove"]

ENGINES = ("fxtranslate", "argos")


@dataclass(frozen=True)
class InstalledModel:
    engine: str
    src: str
    tgt: str
    version: str
    path: Path
    size_bytes: int
    source: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"path": str(self.path)}


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _pair(src: str, tgt: str) -> tuple[str, str]:
    for tag in (src, tgt):
        if not is_known_language(tag):
            raise ModelInstallError(f"unknown language {tag!r} (not one of the wire's languages)")
    s, t = canonical_tag(src), canonical_tag(tgt)
    if language_key(s) == language_key(t):
        raise ModelInstallError(f"{src} and {tgt} are the same language")
    return s, t


def _name_in(location: str) -> str:
    name = PurePosixPath(urlparse(location).path).name or "download"
    return name if not name.startswith(".") else "download"


# -- listing --------------------------------------------------------------------------------


def _firefox_installed(data_dir: Path) -> list[InstalledModel]:
    out = []
    for folder in model_folders(firefox_models_dir(data_dir)):
        try:
            m = read_firefox_manifest(folder)
        except ValueError:
            continue
        out.append(
            InstalledModel("fxtranslate", m.src, m.tgt, m.version, folder, _size(folder), m.source)
        )
    return out


def _argos_installed(data_dir: Path) -> list[InstalledModel]:
    out = []
    for folder in model_folders(argos_models_dir(data_dir)):
        try:
            meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
            receipt_path = folder / ARGOS_RECEIPT
            receipt = json.loads(receipt_path.read_text("utf-8")) if receipt_path.is_file() else {}
            src, tgt = str(meta["from_code"]), str(meta["to_code"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        version = str(meta.get("package_version", ""))
        source = str(receipt.get("source", ""))
        out.append(InstalledModel("argos", src, tgt, version, folder, _size(folder), source))
    return out


def list_installed(data_dir: Path) -> list[InstalledModel]:
    """Every installed model, Firefox Translations first, in folder order."""
    return _firefox_installed(Path(data_dir)) + _argos_installed(Path(data_dir))


def _same_direction(model: InstalledModel, src: str, tgt: str) -> bool:
    key = wire_key if model.engine == "argos" else language_key
    try:
        return (key(model.src), key(model.tgt)) == (language_key(src), language_key(tgt))
    except ValueError:
        return False


def remove(data_dir: Path, src: str, tgt: str, engine: str | None = None) -> list[InstalledModel]:
    """Removes the installed models of a direction (of one engine, or all); returns them."""
    s, t = _pair(src, tgt)
    found = [
        m
        for m in list_installed(data_dir)
        if (engine is None or m.engine == engine) and _same_direction(m, s, t)
    ]
    if not found:
        which = f" for {engine}" if engine else ""
        raise ModelInstallError(f"no model{which} translates {s} to {t} here; nothing removed")
    for model in found:
        aside = model.path.parent / f".installing-removed-{model.path.name}-{os.getpid()}"
        try:
            os.replace(model.path, aside)
        except OSError as exc:
            raise ModelInstallError(f"cannot remove {model.path}: {exc.strerror or exc}") from None
        shutil.rmtree(aside, ignore_errors=True)
    return found


# -- Firefox Translations -------------------------------------------------------------------


def _finish_firefox(
    data_dir: Path,
    work: Path,
    roles: dict[str, Path],
    src: str,
    tgt: str,
    version: str,
    source: str,
) -> InstalledModel:
    """Writes the manifest, proves the model loads, and moves it into place."""
    from newswire.translate.firefox_engine import ModelFiles, build_translator, fxtranslate_missing

    files = {role: ModelFile(role, path.name, sha256_of_file(path)) for role, path in roles.items()}
    manifest = FirefoxManifest(work, src, tgt, version, source, files)
    write_json(work / FIREFOX_MANIFEST, manifest.as_json())
    missing = fxtranslate_missing()
    if missing:
        raise ModelInstallError(missing)
    try:
        build_translator(ModelFiles.read(read_firefox_manifest(work)))
    except ValueError as exc:
        raise ModelInstallError(f"{source}: corrupt model ({exc}); nothing was installed") from None
    root = firefox_models_dir(data_dir)
    final = root / f"{src}-{tgt}"
    replaced = [m.path for m in _firefox_installed(data_dir) if _same_direction(m, src, tgt)]
    place(work, final, replaced)
    return InstalledModel("fxtranslate", src, tgt, version, final, _size(final), source)


def _firefox_from_index(
    data_dir: Path,
    src: str,
    tgt: str,
    registry: FirefoxRegistry,
    fetcher: Fetcher,
    index: FirefoxIndex | None,
) -> InstalledModel:
    index = index or FirefoxIndex(fetcher.text(registry.records_url), registry.records_url)
    codes = index.code_for(src, tgt)
    if codes is None:
        raise ModelInstallError(
            f"no Firefox Translations model for {src} to {tgt} in {registry.records_url}"
        )
    version, records = index.files_for(*codes)
    for m in _firefox_installed(data_dir):
        if (
            _same_direction(m, src, tgt)
            and m.version == version
            and m.source == registry.records_url
        ):
            return m  # already installed: nothing to fetch
    with staging(firefox_models_dir(data_dir)) as tmp:
        work = tmp / "model"
        work.mkdir()
        roles = {}
        for record in records:
            url = registry.attachment_url(record.location)
            download = tmp / (record.name + ".zst")
            fetcher.to_file(url, download)
            data = decompress(download.read_bytes(), record.sha256, url)
            download.unlink()
            (work / record.name).write_bytes(data)
            roles[record.role] = work / record.name
        return _finish_firefox(data_dir, work, roles, *codes, version, registry.records_url)


def _firefox_from_files(
    data_dir: Path,
    src: str,
    tgt: str,
    locations: Sequence[str],
    sha256: str | None,
    fetcher: Fetcher,
) -> InstalledModel:
    with staging(firefox_models_dir(data_dir)) as tmp:
        fetched, unpacked = tmp / "fetched", tmp / "unpacked"
        fetched.mkdir(), unpacked.mkdir()
        paths = []
        for location in locations:
            path = fetched / _name_in(location)
            if path.exists():
                raise ModelInstallError(f"{location}: two files named {path.name}")
            check_sha256(location, fetcher.to_file(location, path), sha256)
            paths.append(path)
        if len(paths) == 1 and unpack_archive(paths[0], unpacked, locations[0]):
            paths = sorted(p for p in unpacked.rglob("*") if p.is_file())
        work = tmp / "model"
        work.mkdir()
        roles = collect_roles(paths, work, ", ".join(locations))
        digests = "".join(sha256_of_file(roles[r]) for r in sorted(roles))
        version = "local-" + hashlib.sha256(digests.encode()).hexdigest()[:12]
        return _finish_firefox(data_dir, work, roles, src, tgt, version, ", ".join(locations))


# -- Argos Translate ------------------------------------------------------------------------


def _argos_package(
    data_dir: Path,
    src: str,
    tgt: str,
    links: Sequence[str],
    sha256: str | None,
    fetcher: Fetcher,
    source: str,
) -> InstalledModel:
    with staging(argos_models_dir(data_dir)) as tmp:
        archive = tmp / "package.argosmodel"
        failures = []
        for link in links:
            try:
                digest = fetcher.to_file(link, archive)
                break
            except ModelInstallError as exc:
                failures.append(exc.message)
        else:
            raise ModelInstallError("; ".join(failures) or f"{source}: the package has no links")
        check_sha256(link, digest, sha256)
        unpacked = tmp / "unpacked"
        unpacked.mkdir()
        folder, meta = unpack_argos(archive, unpacked, link)
        got = (wire_key(str(meta["from_code"])), wire_key(str(meta["to_code"])))
        if got != (language_key(src), language_key(tgt)):
            raise ModelInstallError(
                f"{link}: the package translates {meta['from_code']} to {meta['to_code']}, "
                f"not {src} to {tgt}; nothing was installed"
            )
        write_json(folder / ARGOS_RECEIPT, {"source": source, "link": link, "sha256": digest})
        version = str(meta.get("package_version", "")) or "0"
        final = argos_models_dir(data_dir) / f"{meta['from_code']}_{meta['to_code']}-{version}"
        replaced = [m.path for m in _argos_installed(data_dir) if _same_direction(m, src, tgt)]
        place(folder, final, replaced)
        return InstalledModel(
            "argos",
            str(meta["from_code"]),
            str(meta["to_code"]),
            version,
            final,
            _size(final),
            source,
        )


def _argos_from_index(
    data_dir: Path,
    src: str,
    tgt: str,
    sha256: str | None,
    fetcher: Fetcher,
    index: ArgosIndex | None,
) -> InstalledModel:
    url = argos_index_url()
    index = index or ArgosIndex(fetcher.text(url), url)
    package = index.package_for(src, tgt)
    if package is None:
        raise ModelInstallError(f"no Argos Translate package for {src} to {tgt} in {url}")
    for m in _argos_installed(data_dir):
        if _same_direction(m, src, tgt) and m.version == package.version and m.source == url:
            return m
    return _argos_package(data_dir, src, tgt, package.links, sha256 or package.sha256, fetcher, url)


# -- the entry points -----------------------------------------------------------------------


def install(
    data_dir: Path,
    src: str,
    tgt: str,
    *,
    engine: str = "fxtranslate",
    sources: Sequence[str] = (),
    sha256: str | None = None,
    fetcher: Fetcher | None = None,
) -> InstalledModel:
    """Installs the model of one direction from its engine's index, or from `sources`
    (URLs or local files) when given."""
    if engine not in ENGINES:
        raise ModelInstallError(f"unknown engine {engine!r}; expected one of: {', '.join(ENGINES)}")
    s, t = _pair(src, tgt)
    fetcher = fetcher or Fetcher()
    if sha256 is not None and (len(sha256.strip()) != 64 or not _is_hex(sha256.strip())):
        raise ModelInstallError(f"--sha256 {sha256!r} is not a SHA-256 (64 hex digits)")
    if engine == "fxtranslate":
        _need_fxtranslate()
        if sources:
            if sha256 and len(sources) > 1:
                raise ModelInstallError("--sha256 checks one --from; give one archive or no hash")
            return _firefox_from_files(Path(data_dir), s, t, sources, sha256, fetcher)
        if sha256:
            raise ModelInstallError("--sha256 goes with --from (the registry gives its own hashes)")
        return _firefox_from_index(
            Path(data_dir), s, t, FirefoxRegistry.from_environment(), fetcher, None
        )
    if len(sources) > 1:
        raise ModelInstallError("an Argos package is one .argosmodel file: give --from once")
    if sources:
        return _argos_package(Path(data_dir), s, t, sources, sha256, fetcher, sources[0])
    return _argos_from_index(Path(data_dir), s, t, sha256, fetcher, None)


def _need_fxtranslate() -> None:
    from newswire.translate.firefox_engine import fxtranslate_missing

    missing = fxtranslate_missing()
    if missing:
        raise ModelInstallError(missing)


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in text)


def install_all(
    data_dir: Path, *, engine: str = "fxtranslate", fetcher: Fetcher | None = None
) -> tuple[list[InstalledModel], list[str]]:
    """Every direction between two wire languages that the engine's index has; returns what
    is installed and one message per direction that failed (the others still install)."""
    if engine not in ENGINES:
        raise ModelInstallError(f"unknown engine {engine!r}; expected one of: {', '.join(ENGINES)}")
    fetcher = fetcher or Fetcher()
    done: list[InstalledModel] = []
    failed: list[str] = []
    if engine == "fxtranslate":
        _need_fxtranslate()
        registry = FirefoxRegistry.from_environment()
        index = FirefoxIndex(fetcher.text(registry.records_url), registry.records_url)
        pairs = [(s, t) for s, t in index.pairs() if is_known_language(s) and is_known_language(t)]
        for s, t in pairs:
            try:
                done.append(_firefox_from_index(Path(data_dir), s, t, registry, fetcher, index))
            except ModelInstallError as exc:
                failed.append(f"{s} to {t}: {exc.message}")
        return done, failed
    url = argos_index_url()
    argos = ArgosIndex(fetcher.text(url), url)
    for s, t in argos.pairs():
        try:
            ws, wt = wire_key(s), wire_key(t)
        except ValueError:
            continue
        if not (is_known_language(ws) and is_known_language(wt)):
            continue
        try:
            done.append(_argos_from_index(Path(data_dir), ws, wt, None, fetcher, argos))
        except ModelInstallError as exc:
            failed.append(f"{s} to {t}: {exc.message}")
    return done, failed
