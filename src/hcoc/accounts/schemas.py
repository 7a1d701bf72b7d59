from typing import Literal

from ninja import Schema
from pydantic import Field


class StateUserOut(Schema):
    username: str
    role: Literal["submitter", "reader"]
    active: bool = Field(description="false: disabled (by the ICC)")
    made_at: str
    made_by: Literal["icc", "operator", "set-up"] = Field(
        description="Who made the user: the ICC in its console (`made_by_user` names which ICC "
        "user), the server's operator (`hcoc user enrol`), or the exchange's set-up with no "
        "enrolment link (whoever ran it chose the password)"
    )
    made_by_user: str | None
    enrolment_links: int = Field(description="Enrolment links made for the user")
    password_set: bool
    enrolled_at: str | None = Field(
        description="When the password was set through an enrolment link"
    )
    enrolled_by: Literal["icc", "operator"] | None = Field(
        description="Who made the link that set the password (who could have followed it)"
    )
    enrolled_by_user: str | None
    two_factor: bool
    active_tokens: int = Field(description="API tokens not revoked")
    last_login: str | None


class StateUserList(Schema):
    items: list[StateUserOut]
