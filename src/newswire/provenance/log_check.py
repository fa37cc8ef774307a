"""Check what the transparency log serves, with nothing but its answers and the wire's public
keys (no database): a tree head's signature, an inclusion proof, a consistency proof.

Each check returns a `Checked` (from `newswire.provenance.signing`): ``ok`` or the ``reason``
it fails, in a sentence for a person. Hashes and proofs are hex strings, as ``/log/v1`` serves
them (bytes are taken too).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from newswire.provenance.merkle import ProofError, leaf_hash, verify_consistency, verify_inclusion
from newswire.provenance.signing import Checked, verify
from newswire.provenance.statement import canonical_json

TREE_HEAD_TYPE = "newswire.tree-head/1"
TREE_HEAD_FIELDS = ("type", "wire", "size", "root_hash", "timestamp")

Hash = str | bytes


def _bytes(value: Hash, what: str) -> bytes:
    if isinstance(value, bytes):
        return value
    try:
        return bytes.fromhex(value)
    except (ValueError, TypeError) as exc:
        raise ProofError(f"{what} is not a hex string") from exc


def _hashes(values: Sequence[Hash], what: str) -> list[bytes]:
    if isinstance(values, str | bytes):
        raise ProofError(f"{what} is not a list of hashes")
    return [_bytes(v, f"{what} entry {i}") for i, v in enumerate(values)]


def leaf_data(statement: Mapping[str, Any], signature: str) -> bytes:
    """The bytes of a log leaf: the statement and its signature, in RFC 8785 form."""
    return canonical_json({"statement": dict(statement), "signature": signature})


def check_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[Hash], root: Hash
) -> Checked:
    """Is the leaf with data `leaf` at `index` of the tree of `size` whose root is `root`?"""
    try:
        verify_inclusion(
            index, size, leaf_hash(leaf), _hashes(proof, "the audit path"), _bytes(root, "root")
        )
    except ProofError as exc:
        return Checked(False, f"inclusion proof fails: {exc}")
    return Checked(True, f"leaf {index} is in the log of size {size}")


def check_consistency(
    first: int, second: int, first_root: Hash, second_root: Hash, proof: Sequence[Hash]
) -> Checked:
    """Is the tree of size `first` a prefix of the tree of size `second`?"""
    try:
        verify_consistency(
            first,
            second,
            _bytes(first_root, "the first root"),
            _bytes(second_root, "the second root"),
            _hashes(proof, "the consistency proof"),
        )
    except ProofError as exc:
        return Checked(False, f"consistency proof fails: {exc}")
    return Checked(True, f"the log of size {second} extends the log of size {first}")


def tree_head_payload(sth: Mapping[str, Any]) -> bytes:
    """The bytes a tree head's signature covers."""
    return canonical_json({field: sth[field] for field in TREE_HEAD_FIELDS})


def check_tree_head(sth: Mapping[str, Any], jwks: Mapping[str, Any] | Sequence[Any]) -> Checked:
    """Is `sth` (as ``/log/v1/tree-head`` serves it) signed by one of the wire's keys, valid
    at its timestamp? `jwks`: the JWK Set, or its ``keys``."""
    missing = [f for f in (*TREE_HEAD_FIELDS, "signature") if f not in sth]
    if missing:
        return Checked(False, f"the tree head lacks {', '.join(missing)}")
    if sth["type"] != TREE_HEAD_TYPE:
        return Checked(False, f"not a newswire tree head (type {sth['type']!r})")
    if not isinstance(sth["size"], int) or isinstance(sth["size"], bool) or sth["size"] < 0:
        return Checked(False, "the tree head's size is not a whole number")
    try:
        signed_at = datetime.fromisoformat(str(sth["timestamp"]).replace("Z", "+00:00"))
    except ValueError:
        return Checked(False, "the tree head's timestamp is not an ISO 8601 time")
    keys = list(jwks.get("keys", []) if isinstance(jwks, Mapping) else jwks)
    checked = verify(tree_head_payload(sth), str(sth["signature"]), keys, signed_at=signed_at)
    if not checked.ok:
        return Checked(False, f"tree head of size {sth['size']}: {checked.reason}", checked.kid)
    return Checked(True, f"tree head of size {sth['size']} signed by the wire", checked.kid)


def check_inclusion_answer(
    answer: Mapping[str, Any], jwks: Mapping[str, Any] | Sequence[Any]
) -> Checked:
    """Check a whole ``/log/v1/proof/inclusion`` answer: the signed tree head, that the leaf is
    the statement and signature it names, and the audit path to the head's root."""
    try:
        head = answer["tree_head"]
        leaf = leaf_data(answer["statement"], answer["signature"])
        index, size, path = int(answer["index"]), int(answer["size"]), answer["audit_path"]
    except (KeyError, TypeError, ValueError) as exc:
        return Checked(False, f"not an inclusion proof answer ({exc})")
    signed = check_tree_head(head, jwks)
    if not signed.ok:
        return signed
    if head["size"] != size:
        return Checked(False, f"the proof is for size {size}, the tree head for {head['size']}")
    if leaf_hash(leaf).hex() != str(answer.get("leaf_hash", leaf_hash(leaf).hex())):
        return Checked(False, "the leaf hash is not the hash of the statement and signature")
    return check_inclusion(leaf, index, size, path, head["root_hash"])
