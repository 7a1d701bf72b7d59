"""Merkle tree hashing and proofs of RFC 9162 section 2.1 (the Certificate Transparency tree).

Vocabulary:

- A *leaf hash* is `leaf_hash(data)` = SHA-256(0x00 || data). Everything below that takes a
  `leaf` takes a 32-byte leaf hash, never the entry data: hashing the data is the caller's step.
- A *node* `(level, index)` is the root hash of the complete, aligned subtree over the leaves
  `[index * 2**level, (index + 1) * 2**level)`; level 0 holds the leaf hashes. A store holds only
  complete nodes (they never change once written); hashes of the incomplete subtrees on the right
  edge of a tree are computed here, from complete nodes.
- A `NodeGetter` fetches many nodes at once: it takes the coordinates and returns a mapping from
  each coordinate to its 32-byte hash. `root`, `inclusion_proof` and `consistency_proof` each call
  it exactly once, with O(log n) coordinates, so that a database can answer in one query.

The proof shapes are RFC 9162's PATH(m, D[n]) (section 2.1.3.1) and PROOF(m, D[n]) (section
2.1.4.1); the verifiers follow sections 2.1.3.2 and 2.1.4.2 step by step.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping

HASH_SIZE = 32
EMPTY_ROOT: bytes = hashlib.sha256(b"").digest()

Node = tuple[int, int]
NodeGetter = Callable[[Iterable[Node]], Mapping[Node, bytes]]


class ProofError(ValueError):
    """A proof does not verify (or cannot be a proof for the given sizes)."""


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 || data): the hash of a leaf entry."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right): the hash of an interior node."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _check_count(name: str, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{name} must be an integer, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must not be negative (got {value})")


def _check_hash(name: str, value: bytes) -> None:
    if not isinstance(value, bytes | bytearray) or len(value) != HASH_SIZE:
        raise ValueError(f"{name} must be a {HASH_SIZE}-byte hash")


def _split(n: int) -> int:
    """The largest power of two smaller than n (n >= 2): RFC 9162's k."""
    return 1 << ((n - 1).bit_length() - 1)


def range_nodes(start: int, end: int) -> list[Node]:
    """The complete aligned subtrees that cover [start, end), left to right, fewest possible.

    For start = 0 these are the perfect subtrees of a tree of `end` leaves, largest first (one per
    bit set in `end`).
    """
    _check_count("start", start)
    _check_count("end", end)
    if start > end:
        raise ValueError(f"start ({start}) must not be greater than end ({end})")
    nodes: list[Node] = []
    while start < end:
        level = (end - start).bit_length() - 1
        if start:
            level = min(level, (start & -start).bit_length() - 1)
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def _fold(hashes: list[bytes]) -> bytes:
    """MTH of a range whose decomposition (left to right, sizes decreasing) gave `hashes`."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def _range_hashes(ranges: list[tuple[int, int]], get: NodeGetter) -> list[bytes]:
    """MTH of each range (each an RFC 9162 subtree: start a multiple of the next power of two of
    its size), from one call of `get`."""
    per_range = [range_nodes(a, b) for a, b in ranges]
    wanted = list(dict.fromkeys(node for nodes in per_range for node in nodes))
    if not wanted:
        return []
    found = get(wanted)
    missing = [node for node in wanted if node not in found]
    if missing:
        raise KeyError(f"the node store lacks {len(missing)} node(s), first {missing[0]}")
    return [_fold([found[node] for node in nodes]) for nodes in per_range]


def root(size: int, get: NodeGetter) -> bytes:
    """MTH(D[0:size]), the root hash of the tree of the first `size` leaves."""
    _check_count("size", size)
    if size == 0:
        return EMPTY_ROOT
    return _range_hashes([(0, size)], get)[0]


def _inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose MTHs make PATH(index, D[0:size]), in proof order (leaf to root)."""
    ranges = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    ranges.reverse()
    return ranges


def inclusion_proof(index: int, size: int, get: NodeGetter) -> list[bytes]:
    """RFC 9162 PATH(index, D[0:size]): the audit path of leaf `index` in the tree of `size`."""
    _check_count("index", index)
    _check_count("size", size)
    if index >= size:
        raise ValueError(f"index ({index}) must be smaller than the tree size ({size})")
    return _range_hashes(_inclusion_ranges(index, size), get)


def _consistency_ranges(old: int, new: int) -> list[tuple[int, int]]:
    """The leaf ranges whose MTHs make PROOF(old, D[0:new]) for 0 < old < new, in proof order."""
    ranges = []
    lo, hi = 0, new
    complete = True  # SUBPROOF's b: the old tree's root is a node of the new tree so far
    while True:
        n, m = hi - lo, old - lo
        if m == n:
            if not complete:
                ranges.append((lo, hi))
            break
        k = _split(n)
        if m <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
            complete = False
    ranges.reverse()
    return ranges


def consistency_proof(old: int, new: int, get: NodeGetter) -> list[bytes]:
    """RFC 9162 PROOF(old, D[0:new]): proves the tree of `old` leaves is a prefix of `new`.

    Empty when old is 0 or old equals new (nothing to prove)."""
    _check_count("old", old)
    _check_count("new", new)
    if old > new:
        raise ValueError(f"old size ({old}) must not be greater than new size ({new})")
    if old == 0 or old == new:
        return []
    return _range_hashes(_consistency_ranges(old, new), get)


def _proof_hashes(proof: list[bytes]) -> None:
    if not isinstance(proof, list | tuple):
        raise ProofError("a proof is a list of hashes")
    for i, item in enumerate(proof):
        if not isinstance(item, bytes | bytearray) or len(item) != HASH_SIZE:
            raise ProofError(f"proof item {i} is not a {HASH_SIZE}-byte hash")


def _verify_counts(**counts: int) -> None:
    for name, value in counts.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ProofError(f"{name} must be a non-negative integer (got {value!r})")


def verify_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> None:
    """Check that `leaf` (a leaf hash) is leaf `index` of the tree of `size` whose root is `root`
    (RFC 9162 section 2.1.3.2). Raises ProofError otherwise.

    As in RFC 9162, `size` and `root` must come together from a trusted (signed) tree head: a
    proof can also pass for another size whose path has the same shape (index 0 of 5 or of 6
    leaves), never for another index."""
    _verify_counts(index=index, size=size)
    if index >= size:
        raise ProofError(f"index ({index}) must be smaller than the tree size ({size})")
    for name, value in (("leaf", leaf), ("root", root)):
        if not isinstance(value, bytes | bytearray) or len(value) != HASH_SIZE:
            raise ProofError(f"{name} must be a {HASH_SIZE}-byte hash")
    _proof_hashes(proof)
    fn, sn = index, size - 1
    r = bytes(leaf)
    for p in proof:
        if sn == 0:
            raise ProofError("the inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the inclusion proof is shorter than the tree is deep")
    if r != root:
        raise ProofError("the inclusion proof does not lead to the root")


def verify_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: list[bytes]
) -> None:
    """Check that the tree of `old` leaves with `old_root` is a prefix of the tree of `new` leaves
    with `new_root` (RFC 9162 section 2.1.4.2). Raises ProofError otherwise.

    old = new: the proof must be empty and the roots equal. old = 0: the proof must be empty and
    `old_root` the empty tree's root (any tree extends the empty one)."""
    _verify_counts(old=old, new=new)
    if old > new:
        raise ProofError(f"old size ({old}) must not be greater than new size ({new})")
    for name, value in (("old_root", old_root), ("new_root", new_root)):
        if not isinstance(value, bytes | bytearray) or len(value) != HASH_SIZE:
            raise ProofError(f"{name} must be a {HASH_SIZE}-byte hash")
    _proof_hashes(proof)
    if old == new:
        if proof:
            raise ProofError("a consistency proof between equal sizes must be empty")
        if old_root != new_root:
            raise ProofError("two trees of the same size have different roots")
        return
    if old == 0:
        if proof:
            raise ProofError("a consistency proof from the empty tree must be empty")
        if old_root != EMPTY_ROOT:
            raise ProofError("the root of the empty tree is SHA-256 of the empty string")
        return
    if not proof:
        raise ProofError("the consistency proof is empty")
    path = list(proof)
    if old & (old - 1) == 0:  # old is a power of two: its root is a node of the new tree
        path.insert(0, bytes(old_root))
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the consistency proof is shorter than the tree is deep")
    if fr != old_root:
        raise ProofError("the consistency proof does not lead to the old root")
    if sr != new_root:
        raise ProofError("the consistency proof does not lead to the new root")


class Frontier:
    """The right edge of a tree (its compact range [0, size)): enough to append and to compute the
    root without reading the tree.

    `hashes` are the roots of the perfect subtrees that decompose [0, size), left to right
    (largest first): one per bit set in `size`.
    """

    def __init__(self, size: int = 0, hashes: list[bytes] | None = None):
        _check_count("size", size)
        hashes = list(hashes or [])
        if len(hashes) != size.bit_count():
            raise ValueError(
                f"a frontier of size {size} has {size.bit_count()} hashes, not {len(hashes)}"
            )
        for h in hashes:
            _check_hash("frontier hash", h)
        self.size = size
        self.hashes = [bytes(h) for h in hashes]

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Append a leaf hash; return (level, index, hash) of every node it completes, the leaf
        itself (level 0) first, then its ancestors upwards."""
        _check_hash("leaf", leaf)
        index = self.size
        h = bytes(leaf)
        completed = [(0, index, h)]
        level, bits = 0, index
        while bits & 1:
            h = node_hash(self.hashes.pop(), h)
            level += 1
            bits >>= 1
            completed.append((level, index >> level, h))
        self.hashes.append(h)
        self.size = index + 1
        return completed

    def root(self) -> bytes:
        """MTH of the whole tree."""
        if not self.hashes:
            return EMPTY_ROOT
        return _fold(self.hashes)

    def nodes(self) -> list[Node]:
        """The coordinates of `hashes` (what to read from a store to rebuild a frontier)."""
        return range_nodes(0, self.size)

    def to_bytes(self) -> bytes:
        return b"".join(self.hashes)

    @classmethod
    def from_bytes(cls, size: int, data: bytes) -> Frontier:
        _check_count("size", size)
        if len(data) != HASH_SIZE * size.bit_count():
            raise ValueError(
                f"a frontier of size {size} is {HASH_SIZE * size.bit_count()} bytes, not {len(data)}"
            )
        return cls(size, [bytes(data[i : i + HASH_SIZE]) for i in range(0, len(data), HASH_SIZE)])

    @classmethod
    def from_store(cls, size: int, get: NodeGetter) -> Frontier:
        """Rebuild the frontier of `size` from a node store, in one call of `get`."""
        _check_count("size", size)
        wanted = range_nodes(0, size)
        found = get(wanted) if wanted else {}
        missing = [node for node in wanted if node not in found]
        if missing:
            raise KeyError(f"the node store lacks {len(missing)} node(s), first {missing[0]}")
        return cls(size, [found[node] for node in wanted])

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Frontier) and self.size == other.size and self.hashes == other.hashes
        )

    def __repr__(self) -> str:
        return f"Frontier(size={self.size}, root={self.root().hex()[:16]}…)"


class MemoryTree:
    """Every complete node in memory: one bytearray of concatenated 32-byte hashes per level.

    For the offline verifier, tests and benchmarks; `get` is a NodeGetter."""

    def __init__(self) -> None:
        self._levels: list[bytearray] = [bytearray()]

    @property
    def size(self) -> int:
        return len(self._levels[0]) // HASH_SIZE

    def append(self, leaf: bytes) -> None:
        """Append a leaf hash (32 bytes; see `leaf_hash`)."""
        _check_hash("leaf", leaf)
        levels = self._levels
        levels[0] += leaf
        level = 0
        while True:
            row = levels[level]
            count = len(row) // HASH_SIZE
            if count & 1:
                return
            parent = node_hash(bytes(row[-2 * HASH_SIZE : -HASH_SIZE]), bytes(row[-HASH_SIZE:]))
            level += 1
            if level == len(levels):
                levels.append(bytearray())
            levels[level] += parent

    def extend(self, leaves: Iterable[bytes]) -> None:
        for leaf in leaves:
            self.append(leaf)

    def node(self, level: int, index: int) -> bytes:
        if level < 0 or index < 0 or level >= len(self._levels):
            raise KeyError((level, index))
        row = self._levels[level]
        start = index * HASH_SIZE
        if start + HASH_SIZE > len(row):
            raise KeyError((level, index))
        return bytes(row[start : start + HASH_SIZE])

    def get(self, coords: Iterable[Node]) -> dict[Node, bytes]:
        return {(level, index): self.node(level, index) for level, index in coords}

    def root(self, size: int | None = None) -> bytes:
        size = self.size if size is None else size
        self._check_size(size)
        return root(size, self.get)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        self._check_size(size)
        return inclusion_proof(index, size, self.get)

    def consistency_proof(self, old: int, new: int) -> list[bytes]:
        self._check_size(new)
        return consistency_proof(old, new, self.get)

    def _check_size(self, size: int) -> None:
        _check_count("size", size)
        if size > self.size:
            raise ValueError(f"the tree has {self.size} leaves, not {size}")
