from django.contrib import admin
from django.urls import path

from hcoc import views
from hcoc.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

handler404 = "hcoc.views.not_found"
handler500 = "hcoc.views.server_error"
