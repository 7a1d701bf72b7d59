"""The ICC console (/icc/): second factor required (web.access.icc_page)."""

from django.shortcuts import render

from .access import icc_page


@icc_page
def console(request):
    return render(request, "web/icc.html", {})
