from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    NOTIFICATION_SUBMITTED = "notification.submitted", _("notification submitted")
    NOTIFICATION_AMENDED = "notification.amended", _("notification amended")
    NOTIFICATION_CANCELLED = "notification.cancelled", _("notification cancelled")
    NOTIFICATION_LAUNCH_REPORTED = "notification.launch_reported", _("notification launch reported")
    NOTIFICATION_IMPORTED = "notification.imported", _("notification imported")
    LAUNCH_UNNOTIFIED = "launch.unnotified", _("launch unnotified")
    DECLARATION_SUBMITTED = "declaration.submitted", _("declaration submitted")
    REGISTRY_SUBSCRIBED = "registry.subscribed", _("registry subscribed")
    REGISTRY_CIRCULAR = "registry.circular", _("registry circular")
    MEETING_DECISION = "meeting.decision", _("meeting decision")
    MEETING_PROPOSAL_CIRCULATED = "meeting.proposal_circulated", _("meeting proposal circulated")
    INVITATION_ISSUED = "invitation.issued", _("invitation issued")


class Event(models.Model):
    """One item of the exchange sequence. Immutable once written.

    Invariants: `seq` values are 1, 2, 3, ... with no gap (allocated under a lock in the writing
    transaction, see services.event_transaction); `payload` holds the RFC 8785 canonical JSON of the
    read model as it was at the event, so its bytes can later be hashed and signed; `item` holds
    the RFC 8785 canonical JSON of the whole feed item (selectors.event_as_item: seq, kind, at,
    state, subject, version, payload), written once with the event and embedded as it is in the
    event's log leaf, so /feed and /inbox serve a page as these texts joined, parsing nothing.
    """

    seq = models.BigIntegerField(primary_key=True)
    kind = models.CharField(max_length=50, choices=EventKind.choices)
    at = models.DateTimeField()
    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(
        max_length=100, help_text="Reference of the thing the event is about."
    )
    version = models.IntegerField(null=True, blank=True)
    payload = models.TextField(help_text="RFC 8785 canonical JSON")
    item = models.TextField(
        help_text="The feed item as RFC 8785 canonical JSON, as /feed serves it and the log "
        "leaf embeds it"
    )
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["subject", "seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind} {self.subject}"


class Acknowledgement(models.Model):
    """A state's confirmation that it received one event: by which of its users, and when."""

    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="acknowledgements")
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["state", "event"], name="one_ack_per_state_and_event")
        ]
        indexes = [models.Index(fields=["event", "state"])]

    def __str__(self) -> str:
        return f"{self.state_id} acknowledged #{self.event_id}"
