from ninja import Schema


class SiteOut(Schema):
    id: str
    name: str
    state: str
    territory: str
    lat: float
    lon: float
    kinds: list[str]
