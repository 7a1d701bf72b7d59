from ninja import Field, Schema
from pydantic import ConfigDict

from hcoc.lib.timeutil import Rfc3339


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
        description="`state` (held by the state) or `custodial` (held by the exchange)"
    )
    public_key: str = Field(description="base64, 32-byte Ed25519 public key")
    valid_from: str
    revoked_at: str | None
    registered_index: int
    revoked_index: int | None
    cosignature_vkey: str | None = Field(
        description="The key as a witness (C2SP tlog-cosignature vkey); null for custodial keys"
    )


class Keys(Schema):
    origin: str
    vkey: str = Field(description="The log's checkpoint key, in signed-note vkey form")
    keys: list[KeyOut]


class KeyIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "key_id": "FRA-2026-1",
                    "public_key": "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
                    "valid_from": None,
                }
            ]
        },
    )
    key_id: str = Field(max_length=64)
    public_key: str = Field(max_length=100)
    valid_from: Rfc3339 | None = None


class RevokeIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(max_length=500)


class CosignatureIn(Schema):
    model_config = ConfigDict(extra="forbid")
    checkpoint: str = Field(max_length=2000, description="The checkpoint body (or whole note)")
    cosignature: str = Field(max_length=500, description="The cosignature line: '— name base64'")


class CosignatureOut(Schema):
    size: int
    key_id: str
    timestamp: int
