"""The wire's Ed25519 signing keys: one active key that signs, earlier ones kept to verify.

The key ring is a JSON file, ``signing-keys.json`` in the data folder (readable by its owner
only), created with one key on first use; ``$NEWSWIRE_SIGNING_KEYS`` names another file, so that
every node of a scale-out wire signs with the same keys. ``newswire keys rotate`` retires the
active key (it keeps verifying what it signed, within its validity period) and adds a new one.
Keys are JWKs (RFC 7517, OKP/Ed25519 of RFC 8037) handled by joserfc; the key id is the key's
RFC 7638 thumbprint.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from joserfc.jwk import KeySet, OKPKey

from newswire.provenance.terms import iso_ms

KEYS_FILE = "signing-keys.json"
ALGORITHM = "Ed25519"  # RFC 9864's name for EdDSA over Ed25519 (the same signature bytes)


class KeyRingError(Exception):
    """The key ring file cannot be read or written; the message names the file."""


@dataclass(frozen=True)
class SigningKey:
    kid: str
    key: OKPKey
    valid_from: datetime
    valid_until: datetime | None  # None: the active key

    @property
    def active(self) -> bool:
        return self.valid_until is None

    def valid_at(self, moment: datetime) -> bool:
        return self.valid_from <= moment and (
            self.valid_until is None or moment <= self.valid_until
        )

    def public_jwk(self) -> dict[str, Any]:
        """The public JWK with its validity period (extra members, as RFC 7517 allows)."""
        jwk = self.key.as_dict(private=False)
        jwk.update({"kid": self.kid, "use": "sig", "alg": ALGORITHM})
        jwk["valid_from"] = iso_ms(self.valid_from)
        if self.valid_until is not None:
            jwk["valid_until"] = iso_ms(self.valid_until)
        jwk["status"] = "active" if self.active else "retired"
        return jwk


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def new_key(now: datetime) -> SigningKey:
    key = OKPKey.generate_key("Ed25519")
    kid = key.thumbprint()
    return SigningKey(kid, OKPKey.import_key(key.as_dict(private=True), {"kid": kid}), now, None)


def keys_path(data_dir: Path) -> Path:
    configured = os.environ.get("NEWSWIRE_SIGNING_KEYS")
    return Path(configured) if configured else data_dir / KEYS_FILE


class KeyRing:
    """The keys of one file, read again whenever the file changes (a rotation by the CLI
    reaches a running server without a restart)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._keys: list[SigningKey] = []

    def keys(self) -> list[SigningKey]:
        with self._lock:
            if not self.path.exists():
                self._write([new_key(datetime.now(UTC))], first=True)
            stat = self.path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
            if stamp != self._stamp:
                self._keys, self._stamp = self._read(), stamp
            return list(self._keys)

    def active(self) -> SigningKey:
        return next(k for k in reversed(self.keys()) if k.active)

    def get(self, kid: str) -> SigningKey | None:
        return next((k for k in self.keys() if k.kid == kid), None)

    def rotate(self, now: datetime | None = None) -> SigningKey:
        """Retire the active key (valid until now) and add a new active one."""
        now = now or datetime.now(UTC)
        with self._lock:
            current = self._read() if self.path.exists() else []
            retired = [
                SigningKey(k.kid, k.key, k.valid_from, now) if k.active else k for k in current
            ]
            fresh = new_key(now)
            self._write([*retired, fresh])
            self._stamp = None
        return fresh

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.public_jwk() for k in self.keys()]}

    def key_set(self) -> KeySet:
        return KeySet([k.key for k in self.keys()])

    def _read(self) -> list[SigningKey]:
        try:
            records = json.loads(self.path.read_text())["keys"]
            found = [
                SigningKey(
                    r["kid"],
                    OKPKey.import_key(r["jwk"], {"kid": r["kid"]}),
                    _parse(r["valid_from"]),
                    _parse(r["valid_until"]) if r.get("valid_until") else None,
                )
                for r in records
            ]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise KeyRingError(f"{self.path}: not a readable key ring ({exc})") from exc
        if not any(k.active for k in found):
            raise KeyRingError(f"{self.path}: holds no active signing key")
        return found

    def _write(self, keys: list[SigningKey], *, first: bool = False) -> None:
        """Staged, then renamed into place; the first ring is linked in instead, so that of two
        processes starting together one creates it and the other reads it."""
        records = [
            {
                "kid": k.kid,
                "jwk": k.key.as_dict(private=True),
                "valid_from": iso_ms(k.valid_from),
                "valid_until": iso_ms(k.valid_until) if k.valid_until else None,
            }
            for k in keys
        ]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        staged = self.path.with_name(f"{self.path.name}.{os.getpid()}.new")
        fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump({"keys": records}, out, indent=2)
        if not first:
            staged.replace(self.path)
            return
        try:
            os.link(staged, self.path)
        except FileExistsError:
            pass  # another process made the ring first: it is the one
        finally:
            staged.unlink()


_rings: dict[Path, KeyRing] = {}
_rings_lock = threading.Lock()


def key_ring(data_dir: Path) -> KeyRing:
    """The process's key ring for a data folder (one per file)."""
    path = keys_path(data_dir).resolve()
    with _rings_lock:
        ring = _rings.get(path)
        if ring is None:
            ring = _rings[path] = KeyRing(path)
        return ring
