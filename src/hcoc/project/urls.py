from django.urls import path

from . import views

app_name = "project"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("icc/", views.console, name="icc"),
]
