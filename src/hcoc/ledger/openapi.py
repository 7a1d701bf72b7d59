"""The OpenAPI document's account of what the ledger adds to every POST (see middleware.py)."""

from .client import SIGNATURE_HEADER
from .schemas import Receipt

SIGNATURE_PARAMETER = {
    "name": SIGNATURE_HEADER,
    "in": "header",
    "required": False,
    "schema": {"type": "string", "example": "keyid=FRA-2026-1; created=1764270000; sig=..."},
    "description": (
        "Ed25519 signature of the request by a key the ICC registered for the caller's state: "
        "required on every POST once the state has one (see the API docs, Transparency log)."
    ),
}


def document_signatures_and_receipts(schema: dict) -> None:
    schema.setdefault("components", {}).setdefault("schemas", {})["Receipt"] = (
        Receipt.model_json_schema()
    )
    receipts = {
        "type": "object",
        "properties": {
            "receipts": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/Receipt"},
                "description": "One per log entry the request wrote: proof of inclusion.",
            }
        },
    }
    for operations in schema.get("paths", {}).values():
        post = operations.get("post")
        if post is None:
            continue
        post.setdefault("parameters", []).append(SIGNATURE_PARAMETER)
        for status, response in post.get("responses", {}).items():
            if not 200 <= int(status) < 300:
                continue
            for content in response.get("content", {}).values():
                if "$ref" in content.get("schema", {}):
                    content["schema"] = {"allOf": [content["schema"], receipts]}
