from django.urls import path

from . import views

app_name = "declarations"
urlpatterns = [
    path("", views.declaration_list, name="list"),
    path("new", views.declaration_new, name="new"),
    path("preview", views.declaration_preview, name="preview"),
    path("<str:state>/<int:year>", views.declaration_detail, name="detail"),
]
