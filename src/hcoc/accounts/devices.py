"""The browsers an account has logged in from: a signed cookie naming a LoginDevice row.

Why: a lock on the account itself lets anyone lock anyone out (five wrong passwords, renewed
every 15 minutes, the ICC's included). With this cookie the login tells the owner's browsers
from the rest: failures from a browser that has logged in as the user before are counted for
that browser alone, and the lock that strangers' failures set (and the per-user-name rate limit)
never applies to it. Guessing stays as slow as before: a browser without the cookie gets
LOGIN_MAX_FAILURES checks per lockout, all of them together; one with the cookie (which only a
successful login gives) as many, for itself.

The cookie is signed with the secret key (django.core.signing), so it cannot be made up; it
names the user, so a browser trusted for one account is a stranger to every other.
"""

from django.conf import settings
from django.core import signing

from .models import LoginDevice, User

COOKIE = "hcoc_login_device"
SALT = "hcoc.accounts.login-device"
MAX_AGE_SECONDS = 365 * 24 * 3600


def cookie_value(device: LoginDevice) -> str:
    return signing.dumps({"u": device.user.username, "d": device.pk}, salt=SALT)


def claimed(request) -> tuple[str, int] | None:
    """(user name, device id) the request's cookie names, when its signature holds."""
    value = request.COOKIES.get(COOKIE)
    if not value:
        return None
    try:
        data = signing.loads(value, salt=SALT, max_age=MAX_AGE_SECONDS)
        return str(data["u"]), int(data["d"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def trusted_for(request, username: str) -> bool:
    """Whether the request comes from a browser that logged in as `username` before (the
    signature alone: no database, for the rate limit before anything else runs)."""
    claim = claimed(request)
    return claim is not None and claim[0].casefold() == username.strip().casefold()


def device_of(request, user: User) -> LoginDevice | None:
    """The LoginDevice of this browser for `user`, or None: a stranger to the account."""
    claim = claimed(request)
    if claim is None or claim[0] != user.username:
        return None
    return LoginDevice.objects.filter(pk=claim[1], user=user).first()


def remember(response, device: LoginDevice) -> None:
    response.set_cookie(
        COOKIE,
        cookie_value(device),
        max_age=MAX_AGE_SECONDS,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )
