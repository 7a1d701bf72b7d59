"""The registry's pages: the public registry (/registry); for the ICC (second factor required,
ui.pages.icc_page), recording a subscription, writing a circular, and the users of states
(create them, get their enrolment links, revoke their tokens: never make a token nor set a
password for a state); points of contact (the ICC keeps every state's at /icc/contacts, a
state its own at /contacts). Thin: reads through selectors, writes through services, whose
access rules apply as well.
"""

from collections import Counter

import iso3166
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from hcoc.accounts.services import (
    state_token_revoke,
    state_user_create,
    state_user_enrolment_issue,
    state_user_get_for,
    state_user_list_for,
)
from hcoc.declarations.selectors import public_declaration_counts_by_year
from hcoc.lib.errors import Conflict, DomainError, NotFound, PermissionDenied
from hcoc.notifications.selectors import public_pln_counts_by_year
from hcoc.states.access import may_keep_contacts, may_read_exchange
from hcoc.states.models import SUBSCRIBING_STATES_OF_THE_CODE, HcocStatus
from hcoc.states.names import name_of
from hcoc.states.selectors import (
    circular_list_for,
    contact_changes_for,
    contact_get_for,
    contacts_by_state_for,
    registry_history,
    state_list,
    states_without_contacts_for,
)
from hcoc.ui.pages import exchange_page, icc_page, refused, refusing

from .forms import CircularForm, ContactForm, IccContactForm, SubscriptionForm, UserForm
from .services import (
    circular_publish,
    contact_add,
    contact_change,
    contact_remove,
    subscription_record,
)

# What the page says of each status: "not known" is never "not subscribing".
STATUS_LABELS = {
    HcocStatus.SUBSCRIBING: gettext_lazy("subscribing"),
    HcocStatus.NOT_SUBSCRIBING: gettext_lazy("not subscribing"),
    HcocStatus.UNKNOWN: gettext_lazy("not known"),
}


def registry(request):
    """Public: which states subscribe, since when; counts by year. No state's submissions."""
    states = state_list()
    choropleth = {}
    for s in states:
        country = iso3166.countries_by_alpha3.get(s["iso3"])
        if country:
            choropleth[country.numeric] = s["status"]
    by_year = Counter(
        s["subscribed_on"][:4]
        for s in states
        if s["status"] == HcocStatus.SUBSCRIBING and s["subscribed_on"]
    )
    cumulative, running = [], 0
    for year in sorted(by_year):
        running += by_year[year]
        cumulative.append({"year": year, "joined": by_year[year], "known_total": running})
    counts = Counter(s["status"] for s in states)
    confirmed = counts[HcocStatus.SUBSCRIBING]
    # The Code's count is a fact we hold as a constant; should the registry confirm more (a
    # state subscribed since), the registry's own count is the better figure.
    of_the_code = max(SUBSCRIBING_STATES_OF_THE_CODE, confirmed)
    figures = {
        "confirmed": confirmed,
        "of_the_code": of_the_code,
        "unconfirmed": of_the_code - confirmed,
        "not_subscribing": counts[HcocStatus.NOT_SUBSCRIBING],
        "not_known": counts[HcocStatus.UNKNOWN],
    }
    for s in states:
        s["status_label"] = STATUS_LABELS[s["status"]]
    plns, declared = public_pln_counts_by_year(), public_declaration_counts_by_year()
    participation = [
        {
            "year": y,
            "declarations": declared.get(y, 0),
            "bm": plns.get(y, {}).get("BM", 0),
            "slv": plns.get(y, {}).get("SLV", 0),
        }
        for y in sorted(set(plns) | set(declared), reverse=True)
    ]
    undated = sum(
        1 for s in states if s["status"] == HcocStatus.SUBSCRIBING and not s["subscribed_on"]
    )
    return render(
        request,
        "registry/registry.html",
        {
            "states": states,
            "map_data": {"choropleth": choropleth},
            "by_year": cumulative,
            "figures": figures,
            "undated": undated,
            "participation": participation,
            "history": registry_history(),
            # The ICC's circulars are for subscribers' eyes: absent for anyone else.
            "circulars": circular_list_for(actor=request.user, limit=20)["items"]
            if may_read_exchange(request.user)
            else None,
        },
    )


# ---- the ICC records a subscription ------------------------------------------------------


@icc_page
@refusing
def subscription_new(request):
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sub = form.call(
            subscription_record,
            above=(Conflict, NotFound),  # e.g. already subscribing
            actor=request.user,
            **form.cleaned_data,
        )
        if sub is not None:
            messages.success(
                request,
                _("%(state)s recorded as subscribing from %(day)s; all subscribers are informed.")
                % {
                    "state": name_of(sub.state_id),
                    "day": sub.effective_on.isoformat(),
                },
            )
            return redirect("project:icc")
    return render(request, "registry/icc_subscription.html", {"form": form})


# ---- the ICC's circulars (registry news) ------------------------------------------------


@icc_page
@refusing
def circular_new(request):
    form = CircularForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        circular = form.call(circular_publish, actor=request.user, **form.cleaned_data)
        if circular is not None:
            messages.success(
                request,
                _("Circular %(ref)s published; every subscribing state receives it in the feed.")
                % {"ref": circular.reference},
            )
            return redirect("project:icc")
    return render(
        request,
        "registry/icc_circular.html",
        {"form": form},
        status=422 if request.method == "POST" else 200,
    )


# ---- the users of states ------------------------------------------------------------------
# The ICC creates a state's user without a password and gets an enrolment link to send to the
# person, who sets the password and makes its own tokens: the relay never holds a state's
# credentials (accounts.services). It may revoke a state's tokens.


def _keep_enrolment_link(request, user, raw: str) -> None:
    """Shown once, on the user's page, then gone from the session."""
    link = request.build_absolute_uri(reverse("accounts:enrol", kwargs={"token": raw}))
    request.session["icc_new_enrolment"] = {"user": user.username, "link": link}


@icc_page
@refusing
def users(request):
    state = request.GET.get("state", "").strip().upper()[:3]
    form = UserForm(request.POST or None, initial={"state": state})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        created = form.call(
            state_user_create,
            actor=request.user,
            username=cd["username"],
            role=cd["role"],
            state_iso3=cd["state"],
            email=cd["email"],
        )
        if created is not None:
            user, raw = created
            _keep_enrolment_link(request, user, raw)
            return redirect("registry:icc_user_tokens", user_id=user.pk)
    listing = list(state_user_list_for(actor=request.user, state_iso3=state or None))
    return render(
        request,
        "registry/icc_users.html",
        {
            "users": listing,
            "form": form,
            "state": state,
            "states": sorted({(u.state_id, u.state.name) for u in listing if u.state_id})
            if not state
            else None,
        },
    )


@require_GET
@never_cache  # shows a new enrolment link, once
@icc_page
@refusing
def user_tokens(request, user_id: int):
    """A state's user: its tokens (to revoke), whether it has enrolled, a new enrolment link."""
    person = state_user_get_for(actor=request.user, user_id=user_id)
    new_enrolment = request.session.pop("icc_new_enrolment", None)
    return render(
        request,
        "registry/icc_user_tokens.html",
        {
            "person": person,
            "enrolled": person.has_usable_password(),
            "tokens": person.api_tokens.all(),
            "new_enrolment": new_enrolment
            if new_enrolment and new_enrolment["user"] == person.username
            else None,
        },
    )


@require_POST
@icc_page
def user_enrol(request, user_id: int):
    """A new enrolment link for a state's user who has not set a password yet."""
    try:
        person, raw = state_user_enrolment_issue(actor=request.user, user_id=user_id)
    except NotFound as e:
        return refused(request, e)
    except DomainError as e:
        messages.error(request, e.detail)
        return redirect("registry:icc_user_tokens", user_id=user_id)
    _keep_enrolment_link(request, person, raw)
    return redirect("registry:icc_user_tokens", user_id=person.pk)


@require_POST
@icc_page
@refusing
def token_revoke(request, token_id: int):
    token = state_token_revoke(actor=request.user, token_id=token_id)
    messages.info(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return redirect("registry:icc_user_tokens", user_id=token.user_id)


# ---- points of contact --------------------------------------------------------------------
# The ICC keeps every state's (/icc/contacts); a subscribing state's submitters keep its own
# (/contacts), its readers read them. One edit and one remove page serve both: the service's
# access rule decides (registry.services.contact_change, states.access.require_contacts_keeper).

CONTACT_FIELDS = ("name", "organisation", "email", "phone")


def _contacts_page(request, iso3: str) -> str:
    """Where a keeper goes back to: the ICC to the state's part of its list, a state to its page."""
    if request.user.state_id is None:
        return f"{reverse('registry:icc_contacts')}?q={iso3}"
    return reverse("registry:contacts")


@exchange_page
@refusing
def contacts(request):
    """Our points of contact: the state's own. The ICC, which has no state, keeps every
    state's on its own page."""
    iso3 = request.user.state_id
    if iso3 is None:
        return redirect("registry:icc_contacts")
    may_keep = may_keep_contacts(request.user, iso3)
    form = ContactForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not may_keep:
            return refused(
                request, PermissionDenied(_("Your role may read your points of contact only."))
            )
        if form.is_valid():
            contact = form.call(
                contact_add, actor=request.user, state_iso3=iso3, **form.cleaned_data
            )
            if contact is not None:
                messages.success(
                    request, _("%(name)s added to your points of contact.") % {"name": contact.name}
                )
                return redirect("registry:contacts")
        status = 422
    groups = contacts_by_state_for(actor=request.user, state_iso3=iso3)
    return render(
        request,
        "registry/contacts.html",
        {
            "contacts": groups[0]["contacts"] if groups else [],
            "state": request.user.state,
            "may_keep": may_keep,
            "form": form,
            "changes": contact_changes_for(actor=request.user, state_iso3=iso3),
        },
        status=status,
    )


@icc_page
@refusing
def icc_contacts(request):
    """Every state's points of contact, by state; searchable by state; add one to any state."""
    query = request.GET.get("q", "").strip()[:100]
    initial = {"state": query.upper()} if len(query) == 3 else {}
    form = IccContactForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            contact = form.call(
                contact_add,
                actor=request.user,
                state_iso3=data["state"],
                **{k: data[k] for k in CONTACT_FIELDS},
            )
            if contact is not None:
                messages.success(
                    request,
                    _("%(name)s added to the points of contact of %(state)s.")
                    % {"name": contact.name, "state": contact.state.name},
                )
                return redirect(_contacts_page(request, contact.state_id))
        status = 422
    return render(
        request,
        "registry/icc_contacts.html",
        {
            "query": query,
            "groups": contacts_by_state_for(actor=request.user, query=query),
            "without": None if query else states_without_contacts_for(actor=request.user),
            "form": form,
            "changes": contact_changes_for(actor=request.user),
        },
        status=status,
    )


@exchange_page
@refusing
def contact_edit(request, contact_id: int):
    """Change a point of contact: the ICC any state's, a state's submitters their own."""
    contact = contact_get_for(actor=request.user, contact_id=contact_id)
    if not may_keep_contacts(request.user, contact.state_id):
        return refused(
            request, PermissionDenied(_("A state keeps only its own points of contact."))
        )
    form = ContactForm(
        request.POST or None, initial={k: getattr(contact, k) for k in CONTACT_FIELDS}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            changed = form.call(
                contact_change, actor=request.user, contact_id=contact.pk, **form.cleaned_data
            )
            if changed is not None:
                messages.success(request, _("%(name)s saved.") % {"name": changed.name})
                return redirect(_contacts_page(request, changed.state_id))
        status = 422
    return render(
        request,
        "registry/contact_edit.html",
        {"contact": contact, "form": form, "back": _contacts_page(request, contact.state_id)},
        status=status,
    )


@require_POST
@exchange_page
@refusing
def contact_remove_view(request, contact_id: int):
    contact = contact_remove(actor=request.user, contact_id=contact_id)
    messages.info(request, _("%(name)s removed.") % {"name": contact.name})
    return redirect(_contacts_page(request, contact.state_id))
