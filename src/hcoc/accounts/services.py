"""Writes to accounts: tokens (shown once, stored hashed, revocable), users, enrolment links,
logins and the second factor.

The rule that keeps the relay from acting as a state: a state's user's credentials (its API
tokens, its password) are made by that user alone. The ICC creates a state's user without a
password and gets an enrolment link for the person; it may revoke tokens, never make them. The
doors (the account page, the console, the admin, the `hcoc` commands) all go through
`token_issue`, `operator_token_issue` and the enrolment functions below.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from hcoc.lib.errors import FieldProblem, InvalidInput, NotFound, PermissionDenied

from .access import is_state_role, may_act_as_icc, require_icc, require_own_credentials
from .models import ApiToken, EnrolmentLink, LoginDevice, Role, User, hash_token, new_raw_token

PASSWORD_MIN_LENGTH = 12  # of a password a person sets through an enrolment link


def user_language_set(*, user: User, language: str) -> User:
    """The language `user` reads the pages and their e-mails in (issue 27): one of
    settings.LANGUAGES, or "" for the browser's."""
    if language and language not in dict(settings.LANGUAGES):
        raise InvalidInput([FieldProblem("language", _("Choose one of the languages offered."))])
    user.language = language
    user.save(update_fields=["language"])
    return user


def token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token for `user`; returns (token row, raw token). The raw token is never stored.

    The primitive, with no access rule: only for seeds (the demo, tests, benchmarks). Every door
    calls `token_issue` (a user's own tokens) or `operator_token_issue` (the `hcoc` command)."""
    raw = new_raw_token()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[:12], token_hash=hash_token(raw), created_at=timezone.now()
    )
    return token, raw


def token_issue(
    *, actor: User, user: User, name: str = "", second_factor_passed: bool
) -> tuple[ApiToken, str]:
    """A user makes a token of its own; nobody makes one for someone else (not the ICC for a
    state's user: the relay must not be able to act as a state). A token opens the API without
    the second factor, so it is made only in a session that passed the second factor where the
    user has one, and always for the ICC."""
    require_own_credentials(actor, user)

    must_verify = (
        may_act_as_icc(user) or TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    )
    if must_verify and not second_factor_passed:
        raise PermissionDenied(
            _("Log in with your two-factor code before you make an API token.")
            if not may_act_as_icc(user)
            else _("ICC users make API tokens only after logging in with their two-factor code.")
        )
    return token_create(user=user, name=name)


def operator_token_issue(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """The server's operator (`hcoc token create`) makes a token for an ICC user (or an
    administrator of no state). Never for a state's user: that user makes its own on /account,
    so that no one running the exchange can act as a state."""
    if user.state_id is not None:
        raise PermissionDenied(
            _(
                "%(username)s is a user of %(state_id)s: only that user can make its API tokens (on "
                "/account, after enrolment). Give them an enrolment link with `hcoc user enrol "
                "%(username)s` if they have no password yet."
            )
            % {"username": user.username, "state_id": user.state_id}
        )
    return token_create(user=user, name=name)


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


def token_users(raws) -> dict[str, User]:
    """`token_user` for many raw tokens in one query: those still valid (not revoked, their user
    active), each with its user. The live stream re-checks every open stream's token with it
    before each new item."""
    by_hash = {hash_token(raw): raw for raw in raws if raw and len(raw) <= 200}
    tokens = ApiToken.objects.select_related("user", "user__state").filter(
        token_hash__in=list(by_hash), revoked_at__isnull=True
    )
    return {by_hash[t.token_hash]: t.user for t in tokens if t.user.is_active}


def user_create(
    *, username: str, password: str | None, role: str, state_iso3: str | None, email: str = ""
) -> User:
    # The registry is the layer above accounts: the state is reached through the user's own
    # foreign key, not by importing it.
    State = User._meta.get_field("state").related_model
    problems: list[FieldProblem] = []
    if role not in Role.values:
        problems.append(
            FieldProblem("role", _("one of %(join)s") % {"join": ", ".join(Role.values)})
        )
    state = None
    if is_state_role(role):
        state = State.objects.filter(iso3=state_iso3 or "").first()
        if state is None:
            problems.append(
                FieldProblem(
                    "state", _("unknown state %(state_iso3)s") % {"state_iso3": repr(state_iso3)}
                )
            )
    elif state_iso3 and role in Role.values:
        problems.append(FieldProblem("state", _("an ICC user belongs to no state")))
    if User.objects.filter(username=username).exists():
        problems.append(
            FieldProblem("username", _("%(username)s is taken") % {"username": repr(username)})
        )
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
        raise NotFound(_("No user %(username)s.") % {"username": repr(username)})
    return user


# ---- the ICC manages the users and tokens of states (ICC console) ---------------------------


def state_user_list_for(*, actor, state_iso3: str | None = None):
    """Users of states (not the ICC's), with their tokens, for the ICC."""
    require_icc(actor)
    qs = User.objects.of_states().select_related("state").order_by("state_id", "username")
    if state_iso3:
        qs = qs.filter(state_id=state_iso3.upper())
    return qs


def state_user_create(
    *, actor, username: str, role: str, state_iso3: str, email: str = ""
) -> tuple[User, str]:
    """The ICC creates a submitter or reader of a state (never another ICC user here), with no
    password: returns (user, raw enrolment token) for the link the ICC sends to the person."""
    require_icc(actor)
    if not is_state_role(role):
        raise InvalidInput([FieldProblem("role", _("one of submitter, reader"))])
    with transaction.atomic():
        user = user_create(
            username=username, password=None, role=role, state_iso3=state_iso3, email=email
        )
        return user, _enrolment_create(user=user, created_by=actor)


def state_user_get_for(*, actor, user_id: int) -> User:
    require_icc(actor)
    user = User.objects.of_states().filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("No user %(user_id)s of a state.") % {"user_id": user_id})
    return user


def state_token_revoke(*, actor, token_id: int) -> ApiToken:
    """The ICC revokes a token of a state's user (it may stop a token, never make one)."""
    require_icc(actor)
    token = ApiToken.objects.filter(user__in=User.objects.of_states(), pk=token_id).first()
    if token is None:
        raise NotFound(_("No token %(token_id)s of a state's user.") % {"token_id": token_id})
    return token_revoke(token=token)


# ---- logins and the second factor (the web pages' account security) -------------------------


def login_attempt_begin(*, user: User, device: LoginDevice | None = None) -> bool:
    """Count a login attempt *before* its password is checked; False when it is locked out
    (then the password must not be checked at all).

    Attempts from a browser that logged in as the user before (`device`, hcoc.accounts.devices)
    are counted on its own row; all others on the user's row, together. So strangers' wrong
    passwords lock out strangers, never the owner's browsers; and each lock bounds guessing.

    The count is one atomic UPDATE (F() expression) and the lock is decided on the value after
    it, inside one transaction that holds the row: however many attempts run in parallel, at
    most LOGIN_MAX_FAILURES passwords are checked before the lock. A success resets the count
    (`login_success_record`); a failure needs nothing more, it was counted here.
    """
    now = timezone.now()
    limit = settings.LOGIN_MAX_FAILURES
    rows = (
        LoginDevice.objects.filter(pk=device.pk)
        if device is not None
        else User.objects.filter(pk=user.pk)
    )
    with transaction.atomic():
        # A lock that has run out starts the count afresh.
        rows.filter(locked_until__lte=now).update(failed_logins=0, locked_until=None)
        rows.filter(locked_until__isnull=True).update(failed_logins=F("failed_logins") + 1)
        found = rows.values_list("failed_logins", "locked_until").first()
        if found is None:  # the device row is gone: not checked (the view then drops it)
            return False
        count, locked_until = found
        if locked_until is not None:
            return False  # locked (by an attempt before this one): not counted, not checked
        if count >= limit:
            # This is the last password check allowed: lock now, so that no attempt after it
            # (in parallel or not) is checked until the lock runs out or this one succeeds.
            rows.update(locked_until=now + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES))
        return count <= limit


def login_success_record(*, user: User, device: LoginDevice | None = None) -> LoginDevice:
    """Reset the count the attempt was counted on; the browser's LoginDevice (made on its first
    success), which the view hands back to it as a cookie."""
    now = timezone.now()
    if device is None:
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        user.failed_logins, user.locked_until = 0, None
        return LoginDevice.objects.create(user=user, created_at=now, last_login_at=now)
    LoginDevice.objects.filter(pk=device.pk).update(
        failed_logins=0, locked_until=None, last_login_at=now
    )
    return device


# ---- enrolment: a person sets the password of the user made for them --------------------------


def _enrolment_create(*, user: User, created_by: User | None) -> str:
    """A new single-use link for `user` (earlier unused ones stop working); returns the raw
    token, which is never stored."""
    now = timezone.now()
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        EnrolmentLink.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
        EnrolmentLink.objects.create(
            user=user,
            token_hash=hash_token(raw),
            created_by=created_by,
            created_at=now,
            expires_at=now + timedelta(hours=settings.ENROLMENT_LINK_HOURS),
        )
    return raw


def _refuse_if_enrolled(user: User) -> None:
    """A state's user who has set its password is beyond the relay's reach: a new link would let
    whoever makes it take the account over."""
    if user.state_id is not None and user.has_usable_password():
        raise PermissionDenied(
            _(
                "%(username)s has already set a password, which only they may change. If they have "
                "lost it, create a new user for them and disable this one."
            )
            % {"username": user.username}
        )


def state_user_enrolment_issue(*, actor, user_id: int) -> tuple[User, str]:
    """The ICC gets a new enrolment link for a state's user who has not enrolled yet (e.g. the
    first link expired)."""
    user = state_user_get_for(actor=actor, user_id=user_id)
    _refuse_if_enrolled(user)
    return user, _enrolment_create(user=user, created_by=actor)


def operator_enrolment_issue(*, user: User) -> str:
    """The server's operator (`hcoc user enrol`) gets an enrolment link for a user: any ICC
    user, and a state's user only while it has no password of its own."""
    _refuse_if_enrolled(user)
    return _enrolment_create(user=user, created_by=None)


def enrolment_user(raw: str) -> User | None:
    """The user an enrolment link is for, while the link is unused and unexpired; else None."""
    if not raw or len(raw) > 200:
        return None
    link = (
        EnrolmentLink.objects.select_related("user")
        .filter(token_hash=hash_token(raw), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    return link.user if link is not None and link.user.is_active else None


def enrolment_complete(*, raw: str, password: str) -> User:
    """The person sets the user's password through the link, which is then used up. Taken with
    one conditional UPDATE: two submissions of the same link never both succeed."""

    user = enrolment_user(raw)
    if user is None:
        raise NotFound(_("This enrolment link is not valid: it is unknown, used or expired."))
    if len(password) < PASSWORD_MIN_LENGTH:
        raise InvalidInput(
            [
                FieldProblem(
                    "password",
                    _("Choose a password of at least %(PASSWORD_MIN_LENGTH)s characters.")
                    % {"PASSWORD_MIN_LENGTH": PASSWORD_MIN_LENGTH},
                )
            ]
        )
    try:
        validate_password(password, user)
    except ValidationError as e:
        raise InvalidInput([FieldProblem("password", m) for m in e.messages]) from e
    now = timezone.now()
    with transaction.atomic():
        taken = EnrolmentLink.objects.filter(
            token_hash=hash_token(raw), used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now, enrolled_at=now)
        if not taken:
            raise NotFound(_("This enrolment link is not valid: it is unknown, used or expired."))
        EnrolmentLink.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
        user.set_password(password)
        user.failed_logins, user.locked_until = 0, None
        user.save(update_fields=["password", "failed_logins", "locked_until"])
    return user


def totp_pending_for(*, user: User):
    """The user's unconfirmed TOTP device, created if there is none (and no confirmed one)."""

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


def totp_device_delete(*, actor: User, device: TOTPDevice) -> None:
    """Delete one device: its own user, or the ICC for a person who lost its authenticator (who
    then enrols a new one itself, with a key only it sees). Never a way to make or read one."""
    if actor.pk != device.user_id:
        require_icc(actor)
    device.delete()


def totp_disable(*, user: User) -> None:
    """Turn two-factor off. ICC users must keep it."""

    if may_act_as_icc(user):
        raise PermissionDenied(_("ICC users must keep two-factor authentication."))
    TOTPDevice.objects.filter(user=user).delete()
