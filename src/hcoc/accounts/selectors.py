"""Reads of accounts with their access rules.

`state_users_for`: every user of the actor's own state, with who made it and when, and when its
password was set. Who makes a state's users is still the ICC (issue 22): the ICC could make a
user of France and follow its enrolment link itself. That cannot be refused without France's
own root of trust, so it is made visible instead: each of France's users sees every user who can
act for France, made by whom, enrolled when.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from hcoc.lib.errors import PermissionDenied
from hcoc.lib.timeutil import rfc3339

from .access import require_user
from .models import EnrolmentLink, User


@dataclass(frozen=True)
class StateUser:
    username: str
    role: str  # Role's value
    role_name: str  # in words
    is_active: bool
    made_at: datetime
    # Who made the user: the ICC user who made its first enrolment link (the console), "" for
    # the server's operator (`hcoc user enrol`), None where the user was made with no link at all
    # (the exchange's set-up, e.g. the demo: then whoever ran it chose the password).
    made_by: str | None
    links: int  # enrolment links made for it
    enrolled_at: datetime | None  # the person set its password through a link
    enrolled_by: str | None  # who made that link: an ICC user, or "" for the server's operator
    has_password: bool
    two_factor: bool
    active_tokens: int
    last_login: datetime | None


def state_users_for(*, actor) -> list[StateUser]:
    """Every user of the actor's state (itself included), by name. Only a state's users ask:
    the ICC has its own list of every state's users (registry's /icc/users)."""
    actor = require_user(actor)
    if actor.state_id is None:
        raise PermissionDenied(_("Only a state's users see their state's users."))
    users = list(
        User.objects.filter(state_id=actor.state_id)
        .annotate(active_tokens=Count("api_tokens", filter=Q(api_tokens__revoked_at__isnull=True)))
        .order_by("username")
    )
    links: dict[int, list[EnrolmentLink]] = {}
    for link in (
        EnrolmentLink.objects.filter(user__in=users)
        .select_related("created_by")
        .order_by("created_at", "pk")
    ):
        links.setdefault(link.user_id, []).append(link)
    with_device = set(
        TOTPDevice.objects.filter(user__in=users, confirmed=True).values_list("user_id", flat=True)
    )
    out = []
    for user in users:
        own = links.get(user.pk, [])
        enrolled = [link for link in own if link.enrolled_at is not None]
        used = enrolled[-1] if enrolled else None
        first = own[0] if own else None
        out.append(
            StateUser(
                username=user.username,
                role=user.role,
                role_name=user.get_role_display(),
                is_active=user.is_active,
                made_at=user.date_joined,
                made_by=_maker(first),
                links=len(own),
                enrolled_at=used.enrolled_at if used else None,
                enrolled_by=_maker(used),
                has_password=user.has_usable_password(),
                two_factor=user.pk in with_device,
                active_tokens=user.active_tokens,
                last_login=user.last_login,
            )
        )
    return out


def state_user_read_model(user: StateUser) -> dict:
    """What the API answers of a state's user (`GET /api/v1/users`; schemas.StateUserOut)."""

    def by(maker: str | None) -> tuple[str | None, str | None]:
        if maker is None:
            return None, None
        return ("icc", maker) if maker else ("operator", None)

    made_by, made_by_user = by(user.made_by)
    enrolled_by, enrolled_by_user = by(user.enrolled_by)
    return {
        "username": user.username,
        "role": user.role,
        "active": user.is_active,
        "made_at": rfc3339(user.made_at),
        "made_by": made_by or "set-up",
        "made_by_user": made_by_user,
        "enrolment_links": user.links,
        "password_set": user.has_password,
        "enrolled_at": rfc3339(user.enrolled_at),
        "enrolled_by": enrolled_by,
        "enrolled_by_user": enrolled_by_user,
        "two_factor": user.two_factor,
        "active_tokens": user.active_tokens,
        "last_login": rfc3339(user.last_login),
    }


def _maker(link: EnrolmentLink | None) -> str | None:
    if link is None:
        return None
    return link.created_by.username if link.created_by else ""
