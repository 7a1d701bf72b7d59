"""Django-free transparency-log primitives.

- `merkle`: RFC 9162 section 2.1 Merkle tree hashing, inclusion and consistency proofs over a
  store of complete nodes, a compact right-edge `Frontier` for appending, an in-memory tree.
- `note`: C2SP signed notes (Ed25519), tlog checkpoints and tlog cosignatures (cosignature/v1).

Nothing here imports Django: the offline verifier and the benchmarks use it as is.
"""
