from django.conf import settings
from django.db import models


class ReviewUse(models.Model):
    """A review confirmed from the pages (ui.review): its nonce, claimed in the transaction
    that sent it, so the same review never sends twice. Kept only as long as a review lives."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    used_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "nonce"], name="one_use_per_review")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.nonce}"
