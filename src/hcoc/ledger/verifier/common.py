"""What the verifier's parts share: formats, parsing, and the key table's records."""

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; json is the fallback
    orjson = None


BUNDLE_FORMAT = "hcoc-log-bundle/1"
STATE_FORMAT = "hcoc-verify-state/3"
PAGE = 1000


def _loads(data: bytes | str):
    """Parse JSON: orjson when it can (several times faster), json for what orjson refuses
    (integers beyond 64 bits) and for the error message on a malformed document."""
    if orjson is not None:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return json.loads(data)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def _b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _b64s(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass
class KeyRecord:
    key_id: str
    state: str
    kind: str
    public_key: bytes
    valid_from: datetime
    revoked_at: datetime | None = None
    # The root whose certificate of this key verified (set by the walk, never taken from the
    # leaf on trust); for a root, the root that endorsed it ("" for a state's first root).
    certified_by: str = ""
    user: str = ""
    note: str = ""  # a root's: the diplomatic note that confirmed its fingerprint (key.confirmed)

    @classmethod
    def from_model(cls, key) -> "KeyRecord":
        return cls(
            key.key_id,
            key.state_id,
            key.kind,
            bytes(key.public_key),
            key.valid_from,
            key.revoked_at,
        )

    @classmethod
    def from_leaf(cls, data: dict) -> "KeyRecord":
        return cls(
            data["key_id"],
            data["state"],
            data["kind"],
            _b64(data["public_key"]),
            _time(data["valid_from"]),
            user=data.get("user") or "",
        )

    def to_json(self) -> dict:
        return {
            "key_id": self.key_id,
            "state": self.state,
            "kind": self.kind,
            "public_key": _b64s(self.public_key),
            "valid_from": _iso(self.valid_from),
            "revoked_at": _iso(self.revoked_at),
            "certified_by": self.certified_by,
            "user": self.user,
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: dict) -> "KeyRecord":
        record = cls.from_leaf(data)
        record.revoked_at = _time(data["revoked_at"]) if data.get("revoked_at") else None
        record.certified_by = data.get("certified_by") or ""
        record.user = data.get("user") or ""
        record.note = data.get("note") or ""
        return record

    def valid_at(self, at: datetime) -> bool:
        return self.valid_from <= at and (self.revoked_at is None or at < self.revoked_at)
