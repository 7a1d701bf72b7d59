from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hcoc.accounts"
    label = "accounts"
