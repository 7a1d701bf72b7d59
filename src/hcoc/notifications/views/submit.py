"""The PLN form: new notifications and amendments, drafts, review, confirm and send.

Flow without JavaScript: form -> POST "review" -> confirmation page (exactly what every state
will receive) -> POST "send" -> the service -> the notification's page. "Save draft" stores the
fields as entered. htmx only adds validation as you type (`validate`).
"""

import contextlib

from django.contrib import messages
from django.http import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hcoc.accounts.access import may_act_as_icc
from hcoc.lib.canonical import canonical_dumps
from hcoc.lib.errors import Conflict, InvalidInput, NotFound
from hcoc.lib.numbers import positive_int
from hcoc.lib.vocabulary import impact_kind_words
from hcoc.states.access import acting_state, require_acting_for, require_submitter
from hcoc.states.selectors import state_list
from hcoc.ui.forms import form_problems, labelled, validate
from hcoc.ui.pages import exchange_page, refusing
from hcoc.ui.review import (
    ReviewUsed,
    payload_text,
    review_read_or_back,
    review_send,
    review_token,
)

from .. import forms
from ..geography import version_geometry
from ..history import changes
from ..readmodel import statement_read_model
from ..schemas import AmendmentIn, PLNIn
from ..selectors import drafts_visible_to, launch_sites_for_form, notification_get_for
from ..services import (
    draft_delete,
    draft_save,
    notification_amend,
    notification_submit,
    pln_content,
)
from .common import map_data, summary


@exchange_page
@refusing
def new(request):
    require_submitter(request.user)
    return _flow(request, amending=None)


@exchange_page
@refusing
def amend(request, reference: str):
    current = notification_get_for(actor=request.user, reference=reference)
    require_acting_for(request.user, current["state"])
    if current["status"] != "notified":
        messages.error(
            request, _("Only a notified notification whose window is open can be amended.")
        )
        return redirect("notifications:detail", reference=reference)
    return _flow(request, amending=current)


@require_POST
@exchange_page
@refusing
def validate_fragment(request):
    """htmx: the form's problems as you type, the same messages as the API."""
    require_submitter(request.user)
    fields = forms.fields_from_post(request.POST)
    amending = "reason" in request.POST  # only the amendment form has the field
    body, local = forms.body_from_fields(fields, with_behalf=False, amending=amending)
    schema = AmendmentIn if amending else PLNIn
    problems = {**validate(schema, body, forms.PATH_LABELS)[1], **local}
    errors = forms.problems_by_slot(problems)
    slots = forms.SLOTS + [f"impact_{i}" for i in range(len(forms.impact_rows(fields, {})))]
    return render(
        request,
        "notifications/_problems.html",
        {
            "problems": labelled(problems, forms.PATH_LABELS),
            "checked": True,
            "oob": [(s, errors.get(s, [])) for s in slots],
        },
    )


@require_POST
@exchange_page
@refusing
def draft_remove(request, draft_id: int):
    draft = drafts_visible_to(request.user).filter(pk=draft_id).first()
    draft_delete(actor=request.user, draft_id=draft_id)
    messages.info(request, _("Draft deleted."))
    if draft is not None and draft.amends:
        return redirect("notifications:detail", reference=draft.amends)
    return redirect("notifications:new")


def _flow(request, *, amending: dict | None):
    reference = amending["reference"] if amending else ""
    draft = _draft(request)
    if draft is not None and draft.amends != reference:
        if request.method == "POST":
            raise NotFound(_("No such draft."))
        # A draft opened from a list of drafts (the dashboard's): resume it on its own form.
        if not draft.amends:
            return redirect(f"{_form_url(None)}?draft={draft.pk}")
        target = reverse("notifications:amend", kwargs={"reference": draft.amends})
        return redirect(f"{target}?draft={draft.pk}")
    if request.method != "POST":
        if draft is not None:
            fields = draft.data
        elif amending:
            fields = forms.fields_from_body(amending)
        else:
            fields = {}
        return _form(request, fields=fields, draft=draft, amending=amending)
    action = request.POST.get("action", "review")
    if action in ("edit", "send"):
        reviewed = review_read_or_back(
            request,
            purpose=_purpose(amending),
            changed=_(
                "The reviewed notification was changed after the review, so nothing was "
                "sent. Please fill in the form and review it again."
            ),
            back=_form_url(amending),
        )
        if isinstance(reviewed, HttpResponseBase):
            return reviewed
        fields = forms.fields_from_body(reviewed.payload)
        if action == "edit":
            return _form(request, fields=fields, draft=draft, amending=amending)
        return _send(request, reviewed=reviewed, fields=fields, draft=draft, amending=amending)
    fields = forms.fields_from_post(request.POST)
    if action == "save_draft":
        draft = draft_save(
            actor=request.user,
            data=fields,
            draft_id=draft.pk if draft else None,
            amends=reference,
        )
        messages.info(request, _("Draft saved. It is visible to your own colleagues only."))
        return redirect(f"{_form_url(amending)}?draft={draft.pk}")
    return _review(request, fields=fields, draft=draft, amending=amending)


def _draft(request):
    """The draft named by ?draft= or the form's hidden field: the caller's own, or 404."""
    raw = request.POST.get("draft") or request.GET.get("draft")
    if not raw:
        return None
    pk = positive_int(raw)
    draft = drafts_visible_to(request.user).filter(pk=pk).first() if pk is not None else None
    if draft is None:
        raise NotFound(_("No such draft."))
    return draft


def _form_url(amending: dict | None) -> str:
    if amending:
        return reverse("notifications:amend", kwargs={"reference": amending["reference"]})
    return reverse("notifications:new")


def _purpose(amending: dict | None) -> str:
    """A review is confirmed on its own form only: a new PLN's, or this notification's amendment."""
    return f"pln:{amending['reference']}" if amending else "pln:new"


def _with_behalf(request, amending) -> bool:
    return may_act_as_icc(request.user) and amending is None


def _check(request, body: dict, amending) -> tuple[PLNIn | None, dict]:
    """The API's validation of the body (an amendment's, with its reason, when amending), and
    who it would be entered for."""
    model, problems = validate(AmendmentIn if amending else PLNIn, body, forms.PATH_LABELS)
    if amending is None:
        try:
            acting_state(request.user, body.get("on_behalf_of"))
        except InvalidInput as e:
            problems = {**problems, **form_problems(e, forms.PATH_LABELS)}
    return (model if not problems else None), problems


def _review(request, *, fields, draft, amending):
    body, local = forms.body_from_fields(
        fields, with_behalf=_with_behalf(request, amending), amending=amending is not None
    )
    model, problems = _check(request, body, amending)
    if amending and model is not None and not model.reason:
        # The API leaves the reason optional (the contract); the pages ask for it, since every
        # state reads the changes with it.
        problems = {"reason": [_("Say why you amend the notification: every state reads it.")]}
    if local or problems:
        # The form's own problem of a field (a time not in ISO 8601) replaces the schema's
        # "is required" for the value it could not pass on.
        return _form(
            request, fields=fields, draft=draft, amending=amending, problems={**problems, **local}
        )
    content = pln_content(model)
    reason = model.reason if isinstance(model, AmendmentIn) else None
    preview = {
        "reference": amending["reference"] if amending else _("new"),
        "generic_class": content["generic_class"],
        "launch_area": content["launch_area"],
        "planned_direction": content["planned_direction"],
        "impact_areas": content["impact_areas"],
        # What the exchange will store with the version, shown before it is sent (the sender
        # sees the corridor and the states concerned); computed for this answer only.
        "geometry": version_geometry(content),
    }
    # Exactly what every state will receive of what the sender states: the same function and
    # the same canonical bytes as the published item (the reference, version, times and
    # sequence number are added on sending).
    published = canonical_dumps(
        statement_read_model(
            content,
            national_reference=model.national_reference,
            reason=reason,
            geometry=preview["geometry"],
        )
    )
    behalf = body.get("on_behalf_of") or (
        amending["state"] if amending and may_act_as_icc(request.user) else None
    )
    facts = summary(
        {**content, "national_reference": model.national_reference, "amendment_reason": reason},
        html=True,
    )
    changed, changed_labels = [], set()
    if amending:
        before = {k: amending.get(k) for k in content}
        their_reference = amending.get("national_reference")
        changed = changes(
            {"content": before, "national_reference": their_reference},
            {"content": content, "national_reference": model.national_reference},
            html=True,
        )
        was = dict(summary({**before, "national_reference": their_reference}, html=True))
        changed_labels = {label for label, value in facts if was.get(label) != value}
    return render(
        request,
        "notifications/confirm.html",
        {
            "amending": amending,
            "next_version": amending["version"] + 1 if amending else 1,
            "published": published,
            "changes": changed,
            "changed_labels": changed_labels,
            "summary": facts,
            "map_data": map_data([preview], link=False),
            "affected_states": preview["geometry"]["affected_states"],
            "in_direction": preview["geometry"].get("in_planned_direction") or [],
            "flags": preview["geometry"]["flags"],
            "review": _review_fields(request, body, amending),
            "draft": draft,
            "behalf": behalf,
            "action_url": _form_url(amending),
        },
    )


def _review_fields(request, body: dict, amending) -> dict:
    payload = payload_text(body)
    token = review_token(request.user, purpose=_purpose(amending), payload=payload)
    return {"payload": payload, "token": token}


def _already_sent(request, amending):
    """A second click, a reload, or an old tab: the same notification is never sent twice."""
    messages.error(request, _("This confirmation was already used or has expired."))
    if amending:
        return redirect("notifications:detail", reference=amending["reference"])
    return redirect("notifications:list")


def _send(request, *, reviewed, fields, draft, amending):
    if reviewed.used:
        return _already_sent(request, amending)
    if reviewed.expired:
        messages.info(
            request, _("The review had expired. Here it is again: check it, then confirm.")
        )
        return _review(request, fields=fields, draft=draft, amending=amending)
    # Judged again as the API would: a rule of the moment (the window's bounds, the catalogue of
    # sites) may no longer hold.
    model, problems = _check(request, reviewed.payload, amending)
    if problems:
        return _form(request, fields=fields, draft=draft, amending=amending, problems=problems)

    def send():
        if amending:
            return notification_amend(
                actor=request.user, reference=amending["reference"], data=model
            )
        return notification_submit(actor=request.user, data=model)

    try:
        n = review_send(request.user, reviewed, send)
    except ReviewUsed:
        return _already_sent(request, amending)
    except InvalidInput as e:
        return _form(
            request,
            fields=fields,
            draft=draft,
            amending=amending,
            problems=form_problems(e, forms.PATH_LABELS),
        )
    except Conflict as e:
        messages.error(request, e.detail)
        return redirect("notifications:detail", reference=amending["reference"])
    if draft is not None:
        # Deleted meanwhile in another tab: nothing left to clean up.
        with contextlib.suppress(NotFound):
            draft_delete(actor=request.user, draft_id=draft.pk)
    if amending:
        messages.success(request, _("Amendment sent to all subscribing states."))
    else:
        messages.success(request, _("Notification sent to all subscribing states."))
    return redirect("notifications:detail", reference=n.reference)


def _form(request, *, fields, draft, amending, problems=None):
    problems = problems or {}
    errors = forms.problems_by_slot(problems)
    sites = launch_sites_for_form(actor=request.user)
    is_icc = may_act_as_icc(request.user)
    f = {name: "" for name in forms.SCALAR_FIELDS}
    f.update({k: v for k, v in fields.items() if k in forms.SCALAR_FIELDS})
    f["area_mode"] = f["area_mode"] or "site"
    f["direction_mode"] = f["direction_mode"] or "azimuth"
    return render(
        request,
        "notifications/form.html",
        {
            "f": f,
            "err": errors,
            "problems": labelled(problems, forms.PATH_LABELS),
            "impact_rows": forms.impact_rows(fields, errors),
            "impact_kinds": [(k, _(impact_kind_words(k))) for k in forms.IMPACT_KINDS],
            "sites": sites,
            "site_points": {s["id"]: [s["lat"], s["lon"]] for s in sites},
            "class_choices": forms.class_choices(),
            "is_icc": is_icc,
            "states": [s for s in state_list() if s["status"] == "subscribing"]
            if is_icc and not amending
            else [],
            "draft": draft,
            "drafts": drafts_visible_to(request.user).filter(
                amends=amending["reference"] if amending else ""
            )[:20],
            "amending": amending,
            "action_url": _form_url(amending),
        },
        status=422 if problems else 200,
    )
