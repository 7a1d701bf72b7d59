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


def request_token_user(request) -> User | None:
    """The user of the request's `Authorization: Bearer` token, or None (no token, or a bad
    one). Looked up once per request: the middlewares and the API's door all ask."""
    if not hasattr(request, "_hcoc_token_user"):
        scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
        request._hcoc_token_user = token_user(raw.strip()) if scheme.lower() == "bearer" else None
    return request._hcoc_token_user


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


# ---- the ICC manages the users and tokens of states (ICC console) ---------------------------


def state_user_list_for(*, actor, state_iso3: str | None = None):
    """Users of states (not the ICC's), with their tokens, for the ICC."""
    from .access import require_icc

    require_icc(actor)
    qs = (
        User.objects.exclude(role=Role.ICC).select_related("state").order_by("state_id", "username")
    )
    if state_iso3:
        qs = qs.filter(state_id=state_iso3.upper())
    return qs


def state_user_create(
    *, actor, username: str, password: str | None, role: str, state_iso3: str, email: str = ""
) -> User:
    """The ICC creates a submitter or reader of a state (never another ICC user here)."""
    from .access import require_icc

    require_icc(actor)
    if role not in (Role.SUBMITTER, Role.READER):
        raise InvalidInput([FieldProblem("role", "one of submitter, reader")])
    return user_create(
        username=username, password=password, role=role, state_iso3=state_iso3, email=email
    )


def state_user_get_for(*, actor, user_id: int) -> User:
    from .access import require_icc

    require_icc(actor)
    user = User.objects.exclude(role=Role.ICC).filter(pk=user_id).first()
    if user is None:
        raise NotFound(f"No user {user_id} of a state.")
    return user


def state_token_create(*, actor, user_id: int, name: str = "") -> tuple[ApiToken, str]:
    """The ICC creates a token for a state's user; the raw token is returned once."""
    return token_create(user=state_user_get_for(actor=actor, user_id=user_id), name=name)


def state_token_revoke(*, actor, token_id: int) -> ApiToken:
    from .access import require_icc

    require_icc(actor)
    token = ApiToken.objects.exclude(user__role=Role.ICC).filter(pk=token_id).first()
    if token is None:
        raise NotFound(f"No token {token_id} of a state's user.")
    return token_revoke(token=token)


# ---- logins and the second factor (the web pages' account security) -------------------------


def login_failure_record(*, user: User | None) -> None:
    """One more failed login; at LOGIN_MAX_FAILURES in a row the account locks for a while."""
    from django.conf import settings

    if user is None:
        return
    user.failed_logins += 1
    if user.failed_logins >= settings.LOGIN_MAX_FAILURES:
        user.locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        user.failed_logins = 0
    user.save(update_fields=["failed_logins", "locked_until"])


def login_success_record(*, user: User) -> None:
    user.failed_logins, user.locked_until = 0, None
    user.save(update_fields=["failed_logins", "locked_until"])


def totp_pending_for(*, user: User):
    """The user's unconfirmed TOTP device, created if there is none (and no confirmed one)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if pending is None and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        pending = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return pending


def totp_confirm(*, device, code: str) -> bool:
    if not device.verify_token(code.strip()):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


def totp_disable(*, user: User) -> None:
    """Turn two-factor off. ICC users must keep it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from hcoc.lib.errors import PermissionDenied

    if user.role == Role.ICC:
        raise PermissionDenied("ICC users must keep two-factor authentication.")
    TOTPDevice.objects.filter(user=user).delete()
