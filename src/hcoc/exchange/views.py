"""The exchange's pages: a state's inbox and its acknowledgements (only of items a page has
shown, confirmed when more than one); for the ICC, the recent items with how many states have
acknowledged each, and who has and has not acknowledged an item (with a CSV of it)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from hcoc.accounts.views import safe_next
from hcoc.lib.errors import DomainError
from hcoc.lib.numbers import positive_int
from hcoc.states.selectors import contacts_of_for, state_list
from hcoc.ui.csvfile import CsvDownload
from hcoc.ui.pages import exchange_page, icc_page, refusing

from .forms import InboxFilterForm
from .selectors import (
    acknowledgeable_by,
    acknowledgement_report_for,
    feed_recent_for,
    inbox_recent_for,
)
from .services import acknowledgements_record
from .shown import shown_seqs

INBOX_PAGE_SIZE = 50


@exchange_page
def inbox(request):
    if request.user.state_id is None:
        # The ICC is no state and acknowledges nothing: its page is who has acknowledged what.
        return redirect("exchange:icc_items")
    form = InboxFilterForm(request.GET, states=sorted(state_list(), key=lambda s: s["name"]))
    before_text = request.GET.get("before") or None
    before = positive_int(before_text)
    problems = []
    if not form.is_valid():
        problems = form.problems()
    if before_text is not None and before is None:
        problems.append(_("Older items: “%(v)s” is not an item number.") % {"v": before_text})
    if problems:
        return render(
            request, "exchange/inbox.html", {"form": form, "problems": problems}, status=400
        )
    page = inbox_recent_for(
        actor=request.user, before=before, limit=INBOX_PAGE_SIZE, **form.selector_args()
    )
    query = request.GET.copy()
    query.pop("before", None)
    return render(
        request,
        "exchange/inbox.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "filtered": any(v for k, v in request.GET.items() if k != "before"),
            "open_seqs": [i["seq"] for i in page["items"] if not i["acknowledged_at"]],
        },
    )


MAX_ASKED = 500  # the seqs one request may name (a page shows INBOX_PAGE_SIZE)


def _seqs_asked(request) -> tuple[list[int], list[str]]:
    """The seqs the form asks to acknowledge (ticked `seqs`; or `all=shown`: every item whose
    row the form shows, by its shown marks, including rows the live stream added after the page
    was made; or `all` listing seqs, as older pages sent it), and the problems with them."""
    texts = request.POST.getlist("seqs")
    if request.POST.get("all") == "shown":
        marks = request.POST.getlist("shown")
        if len(marks) > MAX_ASKED:
            texts = marks  # refused below, as too many
        else:
            # Newest first, as the inbox lists them (and the confirmation repeats them).
            texts = [str(s) for s in sorted(shown_seqs(request.user.state_id, marks), reverse=True)]
    elif request.POST.get("all"):
        texts = request.POST["all"].split(",")
    if len(texts) > MAX_ASKED:  # a page lists at most one page of items: no page asks for more
        return [], [
            _("Items to acknowledge: at most %(n)d at once; %(m)d were sent.")
            % {"n": MAX_ASKED, "m": len(texts)}
        ]
    seqs, problems = [], []
    for text in texts:
        seq = positive_int(text.strip())
        if seq is None:
            problems.append(
                _("Items to acknowledge: “%(v)s” is not an item number.") % {"v": text[:40]}
            )
        else:
            seqs.append(seq)
    return list(dict.fromkeys(seqs)), problems


@require_POST
@exchange_page
def acknowledge(request):
    """Acknowledge exactly the items asked for, each of which the page showed (its signed
    `shown` mark, hcoc.exchange.shown) and the state may acknowledge; more than one only after
    the confirmation page. Any problem refuses the whole request: nothing is stored. Then back
    to the page named in `next`, if it is one of this site's."""
    back = safe_next(request, request.POST.get("next"), reverse("exchange:inbox"))
    if request.user.state_id is None:
        messages.error(request, _("The ICC is not a state: it acknowledges nothing."))
        return redirect(back)
    seqs, problems = _seqs_asked(request)
    if not seqs and not problems:
        problems.append(_("Tick at least one item to acknowledge."))
    shown = shown_seqs(request.user.state_id, request.POST.getlist("shown"))
    unseen = [s for s in seqs if s not in shown]
    if unseen:
        problems.append(
            ngettext(
                "Item %(seqs)s was not shown to you on this page: a page acknowledges only "
                "the items it has shown.",
                "Items %(seqs)s were not shown to you on this page: a page acknowledges only "
                "the items it has shown.",
                len(unseen),
            )
            % {"seqs": ", ".join(f"#{s}" for s in unseen)}
        )
    seen = [s for s in seqs if s in shown]
    items = acknowledgeable_by(actor=request.user, seqs=seen) if seen else {}
    refused_seqs = [s for s in seqs if s not in items and s not in unseen]
    if refused_seqs:
        problems.append(
            ngettext(
                "Your state cannot acknowledge item %(seqs)s: there is no such item of "
                "another state.",
                "Your state cannot acknowledge items %(seqs)s: there are no such items of "
                "other states.",
                len(refused_seqs),
            )
            % {"seqs": ", ".join(f"#{s}" for s in refused_seqs)}
        )
    if problems:
        for p in problems:
            messages.error(request, p)
        messages.error(request, _("Nothing was acknowledged."))
        return redirect(back)
    if len(seqs) > 1 and request.POST.get("confirm") != "yes":
        return render(
            request,
            "exchange/acknowledge_confirm.html",
            {"items": [items[s] for s in seqs], "back": back},
        )
    try:
        result = acknowledgements_record(actor=request.user, seqs=seqs)
    except DomainError as e:
        messages.error(request, e.detail)
        return redirect(back)
    n, again = result["acknowledged"], len(seqs) - result["acknowledged"]
    message = ngettext("%(n)d item acknowledged.", "%(n)d items acknowledged.", n) % {"n": n}
    if again:
        message += " " + ngettext(
            "%(n)d was already acknowledged.", "%(n)d were already acknowledged.", again
        ) % {"n": again}
    messages.info(request, message)
    return redirect(back)


@icc_page
def icc_items(request):
    """The ICC's acknowledgements: the recent items, each with how many of the states expected
    to acknowledge it have done so, each linking to its acknowledgement page."""
    before_text = request.GET.get("before") or None
    before = positive_int(before_text)
    if before_text is not None and before is None:
        messages.error(
            request, _("Older items: “%(v)s” is not an item number.") % {"v": before_text[:40]}
        )
        return redirect("exchange:icc_items")
    recent = feed_recent_for(actor=request.user, before=before, limit=INBOX_PAGE_SIZE)
    return render(request, "exchange/icc_items.html", {"recent": recent})


@icc_page
@refusing
def item_status(request, seq: int):
    status = acknowledgement_report_for(actor=request.user, seq=seq)
    contacts = contacts_of_for(actor=request.user, states=status["not_acknowledged"])
    return render(request, "exchange/icc_item.html", {"status": status, "contacts": contacts})


CSV_COLUMNS = ("seq", "reference", "kind", "state", "state_name", "acknowledged", "at")


@exchange_page
@refusing
def acknowledgements_csv(request, seq: int):
    """Who has and has not acknowledged item `seq`, one row per state expected to: for every
    reader of the exchange, as `GET /api/v1/acknowledgements?seq=` is."""
    status = acknowledgement_report_for(actor=request.user, seq=seq)
    item = status["item"]
    download = CsvDownload(f"acknowledgements-{seq}.csv", CSV_COLUMNS)
    rows = [(a["state"], a["name"], "yes", a["at"]) for a in status["acknowledged_named"]]
    rows += [(m["state"], m["name"], "no", "") for m in status["not_acknowledged_named"]]
    for state, name, done, at in sorted(rows, key=lambda r: r[1]):
        download.row((seq, item["subject"], item["kind"], state, name, done, at))
    return download.response
