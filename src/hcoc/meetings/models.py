"""Regular Meetings of the subscribing states: agenda, documents, attendance, proposals,
positions and the decisions taken by consensus (or by silence procedure between meetings).

Invariants: a Decision is written once, by `decision_call`/`silence_procedures_conclude`, and
never changes; its `record` holds the read model (outcome, roster present, every position) as it
was at the call. Position rows are only ever added: the last one of a state counts.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class Meeting(models.Model):
    number = models.PositiveIntegerField(unique=True)
    opens_on = models.DateField()
    closes_on = models.DateField()
    place = models.CharField(max_length=200)
    chair_state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"RM{self.number}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="agenda")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=500)
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["meeting_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="one_agenda_number")
        ]

    def __str__(self) -> str:
        return f"{self.meeting.reference} item {self.number}"


class Document(models.Model):
    """A meeting document. Stored as bytes, never executed, served only as an attachment."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="documents")
    name = models.CharField(max_length=200, help_text="Original name, sanitised.")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["meeting_id", "id"]

    def __str__(self) -> str:
        return self.name


class Attendance(models.Model):
    """One interval of a delegation in the room: from check-in to check-out (null: still in).

    Invariant (checked in the database): at most one open interval per state and meeting.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+")
    checked_in_at = models.DateTimeField()
    checked_in_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    checked_out_at = models.DateTimeField(null=True, blank=True)
    checked_out_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["meeting_id", "checked_in_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "state"],
                condition=models.Q(checked_out_at__isnull=True),
                name="one_open_attendance_per_state",
            )
        ]

    def __str__(self) -> str:
        return f"{self.state_id} at {self.meeting_id}"


class Procedure(models.TextChoices):
    CONSENSUS = "consensus", _("consensus in the meeting")
    SILENCE = "silence", _("silence procedure")


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("open")
    DECIDED = "decided", _("decided")


class Proposal(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="proposals")
    number = models.PositiveIntegerField()
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    procedure = models.CharField(max_length=10, choices=Procedure.choices)
    deadline = models.DateTimeField(null=True, blank=True, help_text="Silence procedure only.")
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    tabled_at = models.DateTimeField()
    tabled_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    seq = models.BigIntegerField(null=True, blank=True, help_text="Circulation's feed event.")

    class Meta:
        ordering = ["meeting_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="one_proposal_number"),
            models.CheckConstraint(
                name="silence_procedure_has_a_deadline",
                condition=models.Q(procedure="consensus", deadline__isnull=True)
                | models.Q(procedure="silence", deadline__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"RM{self.meeting.number}-P{self.number}"


class PositionKind(models.TextChoices):
    SUPPORT = "support", _("support")
    NO_OBJECTION = "no_objection", _("no objection")
    ABSTAIN = "abstain", _("abstain")
    OBJECT = "object", _("object")


class Position(models.Model):
    """A state's position on a proposal at one moment; later rows supersede earlier ones."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="positions")
    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+")
    position = models.CharField(max_length=20, choices=PositionKind.choices)
    reason = models.TextField(blank=True)
    at = models.DateTimeField()
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["proposal_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.state_id} {self.position} on {self.proposal_id}"


class DecisionOutcome(models.TextChoices):
    ADOPTED = "adopted", _("adopted")
    NOT_ADOPTED = "not_adopted", _("not adopted")


class Decision(models.Model):
    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="decision")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    number = models.PositiveIntegerField()
    outcome = models.CharField(max_length=20, choices=DecisionOutcome.choices)
    called_at = models.DateTimeField()
    called_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Null when the silence procedure was concluded by `hcoc meetings conclude`.",
    )
    record = models.TextField(help_text="The decision's read model, RFC 8785 canonical JSON")
    seq = models.BigIntegerField()

    class Meta:
        ordering = ["meeting_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="one_decision_number")
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"RM{self.meeting.number}-D{self.number}"
