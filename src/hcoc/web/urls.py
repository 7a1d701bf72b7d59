from django.urls import path

from . import auth_views, icc, views

app_name = "web"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("inbox", views.inbox, name="inbox"),
    path("inbox/acknowledge", views.acknowledge, name="acknowledge"),
    path("registry", views.registry, name="registry"),
    path("account", views.account, name="account"),
    path("account/tokens", views.token_new, name="token_new"),
    path("account/tokens/<int:token_id>/revoke", views.token_revoke_view, name="token_revoke"),
    path("account/two-factor", auth_views.two_factor, name="two_factor"),
    path("accounts/login/", auth_views.login_view, name="login"),
    path("accounts/logout/", auth_views.logout_view, name="logout"),
    path("icc/", icc.console, name="icc"),
]
