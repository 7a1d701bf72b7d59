from django.urls import path

from . import page_stream, views

app_name = "delivery"
urlpatterns = [
    path("live/stream", page_stream.page_stream, name="page_stream"),
    path("account/webhooks", views.webhook_new, name="webhook_new"),
    path("account/webhooks/<int:endpoint_id>", views.webhook_detail, name="webhook"),
    path("account/webhooks/<int:endpoint_id>/delete", views.webhook_delete, name="webhook_delete"),
    path("account/webhooks/<int:endpoint_id>/replay", views.webhook_replay, name="webhook_replay"),
    path("account/alerts", views.alerts, name="alerts"),
    path("icc/items/<int:seq>/chase", views.chase, name="chase"),
]
