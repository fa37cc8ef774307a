"""Merkle tree hashing of RFC 9162 section 2.1 (Certificate Transparency 2.0), pure.

- leaf hash ``SHA-256(0x00 || data)``, interior node ``SHA-256(0x01 || left || right)``;
- `MerkleTree`: the tree head (MTH), inclusion proofs (PATH, 2.1.3.1) and consistency proofs
  (PROOF, 2.1.4.1) over leaf hashes read from anywhere (a list, the database);
- `verify_inclusion` and `verify_consistency`: the verification algorithms of 2.1.3.2 and
  2.1.4.2, raising `ProofError` with the reason a proof fails.

A log is append-only, so the root of a *complete* subtree (2^h leaves starting at a multiple of
2^h) never changes once its last leaf exists: the tree keeps those roots in a cache, and a proof
then costs O(log^2 n) cached look-ups instead of reading the whole log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, MutableMapping, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

# The leaf hashes of the leaves [start, end), in order.
LeafReader = Callable[[int, int], Sequence[bytes]]


class ProofError(ValueError):
    """A proof does not verify; the message says why."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two smaller than `n` (n >= 2): where MTH splits D[n]."""
    return 1 << ((n - 1).bit_length() - 1)


def mth(hashes: Sequence[bytes]) -> bytes:
    """MTH of leaves given by their leaf hashes (bottom-up, the same tree as the recursion)."""
    if not hashes:
        return EMPTY_ROOT
    level = list(hashes)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])  # an odd last node is promoted (RFC's k split)
        level = paired
    return level[0]


class MerkleTree:
    """Proofs over the first leaves of a log, read through `read_leaves`.

    `cache` maps (level, index) to the root of the complete subtree of 2^level leaves that
    starts at leaf index * 2^level; it may be shared between trees over the same log (the
    roots are immutable). Subtrees below `min_cached_level` are hashed from their leaves."""

    def __init__(
        self,
        read_leaves: LeafReader,
        cache: MutableMapping[tuple[int, int], bytes] | None = None,
        *,
        min_cached_level: int = 4,
    ) -> None:
        self._read = read_leaves
        self._cache: MutableMapping[tuple[int, int], bytes] = {} if cache is None else cache
        self._min_level = min_cached_level
        self._blocks: dict[int, Sequence[bytes]] = {}  # leaves of the blocks this tree read

    @classmethod
    def of(cls, hashes: Sequence[bytes]) -> MerkleTree:
        """A tree over leaf hashes held in memory."""
        return cls(lambda start, end: hashes[start:end])

    def _leaves(self, start: int, end: int) -> Sequence[bytes]:
        found = self._read(start, end)
        if len(found) != end - start:
            raise IndexError(f"the log holds no leaves {start}..{end - 1}")
        return found

    def _block(self, block: int) -> Sequence[bytes]:
        """The leaves of one aligned block of 2^min_cached_level leaves (the last one of the log
        may be partial), read once per tree."""
        found = self._blocks.get(block)
        if found is None:
            size = 1 << self._min_level
            found = self._blocks[block] = self._read(block * size, (block + 1) * size)
        return found

    def subtree(self, level: int, index: int) -> bytes:
        """The root of the complete subtree (level, index)."""
        if level < self._min_level:
            start = index << level
            block = start >> self._min_level
            offset = start - (block << self._min_level)
            leaves = self._block(block)[offset : offset + (1 << level)]
            if len(leaves) != 1 << level:
                raise IndexError(f"the log holds no leaves {start}..{start + (1 << level) - 1}")
            return mth(leaves)
        key = (level, index)
        found = self._cache.get(key)
        if found is not None:
            return found
        left = self._cache.get((level - 1, 2 * index))
        right = self._cache.get((level - 1, 2 * index + 1))
        if left is not None and right is not None:
            found = node_hash(left, right)
        else:
            found = self._fill(level, index)
        self._cache[key] = found
        return found

    def _fill(self, level: int, index: int) -> bytes:
        """Hash a subtree from its leaves (one read), keeping every cacheable node on the way."""
        nodes = list(self._leaves(index << level, (index + 1) << level))
        for depth in range(1, level + 1):
            nodes = [node_hash(nodes[i], nodes[i + 1]) for i in range(0, len(nodes), 2)]
            if depth >= self._min_level:
                first = index << (level - depth)
                for offset, value in enumerate(nodes):
                    self._cache[(depth, first + offset)] = value
        return nodes[0]

    def root(self, start: int, end: int) -> bytes:
        """MTH(D[start:end])."""
        n = end - start
        if n <= 0:
            return EMPTY_ROOT
        if n & (n - 1) == 0 and start % n == 0:
            return self.subtree(n.bit_length() - 1, start // n)
        k = split_point(n) if n > 1 else 1
        return node_hash(self.root(start, start + k), self.root(start + k, end))

    def head(self, size: int) -> bytes:
        return self.root(0, size)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """PATH(index, D[size]), leaf to root."""
        if not 0 <= index < size:
            raise ValueError(f"leaf {index} is not in a tree of size {size}")
        return self._path(index, 0, size)

    def _path(self, m: int, start: int, end: int) -> list[bytes]:
        n = end - start
        if n == 1:
            return []
        k = split_point(n)
        if m < k:
            return [*self._path(m, start, start + k), self.root(start + k, end)]
        return [*self._path(m - k, start + k, end), self.root(start, start + k)]

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        """PROOF(first, D[second]); empty when first is 0 or equals second."""
        if not 0 <= first <= second:
            raise ValueError(f"no consistency proof from size {first} to size {second}")
        if first == 0 or first == second:
            return []
        return self._subproof(first, 0, second, True)

    def _subproof(self, m: int, start: int, end: int, whole: bool) -> list[bytes]:
        n = end - start
        if m == n:
            return [] if whole else [self.root(start, end)]
        k = split_point(n)
        if m <= k:
            return [*self._subproof(m, start, start + k, whole), self.root(start + k, end)]
        return [*self._subproof(m - k, start + k, end, False), self.root(start, start + k)]


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"{what} is {len(value)} bytes, not a {HASH_SIZE}-byte SHA-256 hash")


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root an inclusion proof leads to (RFC 9162 2.1.3.2), given the leaf's hash."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not below the tree size {size}")
    _check_hash(leaf, "the leaf hash")
    fn, sn, r = index, size - 1, leaf
    for position, p in enumerate(proof):
        _check_hash(p, f"proof hash {position}")
        if sn == 0:
            raise ProofError("the proof is longer than the path from the leaf to the root")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the proof is shorter than the path from the leaf to the root")
    return r


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise `ProofError` unless `proof` shows the leaf at `index` in the tree of `size` whose
    root is `root`."""
    _check_hash(root, "the root hash")
    if root_from_inclusion(index, size, leaf, proof) != root:
        raise ProofError(f"the proof for leaf {index} does not lead to the root of size {size}")


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise `ProofError` unless `proof` shows the tree of size `first` (root `first_root`) is
    a prefix of the tree of size `second` (root `second_root`), RFC 9162 2.1.4.2."""
    if not 0 <= first <= second:
        raise ProofError(f"size {first} is not at most size {second}")
    if first == second:
        if proof:
            raise ProofError("two heads of the same size need an empty proof")
        if first_root != second_root:
            raise ProofError(f"two different roots for the same size {first}")
        return
    if first == 0:
        if proof:
            raise ProofError("the empty tree needs an empty proof")
        return
    if not proof:
        raise ProofError("the consistency proof is empty")
    for position, c in enumerate(proof):
        _check_hash(c, f"proof hash {position}")
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is longer than it can be")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the consistency proof is shorter than it must be")
    if fr != first_root:
        raise ProofError(f"the proof does not lead to the root of size {first}")
    if sr != second_root:
        raise ProofError(f"the proof does not lead to the root of size {second}")
