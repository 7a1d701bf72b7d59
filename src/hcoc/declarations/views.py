"""Annual-declaration pages: list, form (with a crosscheck preview), review and confirmation,
detail with versions; for the ICC, the due dates of a year's declarations and their extensions
(/icc/deadlines).

Flow without JavaScript, as the PLN form's: form -> POST "review" -> the review page (exactly
what every state will receive, its differences from the launch reports in words) -> POST
"confirm" -> the service -> the declaration's page. Nothing is stored before the confirmation.

Thin: every read goes through the selectors, every write through `declaration_submit`, and the
form's input is judged by the API's own schema (ui.forms), so the messages are the API's.
"""

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hcoc.accounts.access import may_act_as_icc
from hcoc.lib.changes import rows_with_changes
from hcoc.lib.errors import Conflict, DomainError, InvalidInput, NotFound
from hcoc.lib.numbers import positive_int
from hcoc.lib.problems import field_path
from hcoc.observers.readmodel import declaration_details
from hcoc.observers.selectors import invitations_for_declaration
from hcoc.sites.selectors import site_details
from hcoc.states.access import require_submitter
from hcoc.states.models import HcocStatus
from hcoc.states.names import name_of
from hcoc.states.selectors import state_list
from hcoc.ui.forms import form_problems, validate
from hcoc.ui.pages import exchange_page, icc_page, refusing
from hcoc.ui.review import (
    ReviewUsed,
    payload_text,
    review_read_or_back,
    review_send,
    review_token,
)

from .forms import (
    PREFIX,
    SECTION_LABEL,
    DeadlineForm,
    DeclarationForm,
    ExtensionForm,
    initial_from,
    year_choices,
)
from .review import body_hash, difference_sentences, has_differences, in_words
from .rules import foreign_sites
from .schemas import DeclarationIn
from .selectors import (
    deadlines_for,
    declaration_crosscheck_preview_for,
    declaration_get_for,
    declaration_list_for,
    declaration_page_for,
)
from .services import deadline_extend, deadline_set, declaration_content, declaration_submit

REVIEW = "declaration"  # the purpose of the review's token (ui.review)


def _subscribing_choices() -> list[tuple[str, str]]:
    return [
        (s["iso3"], f"{s['name']} ({s['iso3']})")
        for s in sorted(state_list(), key=lambda s: s["name"])
        if s["status"] == HcocStatus.SUBSCRIBING
    ]


def _behalf_choices(user) -> list[tuple[str, str]] | None:
    return _subscribing_choices() if may_act_as_icc(user) else None


def _current(user, state: str | None, year) -> dict | None:
    """The state's current declaration of that year, if any (a submission makes a new version)."""
    year = positive_int(str(year), maximum=9999)  # ?year= as typed: "²", "0" name no year
    if not state or year is None:
        return None
    try:
        return declaration_get_for(actor=user, state=state, year=year)
    except NotFound:
        return None


@exchange_page
@refusing
def declaration_list(request):
    year = request.GET.get("year", "")
    state = request.GET.get("state", "").strip().upper()[:3]
    try:
        page = declaration_list_for(
            actor=request.user,
            year=positive_int(year, maximum=9999),
            state=state or None,
            limit=50,
            cursor=request.GET.get("cursor") or None,
        )
    except InvalidInput:  # a cursor we never gave out: start again
        return redirect("declarations:list")
    next_query = None
    if page["next_cursor"]:
        next_query = urlencode({"year": year, "state": state, "cursor": page["next_cursor"]})
    return render(
        request,
        "declarations/list.html",
        {
            "page": page,
            "year": year,
            "state": state,
            "years": year_choices(),
            "states": _subscribing_choices(),
            "next_query": next_query,
        },
    )


@exchange_page
@refusing
def declaration_new(request):
    require_submitter(request.user)
    behalf = _behalf_choices(request.user)
    if request.method == "POST":
        return _post(request, behalf)
    year = request.GET.get("year") or str(timezone.now().year - 1)
    state = request.user.state_id or request.GET.get("on_behalf_of", "").upper() or None
    current = _current(request.user, state, year)
    initial, rows = initial_from(current) if current else ({"year": year}, 3)
    if behalf is not None:
        initial["on_behalf_of"] = state or ""
    form = DeclarationForm(initial=initial, behalf_choices=behalf, system_rows=rows, state=state)
    preview = {"state": state, "year": year, "rows": current["crosscheck"]} if current else None
    return _form_page(
        request,
        form,
        current=current,
        preview=preview,
        invitations=_invitations(request, state, year),
    )


def _declaring_state(request, data) -> str | None:
    """The state the form is filled in for: the user's own, or the one the ICC names."""
    return request.user.state_id or (data.get("on_behalf_of") or "").strip().upper() or None


def _bound_form(request, data, behalf) -> DeclarationForm:
    form = DeclarationForm(data, behalf_choices=behalf, state=_declaring_state(request, data))
    form.is_valid()  # the form checks nothing itself; the API's schema does (_checked)
    return form


def _checked(request, form) -> tuple[DeclarationIn | None, dict | None, dict]:
    """(the body as the API takes it, its crosscheck preview, problems): the API's schema and
    rules, then the pages' own rule that a state declares its own launch sites. Raises the
    DomainError of an actor who may not submit for that state."""
    data, problems = validate(DeclarationIn, form.to_body())
    if data is None:
        return None, None, problems
    try:
        preview = declaration_crosscheck_preview_for(actor=request.user, data=data)
    except InvalidInput as e:
        return None, None, form_problems(e)
    if foreign := foreign_sites(preview["state"], declaration_content(data)):
        return None, preview, {field_path(loc): [message] for loc, message in foreign}
    return data, preview, {}


def _invitations(request, state: str | None, year) -> list[dict]:
    """The state's own observer invitations of the year, for the observers section."""
    year = positive_int(str(year), maximum=9999)
    if not state or year is None:
        return []
    return invitations_for_declaration(actor=request.user, state=state, year=year)


def _fill_observers(request, behalf):
    """Fill the observers section from the state's invitations of the year; nothing is
    submitted: the form comes back for review, with every other field as it was."""
    state = _declaring_state(request, request.POST)
    year = request.POST.get("year", "")
    invitations = _invitations(request, state, year)
    data = request.POST.copy()
    if invitations:
        data["observers_invites"] = "yes"
        data["observers_details"] = declaration_details(invitations)
    form = _bound_form(request, data, behalf)
    current = _current(request.user, state, year)
    return _form_page(request, form, current=current, preview=None, invitations=invitations)


def _post(request, behalf):
    action = request.POST.get("action", "review")
    if action == "observers":
        return _fill_observers(request, behalf)
    if action == "load":  # start again from the current declaration of the chosen year/state
        query = {"year": request.POST.get("year", "")}
        if behalf is not None:
            query["on_behalf_of"] = request.POST.get("on_behalf_of", "")
        return redirect(f"{reverse('declarations:new')}?{urlencode(query)}")
    if action in ("confirm", "edit"):
        return _reviewed(request, behalf, action)
    # "review" (and anything else, such as an old page's "submit"): never sent from here.
    form = _bound_form(request, request.POST, behalf)
    data, preview, problems = _checked(request, form)
    if data is not None and action != "preview":
        return _review(request, form=form, data=data, preview=preview, behalf=behalf)
    return _form_again(request, form, problems, preview=preview if data is not None else None)


def _form_again(request, form, problems, *, preview=None):
    form.add_problems(problems)
    state = _declaring_state(request, form.data)
    year = form.data.get("year", "")
    return _form_page(
        request,
        form,
        current=_current(request.user, state, year),
        preview=preview,
        invitations=_invitations(request, state, year),
    )


def _form_page(request, form, *, current, preview, invitations=(), status=200):
    return render(
        request,
        "declarations/form.html",
        {"form": form, "current": current, "preview": preview, "invitations": invitations},
        status=status,
    )


# ---- review, then confirm: what every state will receive ----------------------------------


def _fields(data) -> dict[str, list[str]]:
    """The form's fields as entered, to be given back if the sender goes back to edit."""
    return {k: data.getlist(k) for k in data if k not in ("csrfmiddlewaretoken", "action")}


def _review(request, *, form, data, preview, behalf, notice="", problems=(), status=200):
    """The declaration as every subscribing state will receive it, with its differences from
    the exchange's launch reports in words, and the button that sends it."""
    content = declaration_content(data)
    rows = preview["rows"]
    current = _current(request.user, preview["state"], data.year)
    # The token carries the fields as entered (to go back and edit them, and to send them), the
    # crosscheck it was reviewed against, and the version it may replace, once (0: none).
    payload = payload_text(form.to_body())
    extra = {
        "fields": _fields(form.data),
        "rows": rows,
        "supersedes": current["version"] if current else 0,
    }
    token = review_token(request.user, purpose=REVIEW, payload=payload, extra=extra)
    return render(
        request,
        "declarations/review.html",
        {
            "state_name": preview["state_name"],
            "year": data.year,
            "content": content,
            "sections": in_words(content),
            "content_json": json.dumps(content, indent=2, ensure_ascii=False),
            "rows": rows,
            "differences": difference_sentences(rows, data.year),
            "behalf": behalf is not None,
            "next_version": current["version"] + 1 if current else 1,
            "review": {"payload": payload, "token": token},
            "notice": notice,
            "problems": problems,
        },
        status=status,
    )


def _reviewed(request, behalf, action):
    """Back to the form, or send: only the declaration that was reviewed, signed by the
    review page, once."""
    reviewed = review_read_or_back(
        request,
        purpose=REVIEW,
        changed=_(
            "The reviewed declaration was changed after the review, so nothing was sent. "
            "Please fill in the form and review it again."
        ),
        back=reverse("declarations:new"),
    )
    if isinstance(reviewed, HttpResponseBase):
        return reviewed
    data = QueryDict(mutable=True)
    for key, values in reviewed.extra["fields"].items():
        data.setlist(key, values)
    form = _bound_form(request, data, behalf)
    if action == "edit":
        return _form_page(
            request,
            form,
            current=_current(request.user, _declaring_state(request, data), data.get("year")),
            preview=None,
            invitations=_invitations(request, _declaring_state(request, data), data.get("year")),
        )
    if reviewed.used:  # a second click, a reload, or an old tab: never send it twice
        return _already_sent(request)
    model, preview, problems = _checked(request, form)
    if model is None:  # a rule of the moment (the year, the catalogue) no longer holds
        return _form_again(request, form, problems)
    again = {"form": form, "data": model, "preview": preview, "behalf": behalf}
    if reviewed.expired:
        notice = _("The review had expired. Here it is again: check it, then confirm.")
        return _review(request, **again, notice=notice)
    reviewed_rows = reviewed.extra["rows"]
    if body_hash(form.to_body()) != body_hash(reviewed.payload) or preview["rows"] != reviewed_rows:
        notice = _(
            "The exchange's figures changed since the review (a launch report or a notification "
            "arrived). Here is the declaration again with today's crosscheck: check it, then "
            "confirm."
        )
        return _review(request, **again, notice=notice)
    if has_differences(preview["rows"]) and request.POST.get("differences_confirmed") != "yes":
        problems = [_("Please confirm that the differences above are as intended.")]
        return _review(request, **again, problems=problems, status=422)
    supersedes = reviewed.extra["supersedes"]
    try:
        d = review_send(
            request.user,
            reviewed,
            lambda: declaration_submit(actor=request.user, data=model, supersedes=supersedes),
        )
    except ReviewUsed:
        return _already_sent(request)
    except InvalidInput as e:
        return _form_again(request, form, form_problems(e))
    except Conflict as e:  # sent meanwhile (a second click that beat the session) or amended
        messages.error(request, str(e))
        return redirect("declarations:detail", state=preview["state"], year=model.year)
    messages.success(
        request,
        _("Declaration of %(state)s for %(year)d sent to all subscribing states (version %(v)d).")
        % {"state": name_of(d.state_id), "year": d.year, "v": d.current_version},
    )
    return redirect("declarations:detail", state=d.state_id, year=d.year)


def _already_sent(request):
    messages.error(request, _("This confirmation was already used or has expired."))
    return redirect("declarations:list")


@require_POST
@exchange_page
def declaration_preview(request):
    """The live crosscheck preview (htmx): a table fragment, or the problems to fix first."""
    try:
        require_submitter(request.user)  # before reading the body, as at the API's door
    except DomainError as e:
        return HttpResponse(e.detail, status=403, content_type="text/plain")
    form = _bound_form(request, request.POST, _behalf_choices(request.user))
    try:
        data, preview, problems = _checked(request, form)
    except DomainError as e:
        return HttpResponse(e.detail, status=403, content_type="text/plain")
    return render(
        request,
        "declarations/_preview.html",
        {"preview": preview if data else None, "problems": sorted(problems.items())},
    )


@exchange_page
@refusing
def declaration_detail(request, state: str, year: int):
    page = declaration_page_for(actor=request.user, state=state, year=year)
    versions = page["versions"]
    current = versions[-1]
    new_query = {"year": current["year"]}
    if page["on_behalf"]:
        new_query["on_behalf_of"] = current["state"]
    return render(
        request,
        "declarations/detail.html",
        {
            "d": current,
            "sections": [
                {"label": SECTION_LABEL[name], "name": name, "part": current.get(name)}
                for name in PREFIX
            ],
            "history": _history(versions),
            "may_submit_version": page["may_submit_version"],
            "new_url": f"{reverse('declarations:new')}?{urlencode(new_query)}",
        },
    )


# ---- versions, with what changed from the version before ---------------------------------


def _facts(v: dict) -> dict[str, str]:
    """A version as labelled texts, comparable field by field."""
    yes, no = _("yes"), _("no")
    out = {_("Nil declaration"): yes if v["nil"] else no}
    for name in PREFIX:
        part = v.get(name)
        label = SECTION_LABEL[name]
        if not part:
            continue
        out[_("%(s)s: policy") % {"s": label}] = part.get("policy", "")
        ids = [s["site_id"] for s in part.get("launch_sites", [])]
        sites = site_details(set(ids))
        out[_("%(s)s: launch sites") % {"s": label}] = ", ".join(
            (sites.get(i) or {}).get("name") or i for i in ids
        )
        if "systems" in part:
            out[_("%(s)s: systems") % {"s": label}] = "; ".join(
                " ".join(x for x in (s["generic_class"], s.get("name") or "") if x)
                for s in part["systems"]
            )
        for row in part.get("launches", []):
            out[_("%(s)s: launches of %(c)s") % {"s": label, "c": row["generic_class"]}] = str(
                row["count"]
            )
    observers = v.get("observers") or {}
    if observers:
        out[_("Invites observers")] = yes if observers.get("invites") else no
        out[_("Details for observers")] = observers.get("details") or ""
    out[_("Remarks")] = v.get("remarks") or ""
    return out


def _history(versions: list[dict]) -> list[dict]:
    """Every version, newest first, with each field marked if it changed from the one before."""
    marked = rows_with_changes([_facts(v) for v in versions], removed=_("(removed)"))
    history = [
        {"v": v, "rows": rows, "changes": sum(r["changed"] for r in rows)}
        for v, rows in zip(versions, marked, strict=True)
    ]
    return history[::-1]


# ---- the ICC's deadlines -------------------------------------------------------------------


@icc_page
def icc_deadlines(request):
    """Set the due date of a year's declarations; extend it for one state, with a reason."""
    which = request.POST.get("form") if request.method == "POST" else None
    deadline_form = DeadlineForm(request.POST if which == "deadline" else None, prefix="deadline")
    extension_form = ExtensionForm(
        request.POST if which == "extension" else None, prefix="extension"
    )
    if which == "deadline" and deadline_form.is_valid():
        deadline = deadline_form.call(
            deadline_set, actor=request.user, **deadline_form.cleaned_data
        )
        if deadline is not None:
            messages.success(request, _("Due date set."))
            return redirect("declarations:icc_deadlines")
    if which == "extension" and extension_form.is_valid():
        data = extension_form.cleaned_data
        extended = extension_form.call(
            deadline_extend,
            actor=request.user,
            iso3=data["state"],
            year=data["year"],
            due_on=data["due_on"],
            reason=data["reason"],
        )
        if extended is not None:
            messages.success(request, _("Extension granted."))
            return redirect("declarations:icc_deadlines")
    return render(
        request,
        "declarations/icc_deadlines.html",
        {
            "deadlines": deadlines_for(actor=request.user)[::-1],
            "deadline_form": deadline_form,
            "extension_form": extension_form,
        },
        status=422 if which and (deadline_form.errors or extension_form.errors) else 200,
    )
