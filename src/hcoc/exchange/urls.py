from django.urls import path

from . import views

app_name = "exchange"
urlpatterns = [
    path("inbox", views.inbox, name="inbox"),
    path("inbox/acknowledge", views.acknowledge, name="acknowledge"),
    path("icc/items/<int:seq>", views.item_status, name="icc_item"),
]
