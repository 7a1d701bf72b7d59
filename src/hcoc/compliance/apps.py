from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "hcoc.compliance"
    label = "compliance"
