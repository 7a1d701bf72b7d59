from django.urls import path

from . import views

app_name = "observers"
urlpatterns = [
    path("", views.invitation_list, name="list"),
    path("new", views.invitation_new, name="new"),
    path("<str:reference>", views.invitation_detail, name="detail"),
    path("<str:reference>/reply", views.invitation_reply_page, name="reply"),
    path("<str:reference>/confirm", views.invitation_confirm_page, name="confirm"),
    path("<str:reference>/withdraw", views.invitation_withdraw_page, name="withdraw"),
]
