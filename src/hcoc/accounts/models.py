import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SUBMITTER = "submitter", _("submitter (state)")
    READER = "reader", _("reader (state)")
    ICC = "icc", _("ICC operator")


class UserManager(DjangoUserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """A superuser (`hcoc createsuperuser`) is one of the ICC's staff: the ICC's role, no
        state. Never a state's user, whose password only that user sets: a superuser's password
        is chosen by whoever runs the server."""
        extra_fields.setdefault("role", Role.ICC)
        if extra_fields.get("state") or extra_fields.get("state_id"):
            raise ValueError("A superuser is one of the ICC's staff: it has no state.")
        if extra_fields["role"] != Role.ICC:
            raise ValueError("A superuser is one of the ICC's staff: it has no state's role.")
        return super().create_superuser(username, email, password, **extra_fields)

    # Users by role, for the few lists that need them (e-mail, the ICC's user pages): roles are
    # compared only here and in the access rules (tests/ops/test_house.py).
    def icc(self):
        return self.filter(role=Role.ICC)

    def of_states(self):
        return self.exclude(role=Role.ICC)

    def submitters(self):
        return self.filter(role=Role.SUBMITTER)


class User(AbstractUser):
    """A person of one state (its point of contact's staff) or of the ICC.

    Invariant (checked in the database): an ICC user has no state; a state user has one.
    """

    state = models.ForeignKey(
        "states.State", on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.READER)
    # Lockout after repeated failed logins (settings.LOGIN_MAX_FAILURES, LOGIN_LOCKOUT_MINUTES).
    failed_logins = models.IntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    # The language the user reads the pages and their e-mails in (settings.LANGUAGES; issue 27);
    # empty: not chosen yet, the browser's (pages) or English (e-mails).
    language = models.CharField(max_length=10, blank=True, default="")

    objects = UserManager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="user_icc_has_no_state_and_state_user_has_one",
                condition=(models.Q(role="icc", state__isnull=True))
                | (~models.Q(role="icc") & models.Q(state__isnull=False))
                | models.Q(is_superuser=True, state__isnull=True),
            )
        ]


TOKEN_PREFIX_LEN = 8


def hash_token(raw: str) -> str:
    # Tokens are 256-bit random strings: a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(raw.encode()).hexdigest()


def new_raw_token() -> str:
    return "hcoc_" + secrets.token_urlsafe(32)


class ApiToken(models.Model):
    """A bearer token of one user. Only its hash is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(
        max_length=20, db_index=True, help_text="First characters, to recognise it."
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user.username}{', revoked' if self.revoked_at else ''})"


class EnrolmentLink(models.Model):
    """A single-use, expiring link by which a person sets the password of the user made for them.

    The ICC (or the server's operator) creates a state's user without a password and sends the
    person this link: only whoever follows it knows the password. The relay could follow it
    itself (issue 22, open until each state has its own root of trust), so the state's users see
    who made each of their users and when it enrolled (`enrolled_at`, on /account). Like a
    token, the link's secret is random, shown once and stored only as a hash.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # When the person set the password through this link (`used_at` also marks a link that a
    # newer one replaced). Shown to the user's state, which can see who was enrolled and when.
    enrolled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"enrolment of {self.user.username} ({self.created_at:%Y-%m-%d})"


class LoginDevice(models.Model):
    """A browser that has logged in as `user` before: it holds a signed cookie naming this row
    (hcoc.accounts.devices). Its failed logins are counted here, apart from those of browsers
    the account has never logged in from (User.failed_logins, locked_until), so a stranger's
    wrong passwords lock out strangers and never the owner's own browsers (issue 22)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_devices")
    created_at = models.DateTimeField()
    last_login_at = models.DateTimeField()
    # Lockout of this browser alone (settings.LOGIN_MAX_FAILURES, LOGIN_LOCKOUT_MINUTES).
    failed_logins = models.IntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"browser {self.pk} of {self.user.username}"
