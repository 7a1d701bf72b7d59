from django.contrib import admin
from django.urls import include, path

from hcoc.api import api

urlpatterns = [
    path("", include("hcoc.web.urls")),
    path("notifications/", include("hcoc.notifications.urls")),
    path("declarations/", include("hcoc.declarations.urls")),
    path("compliance/", include("hcoc.compliance.urls")),
    path("log/", include("hcoc.ledger.urls")),
    path("invitations/", include("hcoc.observers.urls")),
    path("meetings/", include("hcoc.meetings.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

handler404 = "hcoc.ui.http.not_found"
handler500 = "hcoc.ui.http.server_error"
