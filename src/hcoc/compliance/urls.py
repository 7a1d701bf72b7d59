from django.urls import path

from . import trends, views

app_name = "compliance"
urlpatterns = [
    path("", views.compliance_latest, name="latest"),
    path("trends", trends.trends, name="trends"),
    path("<int:year>", views.compliance_year, name="year"),
    path("<int:year>/report.<str:fmt>", views.compliance_report, name="report"),
]
