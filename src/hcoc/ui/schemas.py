"""Schema pieces every app's published formats share (docs/formats.md)."""

from ninja import Schema
from pydantic import ConfigDict


class StrictSchema(Schema):
    """A request format: a member the format does not define is an error ("unknown field"),
    never silently dropped."""

    model_config = ConfigDict(extra="forbid")
