from django.urls import path

from . import views

app_name = "ledger"
urlpatterns = [
    path("", views.log, name="log"),
    path("keys", views.keys, name="keys"),
    path("signing", views.signing, name="signing"),
]
