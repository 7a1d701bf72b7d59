"""The transparency log: leaves, the Merkle tree's complete nodes, signed checkpoints, witness
cosignatures, and the states' signing keys.

Invariants:
- LogEntry.index values are 0, 1, 2, ... with no gap, appended under the exchange's sequence lock
  in the same transaction as the event they record (services.leaf_append); a leaf's bytes never
  change once written.
- LogNode holds the hash of every COMPLETE aligned subtree (level, index) of the tree, so proofs
  need O(log n) reads and never a rebuild.
- LogHead (one row) holds the tree size and its right-edge frontier: appending reads one row.
- Checkpoint.size strictly increases with creation; one checkpoint per size.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LeafType(models.TextChoices):
    EVENT = "event"
    ACKNOWLEDGEMENT = "acknowledgement"
    KEY_REGISTERED = "key.registered"
    KEY_REVOKED = "key.revoked"
    KEY_CONFIRMED = "key.confirmed"


class LogHead(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.BigIntegerField(default=0)
    frontier = models.BinaryField(default=b"")

    def __str__(self) -> str:
        return f"log head (size {self.size})"


class LogEntry(models.Model):
    index = models.BigIntegerField(primary_key=True)
    seq = models.BigIntegerField(null=True, blank=True, unique=True)
    type = models.CharField(max_length=30, choices=LeafType.choices)
    at = models.DateTimeField()
    state = models.CharField(max_length=3, blank=True, help_text="The state the leaf concerns.")
    key_id = models.CharField(max_length=64, blank=True, help_text="Key that signed, if any.")
    leaf = models.TextField(help_text="The exact RFC 8785 canonical JSON the leaf hash covers.")
    leaf_hash = models.BinaryField(max_length=32)

    class Meta:
        ordering = ["index"]

    def __str__(self) -> str:
        return f"leaf {self.index} ({self.type})"


class LogNode(models.Model):
    """key = index << 6 | level: one integer key, so a proof's nodes come in one IN query."""

    key = models.BigIntegerField(primary_key=True)
    hash = models.BinaryField(max_length=32)

    def __str__(self) -> str:
        return f"node level {self.key & 63} index {self.key >> 6}"


class Checkpoint(models.Model):
    size = models.BigIntegerField(primary_key=True)
    root = models.BinaryField(max_length=32)
    note = models.TextField(help_text="The signed note (C2SP tlog-checkpoint), log signature only.")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-size"]

    def __str__(self) -> str:
        return f"checkpoint of size {self.size}"


class KeyKind(models.TextChoices):
    """Every kind but custodial is made by the state, on its own machines (hcoc.ledger.trust)."""

    ROOT = "root", _("the state's root: it certifies the state's other keys")
    STATE = "state", _("a state's system's API signing key")
    BROWSER = "browser", _("one user's signing key in one browser")
    # Made by the exchange before states had roots; kept for the entries it signed, which
    # verifiers count as relay-attested (unsigned). No new custodial key is ever made.
    CUSTODIAL = "custodial", _("held by the exchange (relay-attested; no longer made)")


class StateKey(models.Model):
    key_id = models.CharField(max_length=64, primary_key=True)
    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=KeyKind.choices)
    public_key = models.BinaryField(max_length=32)
    valid_from = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=500, blank=True)
    registered_index = models.BigIntegerField()
    revoked_index = models.BigIntegerField(null=True, blank=True)
    # Custodial keys only (none are made any more): the private key, encrypted (AES-256-GCM)
    # under the exchange's key-encryption key, outside the database (settings.LEDGER_KEY_DIR).
    sealed_private_key = models.BinaryField(null=True, blank=True)
    # A state's root signs its own credential (proof), its successor's (endorsement) and the
    # credentials of the state's other keys (certificate); all base64 Ed25519, as in the leaf.
    proof = models.CharField(max_length=100, blank=True)
    endorsed_by = models.CharField(max_length=64, blank=True)
    endorsement = models.CharField(max_length=100, blank=True)
    certified_by = models.CharField(max_length=64, blank=True)
    certificate = models.CharField(max_length=100, blank=True)
    # A browser key belongs to one user (named in its certificate).
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_by = models.CharField(max_length=64, blank=True)
    revocation = models.CharField(max_length=100, blank=True)
    # A root's fingerprint as confirmed by the state's diplomatic note (recorded by the ICC).
    note_reference = models.CharField(max_length=200, blank=True)
    confirmed_index = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "kind"])]

    def __str__(self) -> str:
        return self.key_id

    def valid_at(self, at) -> bool:
        return self.valid_from <= at and (self.revoked_at is None or at < self.revoked_at)


class Cosignature(models.Model):
    """A witness (a state's key) cosigned the checkpoint of this size (C2SP tlog-cosignature)."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="cosigs")
    key = models.ForeignKey(StateKey, on_delete=models.PROTECT, related_name="+")
    line = models.TextField()
    timestamp = models.BigIntegerField()
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "key"], name="one_cosig_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.key_id} cosigned size {self.checkpoint_id}"


class SeenSignature(models.Model):
    """Each request signature is accepted once: a relay (or anyone) replaying a signed request
    gets 409, so a state's signed submission cannot be made to count twice."""

    digest = models.CharField(max_length=64, primary_key=True)
    key_id = models.CharField(max_length=64)
    created = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["created"])]

    def __str__(self) -> str:
        return f"signature by {self.key_id} at {self.created}"
