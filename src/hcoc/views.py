"""The home page: what this is, and where to go (the web pages for people come with issue 3)."""

from django.db.models import Count
from django.shortcuts import render

from hcoc.states.models import State


def home(request):
    counts = dict(State.objects.values_list("status").annotate(n=Count("iso3")))
    return render(request, "home.html", {"counts": counts})
