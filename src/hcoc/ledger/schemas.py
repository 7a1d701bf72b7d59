from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict


class Receipt(Schema):
    index: int
    seq: int | None
    leaf_hash: str = Field(description="base64 SHA-256(0x00 || leaf)")
    checkpoint: str = Field(description="A signed checkpoint (C2SP signed note) that includes it")
    inclusion_proof: list[str] = Field(description="RFC 9162 audit path, base64, leaf to root")


class Entry(Schema):
    index: int
    seq: int | None
    leaf: str = Field(description="The exact canonical JSON bytes the leaf hash covers")
    leaf_hash: str


class Entries(Schema):
    entries: list[Entry]


class InclusionProof(Schema):
    index: int
    size: int
    hashes: list[str]


class ConsistencyProof(Schema):
    model_config = ConfigDict(populate_by_name=True)
    from_: int = Field(alias="from")
    to: int
    hashes: list[str]


class CheckpointItem(Schema):
    size: int
    created_at: str
    note: str


class Checkpoints(Schema):
    checkpoints: list[CheckpointItem]
    more: bool


class KeyOut(Schema):
    key_id: str
    state: str
    kind: str = Field(
        description="`root` (the state's root: it certifies the others), `state` (a system's API "
        "key), `browser` (one user's key in one browser), or `custodial` (held by the exchange "
        "before states had roots; what it signed counts as unsigned)"
    )
    public_key: str = Field(description="base64, 32-byte Ed25519 public key")
    fingerprint: str = Field(description="SHA-256 of the public key, hex in groups of four")
    valid_from: str
    revoked_at: str | None
    registered_index: int
    revoked_index: int | None
    certified_by: str | None = Field(
        None, description="The root that certified this key (for a root: the one it replaced)"
    )
    user: str | None = Field(None, description="A browser key's user")
    note_reference: str | None = Field(
        None, description="A root's: the diplomatic note that confirmed its fingerprint"
    )
    cosignature_vkey: str | None = Field(
        description="The key as a witness (C2SP tlog-cosignature vkey); null but for `state` keys"
    )


class Keys(Schema):
    origin: str
    vkey: str = Field(description="The log's checkpoint key, in signed-note vkey form")
    keys: list[KeyOut]


B64_SIGNATURE = Field(max_length=100, description="base64 Ed25519 signature")


class RootIn(Schema):
    """What `hcoc key init` (or `hcoc key rotate`) prints."""

    model_config = ConfigDict(extra="forbid")
    key_id: str = Field(max_length=64)
    public_key: str = Field(max_length=100)
    proof: str = Field(
        max_length=100,
        description="The root's own signature of its credential (hcoc-credential/v1)",
    )
    endorsed_by: str = Field("", max_length=64, description="A new root: the current root's key id")
    endorsement: str = Field(
        "", max_length=100, description="A new root: the current root's signature of its credential"
    )


class KeyIn(Schema):
    """What `hcoc key certify` prints."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "key_id": "FRA-system-1",
                    "kind": "state",
                    "public_key": "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
                    "certified_by": "FRA-root-1",
                    "certificate": "base64 signature by FRA-root-1",
                }
            ]
        },
    )
    key_id: str = Field(max_length=64)
    kind: Literal["state", "browser"] = "state"
    public_key: str = Field(max_length=100)
    user: str | None = Field(None, max_length=150, description="A browser key: its user")
    certified_by: str = Field(max_length=64, description="The state's root's key id")
    certificate: str = Field(
        max_length=100, description="The root's signature of the key's credential"
    )


class RevokeIn(Schema):
    """What `hcoc key revoke` prints."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(max_length=500)
    revoked_by: str = Field(max_length=64, description="The state's root's key id")
    revocation: str = Field(
        max_length=100, description="The root's signature of the revocation (hcoc-revocation/v1)"
    )


class ConfirmIn(Schema):
    """The ICC records the diplomatic note that confirms a root's fingerprint."""

    model_config = ConfigDict(extra="forbid")
    fingerprint: str = Field(max_length=100, description="As the note quotes it")
    note_reference: str = Field(max_length=200)


class CosignatureIn(Schema):
    model_config = ConfigDict(extra="forbid")
    checkpoint: str = Field(max_length=2000, description="The checkpoint body (or whole note)")
    cosignature: str = Field(max_length=500, description="The cosignature line: '— name base64'")


class CosignatureOut(Schema):
    size: int
    key_id: str
    timestamp: int
