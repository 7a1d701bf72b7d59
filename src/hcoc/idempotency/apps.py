from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "hcoc.idempotency"
    label = "idempotency"
