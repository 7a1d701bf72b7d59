from django.contrib import admin
from django.urls import include, path

from hcoc.api import api
from hcoc.ui.http import favicon

# Several apps' pages hang from the site's root (each urls.py names its full paths): the
# dashboard and the console's front page, the inbox, the registry, the account pages, and the
# ICC's pages of each app under /icc/.
urlpatterns = [
    # The API first: the resolver tries patterns in order, and an API request (most of the
    # server's requests) went through the pages' 173 patterns before reaching it (issue 24: a
    # seventh of the smallest read's CPU). No page pattern matches a path under /api/v1/.
    path("api/v1/", api.urls),
    path("", include("hcoc.project.urls")),
    path("", include("hcoc.exchange.urls")),
    path("", include("hcoc.registry.urls")),
    path("", include("hcoc.accounts.urls")),
    path("", include("hcoc.declarations.urls")),
    path("", include("hcoc.delivery.urls")),
    path("notifications/", include("hcoc.notifications.urls")),
    path("compliance/", include("hcoc.compliance.urls")),
    path("log/", include("hcoc.ledger.urls")),
    path("invitations/", include("hcoc.observers.urls")),
    path("meetings/", include("hcoc.meetings.urls")),
    path("admin/", admin.site.urls),
    path("favicon.ico", favicon),
]

handler404 = "hcoc.ui.http.not_found"
handler500 = "hcoc.ui.http.server_error"
