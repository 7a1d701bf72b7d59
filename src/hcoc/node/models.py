"""What a node keeps: the log and the feed as it verified them, its place in the upstream log,
the acknowledgements waiting to be forwarded, and what it found wrong with the relay."""

from django.db import models


class VerifiedEntry(models.Model):
    """A log entry the node verified (its leaf, as the exchange served it then)."""

    index = models.BigIntegerField(primary_key=True)
    leaf = models.TextField()
    leaf_hash = models.CharField(max_length=64)
    seq = models.BigIntegerField(null=True, unique=True)
    stored_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"entry {self.index}"


class Item(models.Model):
    """A feed item the node verified against its leaf (what the state's users read)."""

    seq = models.BigIntegerField(primary_key=True)
    kind = models.CharField(max_length=64, db_index=True)  # the declarations page lists by kind
    state = models.CharField(max_length=3, db_index=True)
    subject = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField()
    text = models.TextField()  # the item's JSON as the exchange served it

    def __str__(self) -> str:
        return f"item {self.seq}"


class Checkpoint(models.Model):
    """A checkpoint the node verified the tree against (a signed note)."""

    size = models.BigIntegerField(primary_key=True)
    note = models.TextField()
    cosigned_at = models.DateTimeField(null=True)  # when this node's cosignature was accepted

    def __str__(self) -> str:
        return f"checkpoint of size {self.size}"


class NodeStatus(models.Model):
    """One row: where the node is in the upstream log and when it last heard from it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    vkey = models.TextField(blank=True)
    keys = models.TextField(blank=True)  # the log's key document, JSON, as last verified
    resume = models.TextField(blank=True)  # the verifier's saved state (hcoc-verify-state/3)
    last_heard_at = models.DateTimeField(null=True)  # the last answer from the exchange
    down_since = models.DateTimeField(null=True)  # the first failed contact after the last answer
    last_failure = models.TextField(blank=True)

    def __str__(self) -> str:
        return "the node's status"


class QueuedAcknowledgement(models.Model):
    """An acknowledgement made on the node, forwarded once, signed, under its Idempotency-Key
    (a retry after a lost answer replays the first answer: nothing doubled)."""

    seqs = models.JSONField()
    idempotency_key = models.CharField(max_length=64, unique=True)
    queued_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True)
    answer = models.TextField(blank=True)
    refused = models.BooleanField(default=False)  # the exchange refused it (4xx): not retried

    def __str__(self) -> str:
        return f"acknowledgement of {self.seqs}"


class Finding(models.Model):
    """Something the relay did that it must not (a rewritten, withheld or back-dated entry, a
    split view), in words, naming the entry; e-mailed to the node's admins once."""

    found_at = models.DateTimeField()
    text = models.TextField(unique=True)
    emailed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return self.text[:80]
