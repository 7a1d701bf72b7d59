from django.urls import path

from . import views

app_name = "ledger"
urlpatterns = [
    path("", views.log, name="log"),
    path("keys", views.keys, name="keys"),
    path("keys/<str:key_id>/revoke", views.key_revoke, name="key_revoke"),
    path("keys/custodial", views.custodial, name="custodial"),
]
