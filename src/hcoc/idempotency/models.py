from django.db import models


class IdempotencyRecord(models.Model):
    """The first answer to a POST carrying `Idempotency-Key`, replayed for retries of it."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64, help_text="sha256 of method, path and body")
    status_code = models.IntegerField(null=True, blank=True, help_text="None while in progress")
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_record_per_user_and_key")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
