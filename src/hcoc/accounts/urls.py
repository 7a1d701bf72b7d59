from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("account", views.account, name="account"),
    path("account/tokens", views.token_new, name="token_new"),
    path("account/tokens/<int:token_id>/revoke", views.token_revoke_view, name="token_revoke"),
    path("account/two-factor", views.two_factor, name="two_factor"),
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("language", views.language_view, name="language"),
    path("accounts/enrol/<str:token>", views.enrol, name="enrol"),
]
