from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "hcoc.ledger"
    label = "ledger"
    verbose_name = "Transparency log"
