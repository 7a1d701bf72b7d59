"""The exchange as an append-only transparency log (issue 6).

`hcoc.ledger.tlog` is the Django-free library (Merkle tree, signed notes, checkpoints,
cosignatures); the Django side (models, services, API, CLI) lives next to it in this package.
"""
