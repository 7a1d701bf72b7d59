"""What a server process loads before it takes its first request.

gunicorn lets a worker accept connections only once its application is loaded, so whatever is
loaded here is never paid for by a request. Left to the first requests, it was: every view and
the API's schemas (imported when the URLconf is first resolved) and the boundary data that a
notification's affected states are computed from (hcoc.lib.geo.states). The first notification
a fresh worker took spent several seconds on them, 7 to 15 s on a loaded machine, past the
timeouts of clients that had waited for the server to answer (issue 26's helpers saw the
suite's server tests time out on it).
"""

from django.urls import get_resolver

from hcoc.lib.geo.states import boundaries


def warm() -> None:
    get_resolver().url_patterns  # noqa: B018 (imports every view, the API and its schemas)
    boundaries()
