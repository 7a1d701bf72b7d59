"""A template context processor (registered in settings, the composition root): the address of
the pages' live stream, so that pages of lower apps can open it without naming this app. A
page without it (`live_stream` empty) simply does not update live."""

from django.urls import reverse


def live_stream(request) -> dict:
    return {"live_stream": reverse("delivery:page_stream")}
