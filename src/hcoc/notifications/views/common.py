"""What the notification pages share: domain errors as pages, and read models as people read them."""

from functools import wraps

from django.utils.translation import gettext as _

from hcoc.lib.changes import rows_with_changes
from hcoc.lib.errors import NotFound, PermissionDenied
from hcoc.notifications.maps import notification_items
from hcoc.states.access import require_can_act_for
from hcoc.ui.pages import refused
from hcoc.ui.templatetags.hcoc import utc


def domain_errors(view):
    """PermissionDenied -> the 403 page; NotFound (also: not visible to you) -> 404."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (PermissionDenied, NotFound) as e:
            return refused(request, e)

    return wrapper


def may_act_for(user, state: str) -> bool:
    """Whether to offer a state's actions to this user; the services check again on use."""
    try:
        require_can_act_for(user, state)
    except PermissionDenied:
        return False
    return True


def is_illustrative(read_model: dict) -> bool:
    return bool(read_model.get("imported")) or "ILLUSTRATIVE" in (read_model.get("remarks") or "")


def flatten(value, prefix: str = "") -> dict[str, str]:
    """{"window": {"opens": ...}, "impact_areas": [{...}]} -> {"window.opens": ..., ...}."""
    out: dict[str, str] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else k))
    elif isinstance(value, list) and value:
        for i, v in enumerate(value):
            out.update(flatten(v, f"{prefix}[{i}]"))
    elif isinstance(value, list):
        out[prefix] = "—"
    elif isinstance(value, bool):
        out[prefix] = "true" if value else "false"
    else:
        out[prefix] = "—" if value is None else str(value)
    return out


def versions_with_changes(versions: list[dict]) -> list[dict]:
    """Each version's flattened content, each key marked changed against the version before
    (keys dropped by a version are listed as removed)."""
    marked = rows_with_changes([flatten(v["content"]) for v in versions], removed=_("(removed)"))
    return [
        {**v, "rows": rows, "changed_count": sum(r["changed"] for r in rows), "first": i == 0}
        for i, (v, rows) in enumerate(zip(versions, marked, strict=True))
    ]


def _n(value) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def _area_text(area: dict) -> str:
    if area.get("site_id"):
        text = _("site %(site)s") % {"site": area["site_id"]}
    elif area.get("center"):
        text = _("circle of %(r)s km around %(lat)s, %(lon)s") % {
            "r": _n(area.get("radius_km")),
            "lat": _n(area["center"].get("lat")),
            "lon": _n(area["center"].get("lon")),
        }
    elif area.get("polygon"):
        text = _("polygon of %(n)d points") % {"n": len(area["polygon"])}
    else:
        text = "—"
    if area.get("description"):
        text += f" ({area['description']})"
    if area.get("kind"):
        text = f"{area['kind']}: {text}"
    return text


def _direction_text(d: dict) -> str:
    if d.get("azimuth_deg") is not None:
        return _("azimuth %(a)s° true") % {"a": _n(d["azimuth_deg"])}
    return _("sector clockwise from %(a)s° to %(b)s° true") % {
        "a": _n(d.get("azimuth_from_deg")),
        "b": _n(d.get("azimuth_to_deg")),
    }


def summary(content: dict) -> list[tuple[str, str]]:
    """A PLN's content in plain words, for people checking what they send or receive."""
    window = content.get("window") or {}
    rows = [
        (_("Category"), content.get("category")),
        (_("Generic class"), content.get("generic_class")),
        (_("Vehicle"), content.get("vehicle_name") or "—"),
        (_("Test flight"), _("yes") if content.get("test_flight") else _("no")),
    ]
    if window:
        rows.append((_("Window"), f"{utc(window.get('opens'))} – {utc(window.get('closes'))}"))
    rows += [
        (_("Launch area"), _area_text(content.get("launch_area") or {})),
        (_("Planned direction"), _direction_text(content.get("planned_direction") or {})),
        (
            _("Impact areas"),
            "; ".join(_area_text(a) for a in content.get("impact_areas") or []) or "—",
        ),
        (_("Range"), f"{content['range_km']:g} km" if content.get("range_km") else "—"),
        (_("Apogee"), f"{content['apogee_km']:g} km" if content.get("apogee_km") else "—"),
        (_("Remarks"), content.get("remarks") or "—"),
    ]
    return rows


def map_data(read_models: list[dict], *, link: bool = True) -> dict:
    items = notification_items(read_models)
    if not link:
        for it in items:
            it.pop("href", None)
    return {"items": items}
