from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("registry", views.registry, name="registry"),
    path("icc/subscriptions", views.subscription_new, name="icc_subscription"),
    path("icc/circulars", views.circular_new, name="icc_circular"),
    path("icc/users", views.users, name="icc_users"),
    path("icc/users/<int:user_id>/tokens", views.user_tokens, name="icc_user_tokens"),
    path("icc/users/<int:user_id>/enrolment", views.user_enrol, name="icc_user_enrol"),
    path("icc/tokens/<int:token_id>/revoke", views.token_revoke, name="icc_token_revoke"),
    path("icc/contacts", views.icc_contacts, name="icc_contacts"),
    path("contacts", views.contacts, name="contacts"),
    path("contacts/<int:contact_id>", views.contact_edit, name="contact_edit"),
    path("contacts/<int:contact_id>/remove", views.contact_remove_view, name="contact_remove"),
]
