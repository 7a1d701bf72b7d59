from django.db import models
from django.utils.translation import gettext_lazy as _


class Declaration(models.Model):
    """A state's annual declaration for one calendar year; its versions are kept."""

    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="declarations")
    year = models.IntegerField()
    current_version = models.IntegerField(default=1)
    first_submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["year", "state_id"]
        constraints = [
            models.UniqueConstraint(fields=["state", "year"], name="one_declaration_per_state_year")
        ]

    def __str__(self) -> str:
        return f"{self.state_id}/{self.year}"


class DeclarationVersion(models.Model):
    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT, related_name="versions")
    version = models.IntegerField()
    content = models.TextField(help_text="The AD body of this version, RFC 8785 canonical JSON")
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    entered_by_icc = models.BooleanField(default=False)
    seq = models.BigIntegerField()

    class Meta:
        ordering = ["declaration_id", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "version"], name="one_row_per_declaration_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.declaration_id} v{self.version}"


class DeclarationDeadline(models.Model):
    """The due date the ICC set for declarations covering `year` (a declaration after it is late)."""

    year = models.IntegerField(unique=True)
    due_on = models.DateField()

    def __str__(self) -> str:
        return f"{self.year}: due {self.due_on}"


class DeadlineExtension(models.Model):
    """The ICC extended the due date of one state's declaration for one year, with a reason."""

    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+")
    year = models.IntegerField()
    due_on = models.DateField()
    reason = models.TextField()
    granted_at = models.DateTimeField()
    granted_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["state", "year"], name="one_extension_per_state_year")
        ]

    def __str__(self) -> str:
        return f"{self.state_id}/{self.year}: due {self.due_on}"


class ReminderKind(models.TextChoices):
    DUE_IN_30_DAYS = "due_30", _("due in 30 days")
    DUE_IN_7_DAYS = "due_7", _("due in 7 days")
    PAST_DUE = "past_due", _("past due (to the ICC)")


class Reminder(models.Model):
    """A reminder sent (or due, with no one to send it to) about a missing declaration.

    Invariant: at most one per (state, year, kind, due date): a reminder is never sent twice for
    the same reason; an extension (a new due date) is a new reason.
    """

    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+")
    year = models.IntegerField()
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    due_on = models.DateField()
    sent_at = models.DateTimeField()
    recipients = models.TextField(
        blank=True, help_text="Comma-separated; empty: nobody to write to"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["state", "year", "kind", "due_on"], name="one_reminder_per_reason"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.state_id}/{self.year} (due {self.due_on})"
