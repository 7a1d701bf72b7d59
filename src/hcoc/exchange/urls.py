from django.urls import path

from . import views

app_name = "exchange"
urlpatterns = [
    path("inbox", views.inbox, name="inbox"),
    path("inbox/acknowledge", views.acknowledge, name="acknowledge"),
    path("icc/items", views.icc_items, name="icc_items"),
    path("icc/items/<int:seq>", views.item_status, name="icc_item"),
    path(
        "items/<int:seq>/acknowledgements.csv",
        views.acknowledgements_csv,
        name="acknowledgements_csv",
    ),
]
