from datetime import date

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# How many states subscribe to the Hague Code of Conduct: a fact of the Code, not of our data.
# Qatar became the 145th subscribing state on 11 March 2024 (EU Non-Proliferation Consortium,
# HCoC news: https://nonproliferation.eu/hcoc/category/news-about-hcoc). The registry confirms
# fewer of them (those it holds as subscribing); the difference is what it does not yet know.
SUBSCRIBING_STATES_OF_THE_CODE = 145

# How many states subscribed to the Code on a day, as public sources say it (each cited here and
# in data/research/hcoc_states.md): ISO 8601 day, month or year, count, source. The registry
# cannot say it for a past year (it does not know when most states subscribed); a year no source
# gives a figure for is "not known" (compliance.trends), never the registry's guess.
SUBSCRIBERS_OF_THE_CODE: tuple[tuple[str, int, str], ...] = (
    # Adopted at The Hague by 93 states on 25 November 2002.
    ("2002-11-25", 93, "https://nonproliferation.eu/hcoc/category/news-about-hcoc"),
    # "In total, 102 countries subscribe to the code" (Global Security Newswire, 31 March 2003).
    ("2003-03-31", 102, "http://www.nti.org/d_newswire/issues/2003/3/31/13s.html"),
    ("2008-05", 130, "https://search.wikileaks.org/plusd/cables/08STATE63666_a.html"),
    ("2009-04", 130, "https://theworldtomorrow.wikileaks.org/plusd/cables/09STATE44996.html"),
    # "Currently, 134 States have subscribed to the Code" (Regular Meeting, 30 May 2013).
    ("2013-05-30", 134, "http://m.state.gov/md210572.htm"),
    ("2016-06-01", 138, "https://www.mofa.go.jp/press/release/press4e_001168.html"),  # India
    (
        "2017",
        139,
        "https://www.nonproliferation.eu/hcoc/lesotho-becomes-the-139th-subscribing-state-to-the-hcoc/",
    ),
    ("2020-02-19", 143, "https://nonproliferation.eu/hcoc/?p=180"),  # Somalia, the 143rd
    ("2023-08-07", 144, "https://nonproliferation.eu/hcoc/category/news-about-hcoc"),  # STP
    ("2024-03-11", 145, "https://nonproliferation.eu/hcoc/category/news-about-hcoc"),  # Qatar
)


def subscribers_of_the_code_in(year: int) -> tuple[int, str] | None:
    """(count, as of) for `year`: the last figure a source dates in that year; after the last
    figure, that figure (the Code's count since, as SUBSCRIBING_STATES_OF_THE_CODE); None for a
    year no source gives a figure for."""
    within = [(count, day) for day, count, _ in SUBSCRIBERS_OF_THE_CODE if day[:4] == str(year)]
    if within:
        return within[-1]
    last_day, last_count, _source = SUBSCRIBERS_OF_THE_CODE[-1]
    if year > int(last_day[:4]):
        return last_count, last_day
    return None


class HcocStatus(models.TextChoices):
    SUBSCRIBING = "subscribing", _("subscribing")
    NOT_SUBSCRIBING = "not_subscribing", _("not subscribing")
    UNKNOWN = "unknown", _("unknown")


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
    ADDED = "added", _("added")
    CHANGED = "changed", _("changed")
    REMOVED = "removed", _("removed")


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
