"""The Merkle tree library against RFC 9162's definitions and published known answers.

The reference below is deliberately naive: MTH, PATH and SUBPROOF written straight from RFC 9162
section 2.1 (recursive, over lists of entries). The library must agree with it on every size,
index and pair of sizes hypothesis tries, and its proofs must verify and their mutations fail.
"""

import functools
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hcoc.ledger.tlog.merkle import (
    EMPTY_ROOT,
    Frontier,
    MemoryTree,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    range_nodes,
    root,
    verify_consistency,
    verify_inclusion,
)

# --- the naive reference (RFC 9162 section 2.1) ---------------------------------------------


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def largest_power_of_two_below(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


class Uniform:
    """n identical entries, sliced without materialising them: lets the reference run on trees of
    2**50 leaves (every subtree of the same size has the same hash)."""

    ENTRY = b"uniform"

    def __init__(self, n: int):
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, item: slice) -> "Uniform":
        return Uniform(len(range(*item.indices(self.n))))


@functools.cache
def uniform_mth(n: int) -> bytes:
    if n == 1:
        return sha256(b"\x00" + Uniform.ENTRY)
    k = largest_power_of_two_below(n)
    return sha256(b"\x01" + uniform_mth(k) + uniform_mth(n - k))


def ref_mth(d) -> bytes:
    n = len(d)
    if isinstance(d, Uniform) and n:
        return uniform_mth(n)
    if n == 0:
        return sha256(b"")
    if n == 1:
        return sha256(b"\x00" + d[0])
    k = largest_power_of_two_below(n)
    return sha256(b"\x01" + ref_mth(d[:k]) + ref_mth(d[k:]))


def ref_path(m: int, d) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = largest_power_of_two_below(n)
    if m < k:
        return ref_path(m, d[:k]) + [ref_mth(d[k:n])]
    return ref_path(m - k, d[k:n]) + [ref_mth(d[0:k])]


def ref_subproof(m: int, d, b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [ref_mth(d)]
    k = largest_power_of_two_below(n)
    if m <= k:
        return ref_subproof(m, d[0:k], b) + [ref_mth(d[k:n])]
    return ref_subproof(m - k, d[k:n], False) + [ref_mth(d[0:k])]


def ref_proof(m: int, d) -> list[bytes]:
    return ref_subproof(m, d, True)


# --- stores that watch how they are used ------------------------------------------------------


class WatchedStore:
    """Wraps a NodeGetter: counts calls and refuses any node not complete within `size` leaves
    (the library must never need a partial node, nor one beyond the tree it was asked about)."""

    def __init__(self, get, size: int):
        self.inner, self.size, self.calls, self.fetched = get, size, 0, 0

    def __call__(self, coords):
        coords = list(coords)
        self.calls += 1
        self.fetched += len(coords)
        for level, index in coords:
            assert (index + 1) << level <= self.size, (
                f"asked for ({level}, {index}) beyond {self.size}"
            )
        return self.inner(coords)


@functools.cache
def uniform_node(level: int) -> bytes:
    return leaf_hash(Uniform.ENTRY) if level == 0 else node_hash(*[uniform_node(level - 1)] * 2)


def uniform_get(coords):
    return {(level, index): uniform_node(level) for level, index in coords}


def entries(n: int) -> list[bytes]:
    # Distinct entries: with a repeated entry, a proof for the wrong index could rightly verify.
    return [b"entry %d" % i for i in range(n)]


@functools.cache
def tree_of(n: int) -> MemoryTree:
    tree = MemoryTree()
    tree.extend(leaf_hash(e) for e in entries(n))
    return tree


MAX = 300
sizes = st.integers(1, MAX)


# --- known answers ------------------------------------------------------------------------------
# From transparency-dev/merkle (Apache-2.0): testonly/constants.go (LeafInputs, NodeHashes,
# RootHashes, CompactTrees), testonly/reference_test.go (TestRefInclusionProof,
# TestRefConsistencyProof) and proof/verify_test.go (inclusionProofs with 1-based leaves,
# consistencyProofs): the RFC 6962 test tree used by Certificate Transparency since Trillian.

KNOWN_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    bytes.fromhex("5051525354555657"),
    bytes.fromhex("606162636465666768696a6b6c6d6e6f"),
]
H = bytes.fromhex
KNOWN_NODES = [
    [
        H("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
        H("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
        H("0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7"),
        H("07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7"),
        H("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        H("4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658"),
        H("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
        H("46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"),
    ],
    [
        H("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
        H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
        H("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
        H("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
    ],
    [
        H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        H("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
    ],
    [H("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")],
]
KNOWN_ROOTS = [
    H("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    H("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
    H("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
    H("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
    H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    H("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
    H("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
    H("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
    H("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
]
N = KNOWN_NODES
# (index, size, proof): reference_test.go TestRefInclusionProof, plus verify_test.go's (1-based)
# {6, 8} and {2, 5} vectors as 0-based indices 5 and 1 (the same proofs).
KNOWN_INCLUSION = [
    (0, 1, []),
    (0, 2, [N[0][1]]),
    (1, 2, [N[0][0]]),
    (2, 3, [N[1][0]]),
    (1, 5, [N[0][0], N[1][1], N[0][4]]),
    (0, 8, [N[0][1], N[1][1], N[2][1]]),
    (5, 8, [N[0][4], N[1][3], N[2][0]]),
]
# (old, new, proof): reference_test.go TestRefConsistencyProof and verify_test.go consistencyProofs.
KNOWN_CONSISTENCY = [
    (1, 1, []),
    (1, 8, [N[0][1], N[1][1], N[2][1]]),
    (2, 5, [N[1][1], N[0][4]]),
    (6, 8, [N[1][2], N[1][3], N[2][0]]),
    (6, 7, [N[1][2], N[0][6], N[2][0]]),
]
# constants.go CompactTrees: the frontier (compact range [0, size)) after each append.
KNOWN_FRONTIERS = [
    [],
    [N[0][0]],
    [N[1][0]],
    [N[1][0], N[0][2]],
    [N[2][0]],
    [N[2][0], N[0][4]],
    [N[2][0], N[1][2]],
    [N[2][0], N[1][2], N[0][6]],
    [N[3][0]],
]


@pytest.fixture(scope="module")
def known_tree():
    tree = MemoryTree()
    tree.extend(leaf_hash(leaf) for leaf in KNOWN_LEAVES)
    return tree


def test_the_hashes_carry_the_rfc_domain_separation_prefixes():
    assert EMPTY_ROOT == KNOWN_ROOTS[0] == sha256(b"")
    assert leaf_hash(b"") == KNOWN_NODES[0][0] == sha256(b"\x00")
    assert node_hash(N[0][0], N[0][1]) == N[1][0] == sha256(b"\x01" + N[0][0] + N[0][1])


def test_the_known_tree_has_the_published_root_for_every_size(known_tree):
    assert [known_tree.root(size) for size in range(9)] == KNOWN_ROOTS
    assert [ref_mth(KNOWN_LEAVES[:size]) for size in range(9)] == KNOWN_ROOTS


def test_the_known_tree_stores_exactly_the_published_complete_nodes(known_tree):
    for level, row in enumerate(KNOWN_NODES):
        assert known_tree.get([(level, i) for i in range(len(row))]) == {
            (level, i): h for i, h in enumerate(row)
        }
    with pytest.raises(KeyError):
        known_tree.get([(4, 0)])


@pytest.mark.parametrize(("index", "size", "proof"), KNOWN_INCLUSION)
def test_the_known_tree_gives_and_accepts_the_published_inclusion_proofs(
    known_tree, index, size, proof
):
    assert known_tree.inclusion_proof(index, size) == proof
    assert ref_path(index, KNOWN_LEAVES[:size]) == proof
    verify_inclusion(index, size, leaf_hash(KNOWN_LEAVES[index]), proof, KNOWN_ROOTS[size])


@pytest.mark.parametrize(("old", "new", "proof"), KNOWN_CONSISTENCY)
def test_the_known_tree_gives_and_accepts_the_published_consistency_proofs(
    known_tree, old, new, proof
):
    assert known_tree.consistency_proof(old, new) == proof
    assert ref_proof(old, KNOWN_LEAVES[:new]) == proof
    verify_consistency(old, new, KNOWN_ROOTS[old], KNOWN_ROOTS[new], proof)


def test_a_frontier_holds_the_published_compact_range_after_each_append():
    frontier = Frontier()
    assert frontier.hashes == KNOWN_FRONTIERS[0] and frontier.root() == EMPTY_ROOT
    for size, leaf in enumerate(KNOWN_LEAVES, start=1):
        frontier.append(leaf_hash(leaf))
        assert frontier.hashes == KNOWN_FRONTIERS[size]
        assert frontier.root() == KNOWN_ROOTS[size]


# --- agreement with the reference -------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(data=st.data(), size=sizes)
def test_roots_and_proofs_equal_the_rfc_definitions_for_any_size(data, size):
    tree = tree_of(MAX)
    d = entries(size)
    index = data.draw(st.integers(0, size - 1), label="index")
    old = data.draw(st.integers(0, size), label="old")
    assert tree.root(size) == ref_mth(d)
    assert tree.inclusion_proof(index, size) == ref_path(index, d)
    assert tree.consistency_proof(old, size) == ([] if old == 0 else ref_proof(old, d))


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    size=st.one_of(
        st.integers(2**49, 2**50),
        st.integers(1, 2**20),
        st.sampled_from([2**k for k in range(1, 51)] + [2**k - 1 for k in range(2, 51)]),
    ),
)
def test_proofs_over_huge_sparse_trees_equal_the_definitions_from_one_fetch_of_log_n_nodes(
    data, size
):
    index = data.draw(st.integers(0, size - 1), label="index")
    old = data.draw(st.integers(1, size), label="old")
    d = Uniform(size)
    depth = size.bit_length()

    store = WatchedStore(uniform_get, size)
    assert root(size, store) == ref_mth(d)
    assert store.calls == 1 and store.fetched <= depth

    store = WatchedStore(uniform_get, size)
    proof = inclusion_proof(index, size, store)
    assert proof == ref_path(index, d)
    assert store.calls == (1 if size > 1 else 0) and store.fetched <= 2 * depth
    verify_inclusion(index, size, uniform_node(0), proof, ref_mth(d))

    store = WatchedStore(uniform_get, size)
    proof = consistency_proof(old, size, store)
    assert proof == ([] if old == size else ref_proof(old, d))
    assert store.calls == (1 if old < size else 0) and store.fetched <= 2 * depth
    verify_consistency(old, size, ref_mth(Uniform(old)), ref_mth(d), proof)


@settings(max_examples=100, deadline=None)
@given(data=st.data(), size=sizes)
def test_proof_generation_reads_only_complete_nodes_within_the_tree_in_one_call(data, size):
    tree = tree_of(MAX)  # bigger than `size`: nodes beyond it exist but must not be asked for
    index = data.draw(st.integers(0, size - 1), label="index")
    old = data.draw(st.integers(1, size), label="old")
    for make in (
        lambda get: root(size, get),
        lambda get: inclusion_proof(index, size, get),
        lambda get: consistency_proof(old, size, get),
    ):
        store = WatchedStore(tree.get, size)
        make(store)
        assert store.calls <= 1
        assert store.fetched <= 2 * size.bit_length()


# --- verification and its failures -----------------------------------------------------------


def flipped(proof: list[bytes], i: int) -> list[bytes]:
    out = list(proof)
    out[i] = bytes([out[i][0] ^ 0x08]) + out[i][1:]
    return out


def rejects(check, *args) -> bool:
    try:
        check(*args)
    except ProofError:
        return True
    return False


@settings(max_examples=150, deadline=None)
@given(data=st.data(), size=sizes)
def test_every_inclusion_proof_verifies_and_any_tampering_fails(data, size):
    tree = tree_of(MAX)
    index = data.draw(st.integers(0, size - 1), label="index")
    leaf = leaf_hash(entries(size)[index])
    proof = tree.inclusion_proof(index, size)
    top = tree.root(size)
    verify_inclusion(index, size, leaf, proof, top)

    for i in range(len(proof)):
        assert rejects(verify_inclusion, index, size, leaf, flipped(proof, i), top)
    for wrong in {index - 1, index + 1, index ^ 1, index ^ 2, size} - {index, -1}:
        assert rejects(verify_inclusion, wrong, size, leaf, proof, top), wrong
    for wrong in {size * 2, size // 2} - {size}:
        assert rejects(verify_inclusion, index, wrong, leaf, proof, top), wrong
    assert rejects(verify_inclusion, index, size, leaf, proof, EMPTY_ROOT)
    assert rejects(verify_inclusion, index, size, leaf_hash(b"another entry"), proof, top)
    assert rejects(verify_inclusion, index, size, leaf, proof + [top], top)
    assert rejects(verify_inclusion, index, size, leaf, [top] + proof, top)
    if proof:
        assert rejects(verify_inclusion, index, size, leaf, proof[:-1], top)
        assert rejects(verify_inclusion, index, size, leaf, proof[1:], top)
    if size > 1:
        other = data.draw(st.integers(1, MAX).filter(lambda s: s != size), label="other")
        assert rejects(verify_inclusion, index, size, leaf, proof, tree.root(other))


@settings(max_examples=150, deadline=None)
@given(data=st.data(), new=st.integers(2, MAX))
def test_every_consistency_proof_verifies_and_any_tampering_fails(data, new):
    tree = tree_of(MAX)
    old = data.draw(st.integers(1, new - 1), label="old")
    proof = tree.consistency_proof(old, new)
    old_root, new_root = tree.root(old), tree.root(new)
    verify_consistency(old, new, old_root, new_root, proof)

    for i in range(len(proof)):
        assert rejects(verify_consistency, old, new, old_root, new_root, flipped(proof, i))
    assert rejects(verify_consistency, old, new, new_root, old_root, proof)
    assert rejects(verify_consistency, old, new, old_root, old_root, proof)
    assert rejects(verify_consistency, old, new, tree.root(old - 1), new_root, proof)
    assert rejects(verify_consistency, old, new, old_root, tree.root(new - 1), proof)
    assert rejects(verify_consistency, new, old, new_root, old_root, proof)
    assert rejects(verify_consistency, old, new, old_root, new_root, [])
    assert rejects(verify_consistency, old, new, old_root, new_root, proof[:-1])
    assert rejects(verify_consistency, old, new, old_root, new_root, proof + [new_root])
    assert rejects(verify_consistency, old, new, old_root, new_root, [old_root] + proof)
    for wrong in {old ^ 2, old * 2, new * 2, new // 2}:
        if wrong not in (old, new) and wrong > 0:
            a, b = (wrong, new) if wrong in (old ^ 2, old * 2) else (old, wrong)
            if a < b:
                assert rejects(verify_consistency, a, b, old_root, new_root, proof), (a, b)


def test_consistency_with_the_empty_tree_or_the_same_size_needs_an_empty_proof():
    tree = tree_of(MAX)
    top = tree.root(5)
    verify_consistency(0, 5, EMPTY_ROOT, top, [])
    verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    verify_consistency(5, 5, top, top, [])
    assert rejects(verify_consistency, 0, 5, EMPTY_ROOT, top, [top])
    assert rejects(verify_consistency, 0, 5, top, top, [])
    assert rejects(verify_consistency, 5, 5, top, tree.root(4), [])
    assert rejects(verify_consistency, 5, 5, top, top, [top])
    assert tree.consistency_proof(0, 5) == [] and tree.consistency_proof(5, 5) == []


def test_a_one_leaf_tree_proves_its_leaf_with_an_empty_path():
    leaf = leaf_hash(b"data")
    verify_inclusion(0, 1, leaf, [], leaf)
    assert rejects(verify_inclusion, 0, 1, leaf, [], EMPTY_ROOT)
    assert rejects(verify_inclusion, 0, 0, leaf, [], leaf)
    assert rejects(verify_inclusion, 1, 1, leaf, [], leaf)
    assert rejects(verify_inclusion, 0, 1, b"short", [], leaf)
    assert rejects(verify_inclusion, 0, 1, leaf, [b"short"], leaf)


def test_invalid_arguments_are_refused_with_a_clear_value_error():
    tree = tree_of(MAX)
    with pytest.raises(ValueError, match="smaller than the tree size"):
        inclusion_proof(5, 5, tree.get)
    with pytest.raises(ValueError, match="must not be negative"):
        inclusion_proof(-1, 5, tree.get)
    with pytest.raises(ValueError, match="must not be greater"):
        consistency_proof(6, 5, tree.get)
    with pytest.raises(ValueError, match="must not be negative"):
        consistency_proof(-1, 5, tree.get)
    with pytest.raises(ValueError, match="must not be negative"):
        root(-1, tree.get)
    with pytest.raises(ValueError, match="must not be greater"):
        range_nodes(3, 2)
    with pytest.raises(ValueError, match="has 300 leaves"):
        tree.root(301)
    with pytest.raises(ValueError, match="32-byte"):
        MemoryTree().append(b"entry data, not its hash")
    with pytest.raises(ValueError, match="32-byte"):
        Frontier().append(b"entry data, not its hash")
    with pytest.raises(ValueError):
        verify_inclusion(3, 2, leaf_hash(b""), [], EMPTY_ROOT)


def test_a_store_missing_a_node_is_reported_rather_than_guessed():
    with pytest.raises(KeyError, match="lacks"):
        root(5, lambda coords: {})


# --- decomposition and the frontier -----------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(start=st.integers(0, 2**40), length=st.integers(0, 2**40))
def test_range_nodes_cover_a_range_with_the_fewest_aligned_complete_subtrees(start, length):
    end = start + length
    nodes = range_nodes(start, end)
    position = start
    for level, index in nodes:
        assert index << level == position
        position += 1 << level
    assert position == end
    # Fewest: no two neighbours could merge into one aligned subtree of the level above.
    for (l1, i1), (l2, i2) in zip(nodes, nodes[1:], strict=False):
        assert not (l1 == l2 and i1 % 2 == 0 and i2 == i1 + 1)
    assert len(nodes) <= 2 * max(end, 1).bit_length()
    if start == 0:
        assert [level for level, _ in nodes] == sorted(
            (b for b in range(end.bit_length()) if end >> b & 1), reverse=True
        )


@settings(max_examples=60, deadline=None)
@given(size=sizes)
def test_frontier_appends_produce_exactly_the_complete_nodes_and_roots_of_the_tree(size):
    tree = tree_of(MAX)
    frontier = Frontier()
    written: dict[tuple[int, int], bytes] = {}
    for n, entry in enumerate(entries(size), start=1):
        completed = frontier.append(leaf_hash(entry))
        assert completed[0] == (0, n - 1, leaf_hash(entry))
        assert [level for level, _, _ in completed] == list(range(len(completed)))
        for level, index, h in completed:
            assert (level, index) not in written
            written[(level, index)] = h
        assert frontier.size == n
        assert frontier.root() == tree.root(n)
    complete = {
        (level, index) for level in range(size.bit_length()) for index in range(size >> level)
    }
    assert set(written) == complete
    assert written == tree.get(complete)
    # The frontier written so far is a node store: proofs read from it match the tree's.
    from_written = inclusion_proof(size - 1, size, lambda coords: {c: written[c] for c in coords})
    assert from_written == tree.inclusion_proof(size - 1, size)


@settings(max_examples=60, deadline=None)
@given(size=st.integers(0, MAX))
def test_a_frontier_round_trips_through_bytes_and_through_the_store(size):
    frontier = Frontier()
    for entry in entries(size):
        frontier.append(leaf_hash(entry))
    data = frontier.to_bytes()
    assert len(data) == 32 * size.bit_count()
    again = Frontier.from_bytes(size, data)
    assert again == frontier and again.root() == frontier.root()
    assert Frontier.from_store(size, tree_of(MAX).get) == frontier
    again.append(leaf_hash(b"next"))
    frontier.append(leaf_hash(b"next"))
    assert again == frontier
    with pytest.raises(ValueError):
        Frontier.from_bytes(size, data + bytes(32))


def test_every_proof_of_every_small_tree_is_the_rfcs_and_names_its_index_and_old_size_only():
    # Exhaustive up to 33 leaves: every index and every old size. A proof verifies for its own
    # index and old size and for no other. (A wrong *tree size* can pass verify_inclusion when the
    # path has the same shape, e.g. index 0 of 5 and of 6 leaves: the size must come from a signed
    # checkpoint, as the root does. Doubling or halving it never passes, as tested above.)
    tree = tree_of(MAX)
    for size in range(1, 34):
        d, top = entries(size), tree.root(size)
        for index in range(size):
            proof = tree.inclusion_proof(index, size)
            assert proof == ref_path(index, d)
            leaf = leaf_hash(d[index])
            verify_inclusion(index, size, leaf, proof, top)
            for other in range(size + 1):
                if other != index:
                    assert rejects(verify_inclusion, other, size, leaf, proof, top)
        for old in range(1, size):
            proof = tree.consistency_proof(old, size)
            assert proof == ref_proof(old, d)
            old_root = tree.root(old)
            verify_consistency(old, size, old_root, top, proof)
            for other in range(size + 1):
                if other != old:
                    assert rejects(verify_consistency, other, size, old_root, top, proof)
