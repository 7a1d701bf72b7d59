from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "hcoc.meetings"
    label = "meetings"
