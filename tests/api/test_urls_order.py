"""The API's URL patterns come first in hcoc.urls (issue 24: an API request no longer tries the
pages' patterns before its own). That order changes nothing only while no page pattern answers
a path under /api/v1/: this proves it for every API route, with and without a trailing part."""

import contextlib
import re

from django.urls import Resolver404, URLResolver, resolve
from django.urls.resolvers import RegexPattern

import hcoc.urls
from hcoc.api import api


def api_paths() -> list[str]:
    paths = ["/api/v1/", "/api/v1/nothing-here", "/api/v2/states"]
    for pattern in api.urls[0]:
        route = "/api/v1/" + re.sub(r"<[^>]+>", "FRA", str(pattern.pattern))
        paths += [route, route + "/", route + "/more"]
    return paths


def test_no_page_pattern_answers_a_path_under_the_api():
    assert hcoc.urls.urlpatterns[0].pattern.describe().startswith("'api/v1/'")
    pages = URLResolver(RegexPattern(r"^/"), hcoc.urls.urlpatterns[1:])
    answered = []
    for path in api_paths():
        with contextlib.suppress(Resolver404):
            answered.append((path, pages.resolve(path).view_name))
    assert answered == []


def test_the_pages_and_the_api_still_resolve_to_their_own_views():
    assert resolve("/api/v1/states/FRA").route.startswith("api/v1/")
    assert resolve("/api/v1/feed").route == "api/v1/feed"
    assert not resolve("/").route.startswith("api/")
