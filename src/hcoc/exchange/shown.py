"""Which items a page has shown a state: a signed mark beside each item a page offers for
acknowledgement (`shown_mark`), read back when the form comes (`shown_seqs`).

An acknowledgement is a receipt a state stands behind, so a page may acknowledge only what it has
displayed. The mark is an HMAC (Django's signing, keyed by SECRET_KEY) of the state and the item:
a seq a page never showed, or showed to another state, has no valid mark, and the acknowledgement
is refused. Rows the live stream adds to an open inbox carry their own mark, as they are shown.
"""

from django.core import signing

SALT = "hcoc.exchange.shown"


def _signer(state_id: str) -> signing.Signer:
    return signing.Signer(salt=f"{SALT}:{state_id}")


def shown_mark(state_id: str, seq: int) -> str:
    return _signer(state_id).sign(str(seq))


def shown_seqs(state_id: str, marks: list[str]) -> set[int]:
    """The seqs of the valid marks among `marks` (the others, forged or of another state, are
    left out)."""
    signer, seqs = _signer(state_id), set()
    for mark in marks:
        try:
            value = signer.unsign(mark)
        except signing.BadSignature:
            continue
        if value.isascii() and value.isdigit():
            seqs.add(int(value))
    return seqs
