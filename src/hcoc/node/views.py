"""The node's pages and its JSON read API, from its own verified copy only: they answer the
same while the exchange is down (with a banner saying since when nothing came)."""

import hmac
import json

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from hcoc.declarations.forms import PREFIX, SECTION_LABEL
from hcoc.exchange.models import EventKind
from hcoc.lib.timeutil import rfc3339, shown_utc
from hcoc.notifications.places import concerns, notam_for, places
from hcoc.notifications.views.common import summary
from hcoc.states.names import name_of, names_of

from . import selectors, services
from .maps import NOTIFICATION_KINDS, item_map
from .models import Finding

# ---- pages ----------------------------------------------------------------------------------


def _page(request, template: str, **context):
    context.setdefault("silence", selectors.silence())
    context["node_state"] = name_of(settings.NODE_STATE)
    return render(request, f"node/{template}", context)


def _what(kind: str) -> str:
    """A feed kind in words, in the reader's language ('notification submitted')."""
    if kind in EventKind.values:
        return str(EventKind(kind).label).capitalize()
    return kind.replace(".", " ").replace("_", " ").capitalize()


def _rows(items) -> list[dict]:
    names = names_of({i.state for i in items})
    return [
        {
            "seq": i.seq,
            "what": _what(i.kind),
            "state": names.get(i.state, i.state),
            "subject": i.subject,
            "at": i.at,  # shown by the templates' |utc: isolated left to right in Arabic
        }
        for i in items
    ]


@require_GET
def inbox(request):
    return _page(request, "inbox.html", rows=_rows(selectors.inbox()))


def _fields(value, prefix="") -> list[tuple[str, str]]:
    """The payload as labelled lines ('Launch window start', '2026-12-07 08:49 UTC'): the words
    of an item of a kind the node has no page of its own for (registry news, meetings,
    invitations), its field names as the published formats spell them."""
    out: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            label = f"{prefix} {key}".replace("_", " ").strip()
            out.extend(_fields(inner, label))
    elif isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            out.append((prefix.capitalize(), ", ".join(str(v) for v in value)))
        else:
            for n, inner in enumerate(value, 1):
                out.extend(_fields(inner, f"{prefix} {n}"))
    elif value is not None:
        text = str(value)
        if isinstance(value, str) and len(text) >= 20 and text[4:5] == "-" and "T" in text:
            text = shown_utc(text)
        out.append((prefix.capitalize(), text))
    return out


def _notification(payload: dict) -> dict:
    """What the exchange's notification page shows of a version, from the item alone: its
    statement in words, its map, where it flies and whether it concerns the node's state."""
    return {
        "summary": summary(payload, html=True),
        "map_data": item_map(payload),
        "places": places(payload, html=True),
        "affected": payload.get("affected_states"),
        "in_direction": payload.get("in_planned_direction") or [],
        "flags": payload.get("flags") or [],
        "concerns": concerns(payload, settings.NODE_STATE),
        "notam": notam_for(payload),
    }


@require_GET
def item(request, seq: int):
    found = selectors.item_get(seq)
    if found is None:
        raise Http404(_("No such item on this node."))
    data = json.loads(found.text)
    payload = data.get("payload") or {}
    context = {
        "row": _rows([found])[0],
        "ack": selectors.acknowledged_here().get(seq),
        "own": found.state == settings.NODE_STATE,
        "n": None,
        "declaration": None,
    }
    if found.kind in NOTIFICATION_KINDS and payload.get("launch_area"):
        context["n"] = payload
        context.update(_notification(payload))
    elif found.kind == selectors.DECLARATION_KIND:
        context["declaration"] = {"state": found.state, "year": payload.get("year")}
        context["fields"] = []
    else:
        context["fields"] = _fields(payload)
    return _page(request, "item.html", **context)


@require_POST
def acknowledge(request, seq: int):
    if selectors.item_get(seq) is None:
        raise Http404(_("No such item on this node."))
    if seq not in selectors.acknowledged_here():
        services.acknowledgement_queue(seqs=[seq])
    return redirect("node:item", seq=seq)


@require_GET
def declarations(request):
    return _page(request, "declarations.html", rows=selectors.declarations())


@require_GET
def declaration(request, state: str, year: int):
    found = selectors.declaration_get(state=state, year=year)
    if found is None:
        raise Http404(_("No such declaration on this node."))
    current = found["current"]
    return _page(
        request,
        "declaration.html",
        d=current,
        item_seq=found["seq"],
        sections=[
            {"label": SECTION_LABEL[name], "name": name, "part": current.get(name)}
            for name in PREFIX
        ],
        versions=found["versions"],
    )


@require_GET
def log_page(request):
    return _page(request, "log.html", summary=selectors.summary())


# ---- the JSON API: the exchange's read shapes, from the verified copy -------------------------


def _int(request, name: str, default: int | None = None, *, low: int = 0) -> int:
    raw = request.GET.get(name)
    if raw is None:
        if default is None:
            raise ValueError(_("%(name)s: required") % {"name": name})
        return default
    if not raw.isdigit() or int(raw) < low or len(raw) > 18:
        raise ValueError(
            _("%(name)s: must be a whole number >= %(low)s") % {"name": name, "low": low}
        )
    return int(raw)


def _problem(detail: str, status: int = 422) -> JsonResponse:
    return JsonResponse(
        {"type": "about:blank", "title": "Invalid input", "status": status, "detail": detail},
        status=status,
        content_type="application/problem+json",
    )


def _json(data) -> JsonResponse:
    return JsonResponse(data, json_dumps_params={"default": _default})


def _default(value):
    return rfc3339(value)


@require_GET
def api_feed(request):
    try:
        after = _int(request, "after", 0)
        limit = min(_int(request, "limit", 100, low=1), selectors.PAGE)
    except ValueError as e:
        return _problem(str(e))
    return _json(selectors.feed_page(after=after, limit=limit))


@require_GET
def api_item(request, seq: int):
    found = selectors.item_get(seq)
    if found is None:
        return _problem(f"seq: no item {seq} on this node", 404)
    return HttpResponse(found.text, content_type="application/json")


@require_GET
def api_node(request):
    return _json(selectors.summary())


@require_GET
def api_keys(request):
    keys = selectors.status().keys
    if not keys:
        return _problem("this node has verified nothing yet", 503)
    return HttpResponse(keys, content_type="application/json")


@require_GET
def api_checkpoints(request):
    try:
        after = _int(request, "after_size", 0)
        limit = min(_int(request, "limit", 100, low=1), selectors.PAGE)
    except ValueError as e:
        return _problem(str(e))
    return _json(selectors.checkpoints_page(after_size=after, limit=limit))


@require_GET
def api_checkpoint(request):
    latest = selectors.checkpoint_latest()
    if latest is None:
        return _problem("this node has verified nothing yet", 503)
    return HttpResponse(latest.note, content_type="text/plain; charset=utf-8")


@require_GET
def api_entries(request):
    try:
        start, end = _int(request, "start"), _int(request, "end")
    except ValueError as e:
        return _problem(str(e))
    if end < start:
        return _problem("end: must not be less than start")
    return _json(selectors.entries_page(start=start, end=end))


@require_GET
def api_findings(request):
    return _json({"findings": list(Finding.objects.order_by("id").values("found_at", "text"))})


@csrf_exempt  # a bearer token, not a cookie: no cross-site request can carry it
@require_POST
def api_acknowledge(request):
    """Queue an acknowledgement (202): forwarded, signed with the state's key, when the
    exchange answers. Only with the node's own API token (HCOC_NODE_API_TOKEN)."""
    expected = settings.NODE_API_TOKEN
    # Exactly "Bearer <token>" (RFC 6750): no other spelling or spacing counts.
    header = request.headers.get("Authorization", "")
    given = header.removeprefix("Bearer ") if header.startswith("Bearer ") else ""
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        return _problem("Authorization: give the node's API token", 401)
    try:
        body = json.loads(request.body or b"null")
        seqs = body.get("seqs") if isinstance(body, dict) else None
        if (
            not isinstance(seqs, list)
            or not seqs
            or len(seqs) > 10000
            or not all(isinstance(s, int) and not isinstance(s, bool) for s in seqs)
        ):
            raise ValueError
    except ValueError:
        return _problem('seqs: give a list of item seqs, e.g. {"seqs": [3, 5]}')
    missing = [s for s in seqs if selectors.item_get(s) is None]
    if missing:
        return _problem(f"seqs: no item {missing[0]} on this node")
    ack = services.acknowledgement_queue(seqs=seqs)
    return JsonResponse(
        {"queued": ack.id, "seqs": ack.seqs, "idempotency_key": ack.idempotency_key}, status=202
    )
