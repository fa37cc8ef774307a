"""Fetching an index or a package from a URL or a local file, with errors that say what
went wrong (404, timeout, no connection) and the SHA-256 of what was fetched."""

from __future__ import annotations

import hashlib
import os
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import httpx

from newswire.translate.models.layout import ModelInstallError

__all__ = ["Fetcher", "check_sha256", "is_url", "refuse_broken_zip", "sha256_of_file"]

_CHUNK = 1 << 20


def is_url(location: str) -> bool:
    return urlparse(location).scheme in ("http", "https")


def _local_path(location: str) -> Path:
    parsed = urlparse(location)
    return Path(parsed.path) if parsed.scheme == "file" else Path(location)


def sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _default_timeout() -> float:
    raw = os.environ.get("NEWSWIRE_MODELS_TIMEOUT_S", "60")
    try:
        return float(raw)
    except ValueError:
        raise ModelInstallError(f"NEWSWIRE_MODELS_TIMEOUT_S={raw!r} is not a number") from None


@dataclass
class Fetcher:
    """Reads URLs over HTTP(S) with httpx and anything else as a local path."""

    timeout_s: float = field(default_factory=lambda: _default_timeout())

    def _client(self) -> httpx.Client:
        return httpx.Client(timeout=self.timeout_s, follow_redirects=True)

    def _failure(self, url: str, exc: Exception) -> ModelInstallError:
        if isinstance(exc, httpx.TimeoutException):
            return ModelInstallError(f"{url}: timed out after {self.timeout_s:g} s")
        if isinstance(exc, httpx.HTTPStatusError):
            status = exc.response.status_code
            return ModelInstallError(f"{url}: answered {status} {exc.response.reason_phrase}")
        return ModelInstallError(f"{url}: cannot reach it: {exc}")

    def text(self, location: str) -> str:
        """The body of an index (a URL or a local file), as text."""
        if not is_url(location):
            path = _local_path(location)
            try:
                return path.read_text(encoding="utf-8")
            except FileNotFoundError:
                raise ModelInstallError(f"{location}: no such file") from None
            except (OSError, UnicodeDecodeError) as exc:
                raise ModelInstallError(f"{location}: cannot read it: {exc}") from None
        try:
            with self._client() as client:
                response = client.get(location)
                response.raise_for_status()
                return response.text
        except httpx.HTTPError as exc:
            raise self._failure(location, exc) from None

    def to_file(self, location: str, dest: Path) -> str:
        """Copies a URL or a local file to `dest`; returns the SHA-256 of what was written."""
        digest = hashlib.sha256()
        if not is_url(location):
            path = _local_path(location)
            if not path.is_file():
                raise ModelInstallError(f"{location}: no such file")
            try:
                shutil.copyfile(path, dest)
            except OSError as exc:
                raise ModelInstallError(
                    f"{location}: cannot copy it: {exc.strerror or exc}"
                ) from None
            return sha256_of_file(dest)
        try:
            with self._client() as client, client.stream("GET", location) as response:
                response.raise_for_status()
                with dest.open("wb") as out:
                    for chunk in response.iter_bytes(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        except httpx.HTTPError as exc:
            raise self._failure(location, exc) from None
        except OSError as exc:
            raise ModelInstallError(f"cannot write {dest}: {exc.strerror or exc}") from None
        return digest.hexdigest()


def check_sha256(what: str, actual: str, expected: str | None) -> None:
    """ModelInstallError when an expected hash is given and differs."""
    if expected and actual.lower() != expected.strip().lower():
        raise ModelInstallError(
            f"{what}: SHA-256 mismatch (expected {expected.strip().lower()}, got {actual}); "
            "nothing was installed"
        )


def refuse_broken_zip(path: Path, what: str) -> None:
    """ModelInstallError for a file that starts like a zip but is not a whole one (a
    truncated download), so it is reported as a corrupt package, not as something else."""
    with path.open("rb") as f:
        magic = f.read(4)
    if magic == b"PK\x03\x04" and not zipfile.is_zipfile(path):
        raise ModelInstallError(f"{what}: corrupt archive (a truncated or damaged zip)")
