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
    path("accounts/enrol/<str:token>", auth_views.enrol, name="enrol"),
    path("icc/", icc.console, name="icc"),
    path("icc/subscriptions", icc.subscription_new, name="icc_subscription"),
    path("icc/deadlines", icc.deadlines, name="icc_deadlines"),
    path("icc/circulars", icc.circular_new, name="icc_circular"),
    path("icc/items/<int:seq>", icc.item_status, name="icc_item"),
    path("icc/users", icc.users, name="icc_users"),
    path("icc/users/<int:user_id>/tokens", icc.user_tokens, name="icc_user_tokens"),
    path("icc/users/<int:user_id>/enrolment", icc.user_enrol, name="icc_user_enrol"),
    path("icc/tokens/<int:token_id>/revoke", icc.token_revoke, name="icc_token_revoke"),
]
