"""The offline verifier: everything a state needs to check the exchange on its own (no Django).

It takes every log entry and checkpoint (from the exchange's API, or from a bundle written by
`hcoc export-bundle`), rebuilds the Merkle tree, and checks:
- the log's signature on every checkpoint (against a pinned key), and the witnesses' cosignatures;
- that entries are numbered 0, 1, 2, ... with no gap, each leaf naming its own index, and each
  leaf hash matching its bytes;
- that the rebuilt tree has, at every checkpoint's size, that checkpoint's root;
- that two checkpoints of the same size never have different roots (a split view);
- every signature in a leaf, against the state keys the log itself recorded before that leaf
  and valid at its time;
- the exchange sequence: event leaves carry seq 1, 2, 3, ... in order, and times never go back;
- that every item of the feed equals its leaf, and that none has no entry (from the API, an
  item written while the run reads is left to the next run when the log's latest checkpoint,
  read again, has grown: the exchange logs an item and signs a checkpoint over it at once);
- consistency with a checkpoint saved from an earlier run (nothing rewritten, nothing truncated).
On failure it says which entry and why. `hcoc verify` is the command; `verify()` the library.

Speed (a million entries): the entries are streamed (memory stays flat: the tree is kept as its
right edge, a `merkle.Frontier`); lines of a bundle are told apart by their prefix, so each is
parsed once, by orjson when it is installed; the signatures, which cost most (RFC 8785 and
Ed25519, ~230 µs a leaf), are checked in worker processes (`jobs`) while this process rebuilds the
tree and walks the sequence. A run can go on from the `Resume` an earlier run saved: it reads
only the entries after it, starting its tree from the saved frontier.
"""

from .common import BUNDLE_FORMAT, STATE_FORMAT, KeyRecord
from .signatures import leaf_signature_problem
from .sources import BundleSource, HttpSource
from .walk import Report, Resume, verify

__all__ = [
    "BUNDLE_FORMAT",
    "STATE_FORMAT",
    "BundleSource",
    "HttpSource",
    "KeyRecord",
    "Report",
    "Resume",
    "leaf_signature_problem",
    "verify",
]
