from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    ALL = "all", _("every subscribing state")
    NAMED = "named", _("named states only")


class InvitationStatus(models.TextChoices):
    OPEN = "open", _("open")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Answer(models.TextChoices):
    ACCEPT = "accept", _("accept")
    DECLINE = "decline", _("decline")


class Invitation(models.Model):
    """A state's invitation of international observers to one of its launch sites.

    Invariants: what was issued (site, dates, access, audience, addressees, places, reply_by,
    remarks) never changes, so the commitment published for a restricted invitation stays
    checkable; only `status` moves (open -> withdrawn). A "named" invitation is visible only to
    its addressees, the inviter and the ICC (hcoc.observers.access.may_see_invitation).
    """

    reference = models.CharField(max_length=30, unique=True)
    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+")
    ref_year = models.IntegerField()
    ref_number = models.IntegerField()
    site = models.ForeignKey("sites.LaunchSite", on_delete=models.PROTECT, related_name="+")
    opens = models.DateField()
    closes = models.DateField()
    access = models.TextField(help_text="The degree of access offered to observers.")
    audience = models.CharField(max_length=10, choices=Audience.choices)
    places = models.IntegerField()
    reply_by = models.DateField()
    remarks = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.OPEN
    )
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    entered_by_icc = models.BooleanField(default=False)
    salt = models.CharField(
        max_length=64, blank=True, help_text="Hex of 32 random bytes; only for named invitations."
    )
    commitment = models.CharField(max_length=80, blank=True)
    seq = models.BigIntegerField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-opens", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["state", "ref_year", "ref_number"], name="one_invitation_number"
            ),
            models.CheckConstraint(name="invitation_has_places", condition=models.Q(places__gte=1)),
        ]

    def __str__(self) -> str:
        return self.reference


class Addressee(models.Model):
    """A state a "named" invitation is addressed to."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="addressees")
    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["invitation", "state"], name="one_addressee_row")
        ]

    def __str__(self) -> str:
        return f"{self.invitation_id} -> {self.state_id}"


class Reply(models.Model):
    """A state's answer to an invitation. A changed answer is a new row; the old one is kept
    with `superseded_at` set, so the history of replies stays readable."""

    invitation = models.ForeignKey(Invitation, on_delete=models.PROTECT, related_name="replies")
    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(max_length=10, choices=Answer.choices)
    observers = models.TextField(help_text="Names of the observers, canonical JSON list")
    replied_at = models.DateTimeField()
    replied_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    entered_by_icc = models.BooleanField(default=False)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["invitation_id", "state_id", "replied_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "state"],
                condition=models.Q(superseded_at__isnull=True),
                name="one_current_reply_per_state",
            )
        ]

    def __str__(self) -> str:
        return f"{self.invitation_id}: {self.state_id} {self.answer}"


class Confirmation(models.Model):
    """The inviting state confirms a state's accepted reply: its observers take places.

    Invariant: the observers of all confirmations of an invitation never exceed its places
    (checked in services.invitation_confirm under the invitation's row lock).
    """

    invitation = models.ForeignKey(
        Invitation, on_delete=models.PROTECT, related_name="confirmations"
    )
    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+")
    reply = models.ForeignKey(Reply, on_delete=models.PROTECT, related_name="+")
    observers_count = models.IntegerField()
    confirmed_at = models.DateTimeField()
    confirmed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "state"], name="one_confirmation_per_state"
            )
        ]

    def __str__(self) -> str:
        return f"{self.invitation_id}: {self.state_id} confirmed"
