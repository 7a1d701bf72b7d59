"""The node's URL map (ROOT_URLCONF when HCOC_NODE is on: `hcoc node` sets it): its pages and
the read API in the exchange's shapes, so that `hcoc verify --url NODE` checks the node's copy."""

from django.urls import include, path

from hcoc.accounts.views import language_view

from . import views

pages = [
    path("", views.inbox, name="inbox"),
    path("items/<int:seq>", views.item, name="item"),
    path("items/<int:seq>/acknowledge", views.acknowledge, name="acknowledge"),
    path("declarations/", views.declarations, name="declarations"),
    path("declarations/<str:state>/<int:year>", views.declaration, name="declaration"),
    path("log/", views.log_page, name="log"),
    # The language switch at the foot of every page: the exchange's own (a cookie; the node
    # has no login, so nothing is stored on a user), read by LanguageMiddleware.
    path("language", language_view, name="language"),
    path("api/v1/node", views.api_node, name="api_node"),
    path("api/v1/feed", views.api_feed, name="api_feed"),
    path("api/v1/items/<int:seq>", views.api_item, name="api_item"),
    path("api/v1/acknowledgements", views.api_acknowledge, name="api_acknowledge"),
    path("api/v1/log/keys", views.api_keys, name="api_keys"),
    path("api/v1/log/checkpoints", views.api_checkpoints, name="api_checkpoints"),
    path("api/v1/log/checkpoint", views.api_checkpoint, name="api_checkpoint"),
    path("api/v1/log/entries", views.api_entries, name="api_entries"),
    path("api/v1/log/findings", views.api_findings, name="api_findings"),
]

# The node's own root URL map: its names under the `node` namespace, as the templates reverse them.
urlpatterns = [path("", include((pages, "node")))]

# As on the exchange: an unknown address under /api/ answers problem details, elsewhere a page.
handler404 = "hcoc.ui.http.not_found"
handler500 = "hcoc.ui.http.server_error"
