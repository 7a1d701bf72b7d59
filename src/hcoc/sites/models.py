from django.db import models


class LaunchSite(models.Model):
    """A launch site of the exchange's catalogue (data/launch_sites.csv)."""

    id = models.CharField(max_length=60, primary_key=True)
    name = models.CharField(max_length=200)
    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="launch_sites")
    territory = models.CharField(max_length=3, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    kinds = models.CharField(max_length=20, help_text="BM, SLV or both, space-separated")
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.id

    @property
    def kind_list(self) -> list[str]:
        return self.kinds.split()
