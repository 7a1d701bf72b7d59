"""/log: the transparency log for people: the current checkpoint, who cosigned, the keys, the
latest entries, and how to check all of it independently."""

from django.shortcuts import render

from hcoc.web.access import exchange_page

from . import selectors


@exchange_page
def log(request):
    return render(request, "ledger/log.html", selectors.log_overview_for(actor=request.user))
