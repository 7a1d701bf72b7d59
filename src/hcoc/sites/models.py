from django.db import models
from django.utils.translation import gettext_lazy as _


class SiteKind(models.TextChoices):
    """What happens at a site: launches, impacts (a range where re-entry vehicles and stages
    come down), or both. A launch area must be a launch site (notifications' rules)."""

    LAUNCH_SITE = "launch_site", _("launch site")
    IMPACT_RANGE = "impact_range", _("impact range")
    BOTH = "both", _("launch site and impact range")

    @classmethod
    def launching(cls) -> list[str]:
        return [cls.LAUNCH_SITE, cls.BOTH]


class LaunchSite(models.Model):
    """A launch site of the exchange's catalogue (data/launch_sites.csv)."""

    id = models.CharField(max_length=60, primary_key=True)
    name = models.CharField(max_length=200)
    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="launch_sites")
    territory = models.CharField(max_length=3, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    kinds = models.CharField(max_length=20, help_text="BM, SLV or both, space-separated")
    site_kind = models.CharField(
        max_length=20, choices=SiteKind.choices, default=SiteKind.LAUNCH_SITE
    )
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.id

    @property
    def kind_list(self) -> list[str]:
        return self.kinds.split()
