from django.urls import path

from . import pages

app_name = "delivery"
urlpatterns = [
    path("live/stream", pages.page_stream, name="page_stream"),
]
