from django.urls import path

from . import views

# Included at the site's root: the ICC's page of deadlines is under /icc/ with the console's.
app_name = "declarations"
urlpatterns = [
    path("declarations/", views.declaration_list, name="list"),
    path("declarations/new", views.declaration_new, name="new"),
    path("declarations/preview", views.declaration_preview, name="preview"),
    path("declarations/<str:state>/<int:year>", views.declaration_detail, name="detail"),
    path("icc/deadlines", views.icc_deadlines, name="icc_deadlines"),
]
