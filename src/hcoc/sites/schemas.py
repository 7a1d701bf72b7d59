from typing import Literal

from ninja import Schema
from pydantic import Field


class SiteOut(Schema):
    id: str
    name: str
    state: str
    territory: str
    lat: float
    lon: float
    kinds: list[str]
    site_kind: Literal["launch_site", "impact_range", "both"] = Field(
        description="launch_site, impact_range (where re-entry vehicles come down: not a "
        "launch area) or both"
    )
