"""The Firefox Translations model registry: Mozilla Remote Settings records.

The registry is a Remote Settings collection (`translations-models-v2`); its `records`
endpoint answers `{"data": [record, ...]}`, one record per file:

    {"name": "model.ende.intgemm.alphas.bin", "fileType": "model",   // vocab, srcvocab,
     "sourceLanguage": "en", "targetLanguage": "de", "version": "3.0", //  trgvocab, lex
     "architecture": "base", "decompressedHash": "<sha256 of the file>",
     "attachment": {"location": "main-workspace/translations-models/<uuid>.zst",
                    "hash": "<sha256 of the .zst>", "filename": "...", "size": 123}}

Attachments are zstd-compressed and served under the server's attachments base URL. The
records are read with `fxtranslate.discovery` (`parse_records`, `model_pairs` with its
version gate, `verify_and_decompress`), so this follows fxtranslate's own client. URLs:
`NEWSWIRE_FIREFOX_RECORDS_URL` (default `fxtranslate.discovery.records_url()`, which honours
`FXTRANSLATE_RECORDS_URL`) and `NEWSWIRE_FIREFOX_ATTACHMENTS_URL` (default the Mozilla CDN).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from newswire.translate.local_engine import language_key
from newswire.translate.models.layout import ModelInstallError

__all__ = [
    "ATTACHMENTS_URL",
    "FirefoxIndex",
    "FirefoxRegistry",
    "RecordFile",
]

ATTACHMENTS_URL = "https://firefox-settings-attachments.cdn.mozilla.net/"
_ROLES = ("model", "vocab", "srcvocab", "trgvocab", "lex")
# When a direction has several architectures at one version, the first of these wins.
_ARCHITECTURES = ("base", "base-memory", "tiny")


def _discovery() -> Any:
    try:
        from fxtranslate import discovery
    except ImportError as exc:
        raise ModelInstallError(
            f"the fxtranslate package cannot be imported ({exc}): pip install fxtranslate"
        ) from exc
    return discovery


@dataclass(frozen=True)
class FirefoxRegistry:
    """Where the records and their attachments are."""

    records_url: str
    attachments_url: str

    @classmethod
    def from_environment(cls) -> FirefoxRegistry:
        records = os.environ.get("NEWSWIRE_FIREFOX_RECORDS_URL") or _discovery().records_url()
        attachments = os.environ.get("NEWSWIRE_FIREFOX_ATTACHMENTS_URL") or ATTACHMENTS_URL
        return cls(records, attachments)

    def attachment_url(self, location: str) -> str:
        return urljoin(self.attachments_url.rstrip("/") + "/", location)


@dataclass(frozen=True)
class RecordFile:
    role: str
    name: str
    location: str
    sha256: str | None  # of the decompressed file


def _version_key(version: str) -> tuple[int, ...]:
    parts = []
    for part in version.replace("a", ".").replace("b", ".").split("."):
        parts.append(int(part) if part.isdigit() else -1)
    return tuple(parts)


def _architecture_rank(architecture: str | None) -> int:
    if architecture in _ARCHITECTURES:
        return _ARCHITECTURES.index(architecture)
    return len(_ARCHITECTURES)


class FirefoxIndex:
    """The records of the registry, read with fxtranslate's own parser."""

    def __init__(self, body: str, where: str) -> None:
        discovery = _discovery()
        self.where = where
        try:
            self.records = discovery.parse_records(body)
            self._raw = json.loads(body)["data"]
            self._pairs = [tuple(p) for p in discovery.model_pairs(body)]
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelInstallError(
                f"{where}: not a Firefox Translations records list ({exc})"
            ) from None
        self._gate = discovery.model_pairs

    def pairs(self) -> list[tuple[str, str]]:
        """The (source, target) codes of the directions fxtranslate can use, as the index
        spells them ("en", "zh-Hans")."""
        return sorted(self._pairs)  # type: ignore[arg-type]

    def code_for(self, src: str, tgt: str) -> tuple[str, str] | None:
        """The index's codes for a wire pair ("pt-BR" -> "pt"), or None."""
        want = (language_key(src), language_key(tgt))
        for s, t in self._pairs:
            try:
                if (language_key(s), language_key(t)) == want:
                    return s, t
            except ValueError:
                continue
        return None

    def _supported(self, raw: list[dict[str, Any]]) -> bool:
        return bool(self._gate(json.dumps({"data": raw})))

    def files_for(self, src: str, tgt: str) -> tuple[str, list[RecordFile]]:
        """The newest usable version of the direction (index codes) and its files: released
        records (no `filter_expression`, which limits a record to e.g. Nightly) first."""
        raw = [
            r
            for r in self._raw
            if isinstance(r, dict)
            and r.get("sourceLanguage") == src
            and r.get("targetLanguage") == tgt
            and r.get("fileType") in _ROLES
        ]
        released = [r for r in raw if not r.get("filter_expression")]
        for records in (released, raw):
            found = self._newest(records)
            if found:
                return found
        raise ModelInstallError(
            f"{self.where}: no complete model for {src} to {tgt} "
            "(a model and a vocabulary are needed)"
        )

    def _newest(self, raw: list[dict[str, Any]]) -> tuple[str, list[RecordFile]] | None:
        versions = sorted({str(r.get("version", "")) for r in raw}, key=_version_key, reverse=True)
        for version in versions:
            at_version = [r for r in raw if str(r.get("version", "")) == version]
            if not self._supported(at_version):
                continue
            by_arch: dict[str | None, list[dict[str, Any]]] = {}
            for r in at_version:
                by_arch.setdefault(r.get("architecture"), []).append(r)
            for arch in sorted(by_arch, key=_architecture_rank):
                files = self._complete(by_arch[arch])
                if files:
                    return version, files
        return None

    @staticmethod
    def _complete(records: list[dict[str, Any]]) -> list[RecordFile] | None:
        files: dict[str, RecordFile] = {}
        for r in records:
            attachment = r.get("attachment") or {}
            location = attachment.get("location") if isinstance(attachment, dict) else None
            name = str(r.get("name") or "")
            if not location or not name or "/" in name or name.startswith("."):
                continue
            files.setdefault(
                r["fileType"], RecordFile(r["fileType"], name, location, r.get("decompressedHash"))
            )
        has_vocab = "vocab" in files or {"srcvocab", "trgvocab"} <= set(files)
        if "model" not in files or not has_vocab:
            return None
        if "vocab" in files:
            files.pop("srcvocab", None), files.pop("trgvocab", None)
        return [files[role] for role in _ROLES if role in files]


def decompress(data: bytes, sha256: str | None, what: str) -> bytes:
    """A zstd attachment decompressed and checked against the record's hash."""
    try:
        return _discovery().verify_and_decompress(data, sha256)
    except ValueError as exc:
        text = str(exc)
        if "hash" in text.lower() or "sha" in text.lower():
            raise ModelInstallError(
                f"{what}: SHA-256 mismatch ({text}); nothing was installed"
            ) from None
        raise ModelInstallError(
            f"{what}: corrupt attachment ({text}); nothing was installed"
        ) from None
