from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("new", views.new, name="new"),
    path("validate", views.validate_fragment, name="validate"),
    path("drafts/<int:draft_id>/delete", views.draft_remove, name="draft_delete"),
    path("calendar", views.calendar_page, name="calendar"),
    path("calendar/<str:secret>.ics", views.calendar_feed, name="calendar_feed"),
    path("<str:reference>", views.detail, name="detail"),
    path("<str:reference>/amend", views.amend, name="amend"),
    path("<str:reference>/geojson", views.detail_geojson, name="geojson"),
    path("<str:reference>/kml", views.detail_kml, name="kml"),
    path("<str:reference>/pdf", views.detail_pdf, name="pdf"),
    path("<str:reference>/cancel", views.cancel, name="cancel"),
    path("<str:reference>/report", views.report, name="report"),
]
