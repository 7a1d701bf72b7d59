"""The ICC console (/icc/): second factor required (web.access.icc_page).

Record a subscription, enter items on a state's behalf (the notification and declaration forms),
see which states have not acknowledged each item, manage the users of states (create them, get
their enrolment links, revoke their tokens: never make a token nor set a password for a state).
Thin: reads through selectors, writes through services, their access rules apply as well.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from hcoc.accounts.models import Role
from hcoc.accounts.services import (
    state_token_revoke,
    state_user_create,
    state_user_enrolment_issue,
    state_user_get_for,
    state_user_list_for,
)
from hcoc.declarations.selectors import deadlines_for
from hcoc.declarations.services import deadline_extend, deadline_set
from hcoc.exchange.selectors import acknowledgement_status_for, feed_recent_for
from hcoc.lib.errors import Conflict, DomainError, InvalidInput, NotFound
from hcoc.lib.numbers import positive_int
from hcoc.registry.services import circular_publish, subscription_record
from hcoc.states.models import HcocStatus
from hcoc.states.selectors import state_list
from hcoc.ui.forms import ProblemsForm, form_problems
from hcoc.ui.pages import icc_page, refused


@icc_page
def console(request):
    before = request.GET.get("before", "")
    recent = feed_recent_for(actor=request.user, before=positive_int(before), limit=50)
    return render(request, "web/icc.html", {"recent": recent})


# ---- (a) record a subscription ------------------------------------------------------------


class SubscriptionForm(ProblemsForm):
    iso3 = forms.ChoiceField(label=gettext_lazy("State"))
    note_reference = forms.CharField(
        label=gettext_lazy("Reference of the diplomatic note"), max_length=200, required=False
    )
    note_received_on = forms.DateField(
        label=gettext_lazy("Note received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    effective_on = forms.DateField(
        label=gettext_lazy("Subscription effective on"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["iso3"].choices = [("", "—")] + [
            (s["iso3"], f"{s['iso3']} — {s['name']} ({s['status']})")
            for s in state_list()
            if s["status"] != HcocStatus.SUBSCRIBING
        ]


@icc_page
def subscription_new(request):
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sub = subscription_record(actor=request.user, **form.cleaned_data)
        except InvalidInput as e:
            form.add_problems(form_problems(e))
        except (Conflict, NotFound) as e:  # e.g. already subscribing
            form.add_error(None, e.detail)
        except DomainError as e:
            return refused(request, e)
        else:
            messages.success(
                request,
                _("%(state)s recorded as subscribing from %(day)s; all subscribers are informed.")
                % {
                    "state": sub.state_id,
                    "day": f"{sub.effective_on.day} {sub.effective_on:%b %Y}",
                },
            )
            return redirect("web:icc")
    return render(request, "web/icc_subscription.html", {"form": form})


# ---- (c) who has not acknowledged an item ---------------------------------------------------


@icc_page
def item_status(request, seq: int):
    try:
        status = acknowledgement_status_for(actor=request.user, seq=seq)
    except DomainError as e:
        return refused(request, e)
    return render(request, "web/icc_item.html", {"status": status})


# ---- (d) users and tokens of states ---------------------------------------------------------
# The ICC creates a state's user without a password and gets an enrolment link to send to the
# person, who sets the password and makes its own tokens: the relay never holds a state's
# credentials (accounts.services). It may revoke a state's tokens.


class UserForm(ProblemsForm):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    state = forms.ChoiceField(label=gettext_lazy("State"))
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        choices=[(Role.SUBMITTER, Role.SUBMITTER.label), (Role.READER, Role.READER.label)],
    )
    email = forms.EmailField(label=gettext_lazy("Email"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "—")] + [
            (s["iso3"], f"{s['iso3']} — {s['name']}") for s in state_list()
        ]


def _keep_enrolment_link(request, user, raw: str) -> None:
    """Shown once, on the user's page, then gone from the session."""
    link = request.build_absolute_uri(reverse("web:enrol", kwargs={"token": raw}))
    request.session["icc_new_enrolment"] = {"user": user.username, "link": link}


@icc_page
def users(request):
    state = request.GET.get("state", "").strip().upper()[:3]
    form = UserForm(request.POST or None, initial={"state": state})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            user, raw = state_user_create(
                actor=request.user,
                username=cd["username"],
                role=cd["role"],
                state_iso3=cd["state"],
                email=cd["email"],
            )
        except InvalidInput as e:
            form.add_problems(form_problems(e))
        except DomainError as e:
            return refused(request, e)
        else:
            _keep_enrolment_link(request, user, raw)
            return redirect("web:icc_user_tokens", user_id=user.pk)
    try:
        listing = list(state_user_list_for(actor=request.user, state_iso3=state or None))
    except DomainError as e:
        return refused(request, e)
    return render(
        request,
        "web/icc_users.html",
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
def user_tokens(request, user_id: int):
    """A state's user: its tokens (to revoke), whether it has enrolled, a new enrolment link."""
    try:
        person = state_user_get_for(actor=request.user, user_id=user_id)
    except DomainError as e:
        return refused(request, e)
    new_enrolment = request.session.pop("icc_new_enrolment", None)
    return render(
        request,
        "web/icc_user_tokens.html",
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
        return redirect("web:icc_user_tokens", user_id=user_id)
    _keep_enrolment_link(request, person, raw)
    return redirect("web:icc_user_tokens", user_id=person.pk)


@require_POST
@icc_page
def token_revoke(request, token_id: int):
    try:
        token = state_token_revoke(actor=request.user, token_id=token_id)
    except DomainError as e:
        return refused(request, e)
    messages.info(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return redirect("web:icc_user_tokens", user_id=token.user_id)


# ---- (e) declaration deadlines ------------------------------------------------------------


class DeadlineForm(ProblemsForm):
    year = forms.IntegerField(label=gettext_lazy("Declarations covering the year"), min_value=2002)
    due_on = forms.DateField(
        label=gettext_lazy("Due on"), widget=forms.DateInput(attrs={"type": "date"})
    )


class ExtensionForm(ProblemsForm):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2002)
    state = forms.ChoiceField(label=gettext_lazy("State"))
    due_on = forms.DateField(
        label=gettext_lazy("New due date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000, widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "—")] + [
            (s["iso3"], f"{s['iso3']} — {s['name']}")
            for s in state_list()
            if s["status"] == HcocStatus.SUBSCRIBING
        ]


@icc_page
def deadlines(request):
    """Set the due date of a year's declarations; extend it for one state, with a reason."""
    which = request.POST.get("form") if request.method == "POST" else None
    deadline_form = DeadlineForm(request.POST if which == "deadline" else None, prefix="deadline")
    extension_form = ExtensionForm(
        request.POST if which == "extension" else None, prefix="extension"
    )
    if which == "deadline" and deadline_form.is_valid():
        try:
            deadline_set(actor=request.user, **deadline_form.cleaned_data)
        except InvalidInput as e:
            deadline_form.add_problems(form_problems(e))
        else:
            messages.success(request, _("Due date set."))
            return redirect("web:icc_deadlines")
    if which == "extension" and extension_form.is_valid():
        data = extension_form.cleaned_data
        try:
            deadline_extend(
                actor=request.user,
                iso3=data["state"],
                year=data["year"],
                due_on=data["due_on"],
                reason=data["reason"],
            )
        except InvalidInput as e:
            extension_form.add_problems(form_problems(e))
        else:
            messages.success(request, _("Extension granted."))
            return redirect("web:icc_deadlines")
    return render(
        request,
        "web/icc_deadlines.html",
        {
            "deadlines": deadlines_for(actor=request.user)[::-1],
            "deadline_form": deadline_form,
            "extension_form": extension_form,
        },
        status=422 if which and (deadline_form.errors or extension_form.errors) else 200,
    )


# ---- (f) the ICC's circulars (registry news) ------------------------------------------------


class CircularForm(ProblemsForm):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    text = forms.CharField(
        label=gettext_lazy("Text"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": 5000}),
        help_text=gettext_lazy("At most 5,000 characters. Every subscribing state receives it."),
    )


@icc_page
def circular_new(request):
    form = CircularForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            circular = circular_publish(actor=request.user, **form.cleaned_data)
        except InvalidInput as e:
            form.add_problems(form_problems(e))
        except DomainError as e:
            return refused(request, e)
        else:
            messages.success(
                request,
                _("Circular %(ref)s published; every subscribing state receives it in the feed.")
                % {"ref": circular.reference},
            )
            return redirect("web:icc")
    return render(
        request,
        "web/icc_circular.html",
        {"form": form},
        status=422 if request.method == "POST" else 200,
    )
