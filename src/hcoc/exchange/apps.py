from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "hcoc.exchange"
    label = "exchange"
