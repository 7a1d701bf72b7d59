from datetime import date

from django.db import models
from django.utils import timezone

# How many states subscribe to the Hague Code of Conduct: a fact of the Code, not of our data.
# Qatar became the 145th subscribing state on 11 March 2024 (EU Non-Proliferation Consortium,
# HCoC news: https://nonproliferation.eu/hcoc/category/news-about-hcoc). The registry confirms
# fewer of them (those it holds as subscribing); the difference is what it does not yet know.
SUBSCRIBING_STATES_OF_THE_CODE = 145


class HcocStatus(models.TextChoices):
    SUBSCRIBING = "subscribing", "subscribing"
    NOT_SUBSCRIBING = "not_subscribing", "not subscribing"
    UNKNOWN = "unknown", "unknown"


class DatePrecision(models.TextChoices):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class State(models.Model):
    """A state the registry knows (every UN member, and a few others), with its HCoC standing."""

    iso3 = models.CharField(max_length=3, primary_key=True)
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=HcocStatus.choices, default=HcocStatus.UNKNOWN)
    # Sources sometimes give only a year ("2020"): the date is then the first day of that period
    # and the precision says so; the published value is "2020", never a guessed day.
    subscribed_on = models.DateField(null=True, blank=True)
    subscribed_on_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    # None: no source confirms either way. Never guessed.
    founding = models.BooleanField(null=True, blank=True)
    source = models.TextField(blank=True, help_text="Where the status comes from (URLs, notes).")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["iso3"]

    def __str__(self) -> str:
        return f"{self.iso3} {self.name}"

    def is_subscribing_on(self, day) -> bool:
        """May the state use the exchange on `day`? A subscribing state whose subscription date
        the registry does not know gets the benefit of the doubt (it subscribes now). This is an
        access rule; what a state owed in a past year is `known_subscribed_in`."""
        return self.status == HcocStatus.SUBSCRIBING and (
            self.subscribed_on is None or self.subscribed_on <= day
        )

    def known_subscribed_in(self, year: int, today: date | None = None) -> bool:
        """Is the state known to have subscribed at some time in `year` (by 31 December)? With
        a known subscription date, by that date; without one, only for this year (UTC) and
        later, as it subscribes now: a subscribing state without a date is not known to have
        owed anything for a past year (its compliance standing is `unknown`, never `missing`)."""
        if self.status != HcocStatus.SUBSCRIBING:
            return False
        if self.subscribed_on is None:
            return year >= (today or timezone.now().date()).year
        return self.subscribed_on <= date(year, 12, 31)

    @property
    def subscribed_on_text(self) -> str | None:
        if self.subscribed_on is None:
            return None
        cut = {DatePrecision.YEAR: 4, DatePrecision.MONTH: 7}.get(self.subscribed_on_precision, 10)
        return self.subscribed_on.isoformat()[:cut]

    @property
    def is_subscribing_now(self) -> bool:
        return self.is_subscribing_on(timezone.now().date())


class Subscription(models.Model):
    """A subscription the ICC recorded from a state's diplomatic note."""

    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="subscriptions")
    note_reference = models.CharField(max_length=200)
    note_received_on = models.DateField()
    effective_on = models.DateField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    seq = models.BigIntegerField(null=True, blank=True, help_text="Feed event of this news.")

    class Meta:
        ordering = ["effective_on", "id"]

    def __str__(self) -> str:
        return f"{self.state_id} from {self.effective_on} ({self.note_reference})"


class PointOfContact(models.Model):
    """A state's national point of contact; shown to subscribing states only."""

    state = models.ForeignKey(State, on_delete=models.CASCADE, related_name="points_of_contact")
    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.state_id})"


class ContactChangeKind(models.TextChoices):
    ADDED = "added", "added"
    CHANGED = "changed", "changed"
    REMOVED = "removed", "removed"


class PointOfContactChange(models.Model):
    """The audit trail of a state's points of contact: who added, changed or removed one, when,
    and what it was before and after. Contacts are not feed items (docs/formats.md): this is their
    record, written in the same transaction as the change (hcoc.registry.services)."""

    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+")
    # The contact's id; it outlives the contact, which a removal deletes.
    contact_id = models.BigIntegerField()
    kind = models.CharField(max_length=10, choices=ContactChangeKind.choices)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    entered_by_icc = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.state_id} contact {self.contact_id} {self.kind} at {self.at:%Y-%m-%dT%H:%MZ}"


class Circular(models.Model):
    """A circular of the ICC to every subscribing state (registry news), announced in the feed."""

    reference = models.CharField(max_length=30, unique=True)
    title = models.CharField(max_length=200)
    text = models.TextField()
    published_at = models.DateTimeField()
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    seq = models.BigIntegerField()

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"
