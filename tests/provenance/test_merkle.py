"""RFC 9162 section 2.1 Merkle hashing: the reference vectors, and the proofs of every tree up
to 64 leaves verifying (and failing once anything in them changes)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newswire.provenance.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    ProofError,
    leaf_hash,
    mth,
    verify_consistency,
    verify_inclusion,
)

# The RFC 6962 reference test data as used by Google Trillian's merkle log verifier tests
# (merkle/log_verifier_test.go): the eight leaf inputs, the roots of their prefixes, and
# known inclusion and consistency proofs. Only the numbers are copied.
LEAVES = [
    bytes.fromhex(h)
    for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
              "606162636465666768696a6b6c6d6e6f"]
]  # fmt: skip
ROOTS = [
    EMPTY_ROOT.hex(),
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = [  # (index, size, PATH)
    (0, 1, []),
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip
CONSISTENCY = [  # (first, second, PROOF)
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip

HASHES = [leaf_hash(leaf) for leaf in LEAVES]
WRONG = bytes(32)


def root(size: int) -> bytes:
    return bytes.fromhex(ROOTS[size])


@pytest.mark.parametrize("size", range(9))
def test_the_tree_head_of_each_prefix_is_the_reference_root(size: int) -> None:
    assert mth(HASHES[:size]).hex() == ROOTS[size]
    assert MerkleTree.of(HASHES).head(size).hex() == ROOTS[size]


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_inclusion_proofs_are_the_reference_paths_and_verify(
    index: int, size: int, path: list[str]
) -> None:
    proof = MerkleTree.of(HASHES).inclusion_proof(index, size)
    assert [p.hex() for p in proof] == path
    verify_inclusion(index, size, HASHES[index], proof, root(size))


@pytest.mark.parametrize(("first", "second", "path"), CONSISTENCY)
def test_consistency_proofs_are_the_reference_proofs_and_verify(
    first: int, second: int, path: list[str]
) -> None:
    proof = MerkleTree.of(HASHES).consistency_proof(first, second)
    assert [p.hex() for p in proof] == path
    verify_consistency(first, second, root(first), root(second), proof)


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION[1:])
def test_an_inclusion_proof_fails_for_another_leaf_index_size_root_or_path(
    index: int, size: int, path: list[str]
) -> None:
    proof = [bytes.fromhex(p) for p in path]
    bad = [
        (index ^ 1, size, HASHES[index], proof, root(size)),
        (index, size * 2, HASHES[index], proof, root(size)),
        (index, size, leaf_hash(b"WrongLeaf"), proof, root(size)),
        (index, size, HASHES[index], proof, EMPTY_ROOT),
        (index, size, HASHES[index], [*proof, root(size)], root(size)),
        (index, size, HASHES[index], proof[:-1], root(size)),
        (index, size, HASHES[index], [WRONG, *proof[1:]], root(size)),
        (size, size, HASHES[0], proof, root(size)),
    ]
    for case in bad:
        with pytest.raises(ProofError):
            verify_inclusion(*case)


def test_consistency_fails_for_swapped_roots_a_changed_hash_or_a_time_travel() -> None:
    proof = MerkleTree.of(HASHES).consistency_proof(6, 8)
    with pytest.raises(ProofError, match="size 6"):
        verify_consistency(6, 8, root(7), root(8), proof)
    with pytest.raises(ProofError, match="size 8"):
        verify_consistency(6, 8, root(6), root(7), proof)
    with pytest.raises(ProofError):
        verify_consistency(6, 8, root(6), root(8), [proof[0], WRONG, proof[2]])
    with pytest.raises(ProofError, match="not at most"):
        verify_consistency(8, 6, root(8), root(6), proof)
    with pytest.raises(ProofError, match="empty"):
        verify_consistency(6, 8, root(6), root(8), [])
    with pytest.raises(ProofError, match="same size"):
        verify_consistency(4, 4, root(4), root(5), [])


def test_a_proof_of_malformed_hashes_is_refused_with_the_reason() -> None:
    with pytest.raises(ProofError, match="32-byte"):
        verify_inclusion(0, 2, HASHES[0], [b"short"], root(2))


def test_a_tree_refuses_a_proof_beyond_its_leaves() -> None:
    tree = MerkleTree.of(HASHES)
    with pytest.raises(ValueError, match="not in a tree"):
        tree.inclusion_proof(8, 8)
    with pytest.raises(IndexError):
        tree.inclusion_proof(0, 9)


def test_a_cached_tree_gives_the_same_answers_as_one_without() -> None:
    hashes = [leaf_hash(i.to_bytes(4, "big")) for i in range(300)]
    reads: list[int] = []

    def read(start: int, end: int) -> list[bytes]:
        reads.append(end - start)
        return hashes[start:end]

    cache: dict[tuple[int, int], bytes] = {}
    cached = MerkleTree(read, cache, min_cached_level=2)
    for size in (1, 17, 128, 299, 300):
        assert cached.head(size) == mth(hashes[:size])
    reads.clear()
    proof = cached.inclusion_proof(3, 256)
    assert sum(reads) <= 4  # only the leaves of the lowest, uncached subtree
    verify_inclusion(3, 256, hashes[3], proof, mth(hashes[:256]))


sizes = st.integers(min_value=1, max_value=64)


@given(st.data())
def test_every_inclusion_proof_up_to_64_leaves_verifies_and_fails_when_altered(
    data: st.DataObject,
) -> None:
    size = data.draw(sizes)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    hashes = [leaf_hash(bytes([i])) for i in range(size)]
    tree = MerkleTree(lambda a, b: hashes[a:b], min_cached_level=1)
    proof = tree.inclusion_proof(index, size)
    head = mth(hashes)
    verify_inclusion(index, size, hashes[index], proof, head)
    if proof:
        at = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        altered = [*proof]
        altered[at] = leaf_hash(altered[at])
        with pytest.raises(ProofError):
            verify_inclusion(index, size, hashes[index], altered, head)
    with pytest.raises(ProofError):
        verify_inclusion(index, size, leaf_hash(b"other"), proof, head)


@given(st.data())
def test_every_consistency_proof_up_to_64_leaves_verifies_and_fails_when_altered(
    data: st.DataObject,
) -> None:
    second = data.draw(sizes)
    first = data.draw(st.integers(min_value=1, max_value=second))
    hashes = [leaf_hash(bytes([i])) for i in range(second)]
    tree = MerkleTree.of(hashes)
    proof = tree.consistency_proof(first, second)
    verify_consistency(first, second, mth(hashes[:first]), mth(hashes), proof)
    if first < second:
        rewritten = [*hashes]
        rewritten[first - 1] = leaf_hash(b"rewritten")
        with pytest.raises(ProofError):
            verify_consistency(first, second, mth(hashes[:first]), mth(rewritten), proof)
        at = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        altered = [*proof]
        altered[at] = leaf_hash(altered[at])
        with pytest.raises(ProofError):
            verify_consistency(first, second, mth(hashes[:first]), mth(hashes), altered)
