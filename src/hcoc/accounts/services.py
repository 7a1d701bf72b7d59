"""Writes to accounts: tokens (shown once, stored hashed, revocable) and users."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from hcoc.lib.errors import FieldProblem, InvalidInput, NotFound

from .models import ApiToken, Role, User, hash_token, new_raw_token


def token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token for `user`; returns (token row, raw token). The raw token is never stored."""
    raw = new_raw_token()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[:12], token_hash=hash_token(raw), created_at=timezone.now()
    )
    return token, raw


def token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_user(raw: str) -> User | None:
    """The active user a raw bearer token belongs to, or None (unknown, revoked, inactive)."""
    if not raw or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__state")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Record use coarsely: a write on every request would serialise readers behind writers.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=10):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def user_create(
    *, username: str, password: str | None, role: str, state_iso3: str | None, email: str = ""
) -> User:
    from hcoc.states.models import State

    problems: list[FieldProblem] = []
    if role not in Role.values:
        problems.append(FieldProblem("role", f"one of {', '.join(Role.values)}"))
    state = None
    if role == Role.ICC:
        if state_iso3:
            problems.append(FieldProblem("state", "an ICC user belongs to no state"))
    else:
        state = State.objects.filter(iso3=state_iso3 or "").first()
        if state is None:
            problems.append(FieldProblem("state", f"unknown state {state_iso3!r}"))
    if User.objects.filter(username=username).exists():
        problems.append(FieldProblem("username", f"{username!r} is taken"))
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        user = User(username=username, role=role, state=state, email=email)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    return user


def user_by_username(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotFound(f"No user {username!r}.")
    return user
