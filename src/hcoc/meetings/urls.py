from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new", views.meeting_create, name="create"),
    path("<int:number>", views.meeting_detail, name="detail"),
    path("<int:number>/open", views.meeting_open, name="open"),
    path("<int:number>/close", views.meeting_close, name="close"),
    path("<int:number>/agenda", views.agenda_add, name="agenda"),
    path("<int:number>/attendance", views.attendance, name="attendance"),
    path("<int:number>/proposals", views.proposal_table, name="table"),
    path("<int:number>/documents", views.document_upload, name="documents"),
    path("<int:number>/documents/<int:document_id>", views.document_download, name="document"),
    path("<int:number>/decisions", views.decision_list, name="decisions"),
    path("decisions/<str:reference>", views.decision_detail, name="decision"),
    path("proposals/<str:reference>", views.proposal_page, name="proposal"),
    path("proposals/<str:reference>/position", views.position, name="position"),
    path("proposals/<str:reference>/call", views.decision_call, name="call"),
]
