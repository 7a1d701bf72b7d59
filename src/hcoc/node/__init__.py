"""`hcoc node`: a state's national node (issue 26, part 2).

A different deployment of the same package: it follows the central exchange (its stream, else its
feed from a saved cursor), verifies every entry with the offline verifier (hcoc.ledger.verifier,
as `hcoc verify` does), keeps what it verified in its own database and serves the state's own
users read-only pages and API from that copy, also while the exchange is unreachable.
Acknowledgements made on the node are queued and forwarded, signed with the state's key, once
the exchange answers again (docs/node.md)."""
