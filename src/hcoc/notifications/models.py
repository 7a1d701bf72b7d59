from django.db import models
from django.utils.translation import gettext_lazy as _

from hcoc.lib.vocabulary import GENERIC_CLASSES  # noqa: F401  (re-exported for apps)


class Category(models.TextChoices):
    BM = "BM", _("ballistic missile")
    SLV = "SLV", _("space launch vehicle")


class StoredStatus(models.TextChoices):
    """What is stored. The published status adds `unreported`, derived from the clock
    (a `notified` notification whose window has closed), so it can never be stale."""

    NOTIFIED = "notified"
    CANCELLED = "cancelled"
    LAUNCHED = "launched"


class Status(models.TextChoices):
    NOTIFIED = "notified"
    CANCELLED = "cancelled"
    LAUNCHED = "launched"
    UNREPORTED = "unreported"


class LaunchOutcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    PARTIAL = "partial", _("Partial")
    UNKNOWN = "unknown", _("Unknown")


class UnnotifiedReason(models.TextChoices):
    WARTIME = "wartime"
    OMISSION = "omission"
    OTHER = "other"


class Notification(models.Model):
    """A pre-launch notification (or an after-the-fact report of an unnotified launch).

    The content of each version lives in NotificationVersion; the columns here are the current
    state, denormalised for filtering. Reference `<ISO3>-<YYYY>-<NNNN>` is unique for ever.
    """

    reference = models.CharField(max_length=20, unique=True)
    state = models.ForeignKey(
        "states.State", on_delete=models.PROTECT, related_name="notifications"
    )
    ref_year = models.IntegerField()
    ref_number = models.IntegerField()
    prior_notice = models.BooleanField(default=True)
    imported = models.BooleanField(default=False)
    import_source = models.TextField(blank=True)
    first_submitted_at = models.DateTimeField()
    current_version = models.IntegerField(default=1)
    stored_status = models.CharField(max_length=20, choices=StoredStatus.choices)

    category = models.CharField(max_length=3, choices=Category.choices)
    generic_class = models.CharField(max_length=20)
    window_opens = models.DateTimeField(null=True, blank=True)
    window_closes = models.DateTimeField(null=True, blank=True)

    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)

    launched_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=LaunchOutcome.choices, blank=True)
    outside_window = models.BooleanField(null=True, blank=True)
    launch_remarks = models.TextField(blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    report_entered_by_icc = models.BooleanField(default=False)
    unnotified_reason = models.CharField(
        max_length=10, choices=UnnotifiedReason.choices, blank=True
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["state", "ref_year", "ref_number"],
                name="one_reference_number_per_state_year",
            )
        ]
        indexes = [
            models.Index(fields=["state", "ref_year"]),
            models.Index(fields=["window_opens"]),
            models.Index(fields=["stored_status", "window_closes"]),
            models.Index(fields=["state", "launched_at"]),
        ]

    def __str__(self) -> str:
        return self.reference


class NotificationVersion(models.Model):
    notification = models.ForeignKey(
        Notification, on_delete=models.PROTECT, related_name="versions"
    )
    version = models.IntegerField()
    content = models.TextField(help_text="The PLN body of this version, RFC 8785 canonical JSON")
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    entered_by_icc = models.BooleanField(default=False)
    seq = models.BigIntegerField(help_text="Exchange sequence number of this version's event")
    # Beside `content`, not in it: `content` stays the published PLN body it has always been, and
    # a version without these has the read model (and feed payload) it had before they existed.
    national_reference = models.CharField(
        max_length=100, blank=True, help_text="The state's own note number for this version"
    )
    reason = models.TextField(blank=True, help_text="Why this version amends the one before")
    # Derived from `content` and the shipped boundary data when the version is written
    # (notifications.geography.version_geometry), never on page view. Null only for a version
    # written before geography existed and not yet recomputed (`hcoc geo recompute`).
    geometry = models.JSONField(
        null=True,
        blank=True,
        help_text="launch_area, corridor, impact_areas (GeoJSON), affected_states, flags",
    )

    class Meta:
        ordering = ["notification_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "version"], name="one_row_per_version")
        ]
        # Maps and exports find a read model's stored shapes by its `seq`.
        indexes = [models.Index(fields=["seq"])]

    def __str__(self) -> str:
        return f"{self.notification_id} v{self.version}"


class NotificationDraft(models.Model):
    """A PLN being prepared in the web form. Visible to its own state only; never published,
    never in the feed: submitting it goes through notification_submit like any other PLN."""

    # The owner: a state's drafts are its own; the ICC's (state None) are the ICC's.
    state = models.ForeignKey(
        "states.State", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    amends = models.CharField(
        max_length=20, blank=True, help_text="Reference, for a draft amendment"
    )
    data = models.JSONField(default=dict, help_text="The form's fields as entered")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"draft {self.pk} of {self.state_id}"


class CalendarLink(models.Model):
    """A user's secret calendar URL (/notifications/calendar/<secret>.ics): launch windows in
    any calendar program, which cannot log in. Only the secret's hash is stored; it is shown
    once, and a new one replaces it."""

    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE, related_name="+")
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"calendar of {self.user_id}"
