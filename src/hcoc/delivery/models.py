"""Live delivery's own records. The feed stays the source of truth and is the outbox: nothing
here copies an item; an endpoint keeps only how far it has got (`cursor`, the last seq it
acknowledged with a 2xx), and each attempt is logged."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EndpointStatus(models.TextChoices):
    ACTIVE = "active"
    DISABLED = "disabled"


class Endpoint(models.Model):
    """A state's webhook endpoint: every feed item after `cursor` is POSTed to `url`, signed with
    `secret` (Standard Webhooks), one at a time in seq order.

    Invariant: `cursor` only moves forward past an item after a 2xx answer for it (at least once,
    in order); `next_attempt_at` holds back a failing endpoint (exponential backoff, full jitter);
    `failing_since` is the first failure of the current run of failures."""

    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+")
    url = models.CharField(max_length=2000)
    # Kept to sign with: HMAC needs the secret itself (shown to the state once, at registration).
    secret = models.CharField(max_length=100)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    cursor = models.BigIntegerField(help_text="The last seq delivered (2xx).")
    high_water = models.BigIntegerField(
        default=0, help_text="The highest seq ever delivered: below it, a delivery is a replay."
    )
    status = models.CharField(
        max_length=10, choices=EndpointStatus.choices, default=EndpointStatus.ACTIVE
    )
    failures = models.IntegerField(default=0, help_text="Failed attempts in a row.")
    failing_since = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "cursor"])]

    def __str__(self) -> str:
        return f"{self.state_id} webhook {self.pk} ({self.status})"


class Attempt(models.Model):
    """One POST of one feed item to one endpoint: the delivery log."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="attempts")
    seq = models.BigIntegerField()
    webhook_id = models.CharField(max_length=60)
    at = models.DateTimeField()
    status_code = models.IntegerField(null=True, blank=True)
    latency_ms = models.IntegerField()
    error = models.CharField(max_length=500, blank=True)
    ok = models.BooleanField()
    replay = models.BooleanField(default=False)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["endpoint", "-id"])]

    def __str__(self) -> str:
        return f"#{self.seq} to webhook {self.endpoint_id}: {self.status_code or self.error}"


class AlertMode(models.TextChoices):
    IMMEDIATE = "immediate", _("at once")
    DIGEST = "digest", _("daily digest")
    NONE = "none", _("none")


class AlertPreference(models.Model):
    """How a user wants to hear of one kind of feed item by e-mail; no row: the default
    (delivery.alerts.DEFAULT_MODES)."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=50)
    mode = models.CharField(max_length=10, choices=AlertMode.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_alert_mode_per_user_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.mode}"


class Alert(models.Model):
    """An item mailed to a user, recorded before it is sent: never twice to the same person,
    whether at once or in a digest."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    seq = models.BigIntegerField()
    mode = models.CharField(max_length=10, choices=AlertMode.choices)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "seq"], name="one_alert_per_user_item")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} mailed to {self.user_id} ({self.mode})"


class MailCursor(models.Model):
    """How far the e-mail alerts have read the feed: `immediate` and `digest`. Items after it are
    still to be considered; the migration starts both at the feed's end, so an existing exchange
    never mails its history."""

    name = models.CharField(max_length=20, primary_key=True)
    seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} alerts after #{self.seq}"


class Chase(models.Model):
    """The ICC reminded a state that it has not acknowledged an item: by the button (`by` the ICC
    user) or the daily task (`by` empty). Never twice the same day for an item and a state."""

    seq = models.BigIntegerField()
    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    at = models.DateTimeField()
    by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipients = models.TextField(
        blank=True, help_text="Comma-separated; empty: nobody to write to"
    )

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(fields=["seq", "state", "day"], name="one_chase_per_day")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} chased {self.state_id} on {self.day}"
