"""E-mail alerts for people: who hears of which feed item, and what the message says.

Each user chooses, per kind of feed item, `immediate`, `digest` (daily) or `none`. A user hears
of items of other states only (its own state's are its own; the inbox lists the same), and never
of an item its state may not see: a restricted invitation reaches only its addressees, the
inviter and the ICC (observers.access, the one rule of decision 0003).
"""

from django.conf import settings
from django.template.loader import render_to_string

from hcoc.accounts.models import Role, User
from hcoc.exchange.links import subject_link
from hcoc.exchange.models import EventKind
from hcoc.observers.access import can_see_invitation
from hcoc.states.access import can_read_exchange

from .models import AlertMode

# What a diplomat must hear of at once: a new, changed or cancelled notification, and a launch.
IMMEDIATE_KINDS = {
    EventKind.NOTIFICATION_SUBMITTED,
    EventKind.NOTIFICATION_AMENDED,
    EventKind.NOTIFICATION_CANCELLED,
    EventKind.NOTIFICATION_LAUNCH_REPORTED,
    EventKind.LAUNCH_UNNOTIFIED,
}
DEFAULT_MODES = {
    kind: AlertMode.IMMEDIATE if kind in IMMEDIATE_KINDS else AlertMode.DIGEST
    for kind in EventKind.values
}
KIND_LABELS = {
    EventKind.NOTIFICATION_SUBMITTED: "Pre-launch notification",
    EventKind.NOTIFICATION_AMENDED: "Amended pre-launch notification",
    EventKind.NOTIFICATION_CANCELLED: "Cancelled pre-launch notification",
    EventKind.NOTIFICATION_LAUNCH_REPORTED: "Launch report",
    EventKind.NOTIFICATION_IMPORTED: "Imported notification (historical)",
    EventKind.LAUNCH_UNNOTIFIED: "Launch without prior notification",
    EventKind.DECLARATION_SUBMITTED: "Annual declaration",
    EventKind.REGISTRY_SUBSCRIBED: "New subscribing state",
    EventKind.REGISTRY_CIRCULAR: "ICC circular",
    EventKind.MEETING_DECISION: "Regular Meeting decision",
    EventKind.MEETING_PROPOSAL_CIRCULATED: "Proposal circulated",
    EventKind.INVITATION_ISSUED: "Observer invitation",
}


def recipients() -> list[User]:
    """Active users with an e-mail address who read the exchange (subscribing states, the ICC)."""
    users = User.objects.filter(is_active=True).exclude(email="").select_related("state")
    return [u for u in users if can_read_exchange(u)]


class Audience:
    """Whether an item may be mailed to a user; restricted items asked once per state."""

    def __init__(self):
        self._restricted: dict[tuple[str, str], bool] = {}

    def may_mail(self, user: User, item: dict) -> bool:
        if user.state_id is not None and user.state_id == item["state"]:
            return False
        payload = item["payload"]
        if item["kind"] == EventKind.INVITATION_ISSUED and payload.get("audience") != "all":
            if user.role == Role.ICC:
                return True
            key = (user.state_id, item["subject"])
            if key not in self._restricted:
                self._restricted[key] = can_see_invitation(user, item["subject"])
            return self._restricted[key]
        return True


def _area(area: dict | None) -> str:
    if not area:
        return "—"
    if area.get("site_id"):
        text = area.get("site_name") or area["site_id"]
        text = f"{text} ({area['site_id']})" if area.get("site_name") else text
    elif area.get("center"):
        c = area["center"]
        text = f"circle of {area.get('radius_km')} km around {c['lat']}, {c['lon']}"
    elif area.get("polygon"):
        text = f"polygon of {len(area['polygon'])} points"
    else:
        text = "—"
    if area.get("description"):
        text += f"; {area['description']}"
    return text


def _direction(d: dict | None) -> str:
    if not d:
        return "—"
    if d.get("azimuth_deg") is not None:
        return f"azimuth {d['azimuth_deg']}° true"
    if d.get("azimuth_from_deg") is not None:
        return f"sector {d['azimuth_from_deg']}° to {d['azimuth_to_deg']}° true"
    return "—"


def facts(item: dict) -> list[tuple[str, str]]:
    """What a diplomat needs at a glance: reference, state, class, window (UTC, ISO 8601), launch
    area and direction for a notification; the subject and the state for anything else."""
    p = item["payload"]
    rows = [
        ("Item", f"#{item['seq']} {KIND_LABELS.get(item['kind'], item['kind'])}"),
        ("Reference", p.get("reference") or item["subject"]),
        ("State", item["state"]),
    ]
    if item["kind"].startswith("notification.") or item["kind"] == EventKind.LAUNCH_UNNOTIFIED:
        window = p.get("window") or {}
        rows += [
            ("Generic class", f"{p.get('generic_class', '—')} ({p.get('category', '—')})"),
            (
                "Window (UTC)",
                f"{window['opens']} to {window['closes']}" if window else "none (unnotified)",
            ),
            ("Launch area", _area(p.get("launch_area"))),
            ("Direction", _direction(p.get("planned_direction"))),
        ]
        if p.get("version"):
            rows.append(("Version", str(p["version"])))
        if (p.get("cancellation") or {}).get("reason"):
            rows.append(("Cancelled", p["cancellation"]["reason"]))
        if p.get("launch_report"):
            r = p["launch_report"]
            rows.append(("Launched", f"{r.get('launched_at')} ({r.get('outcome')})"))
    elif item["kind"] == EventKind.INVITATION_ISSUED and p.get("audience") != "all":
        rows.append(("Audience", "restricted: addressed to your state"))
    elif p.get("title"):
        rows.append(("Title", p["title"]))
    rows.append(("Entered the exchange", item["at"]))
    return rows


def link(item: dict, user: User) -> str:
    href, _ = subject_link(item, user)
    return settings.SITE_URL + (href or "/inbox")


def subject_line(item: dict) -> str:
    p = item["payload"]
    label = KIND_LABELS.get(item["kind"], item["kind"])
    what = p.get("reference") or item["subject"]
    extra = f", {p['generic_class']}" if p.get("generic_class") else ""
    return f"HCoC: {label} {what} ({item['state']}{extra})"


def render_alert(item: dict, user: User) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of one item's alert."""
    context = {"facts": facts(item), "link": link(item, user), "item": item}
    return (
        subject_line(item),
        render_to_string("delivery/alert.txt", context),
        render_to_string("delivery/alert.html", context),
    )


def render_digest(items: list[dict], user: User) -> tuple[str, str, str]:
    entries = [{"facts": facts(i), "link": link(i, user), "item": i} for i in items]
    context = {"entries": entries, "site": settings.SITE_URL}
    return (
        f"HCoC: daily digest, {len(items)} new {'item' if len(items) == 1 else 'items'}",
        render_to_string("delivery/digest.txt", context),
        render_to_string("delivery/digest.html", context),
    )
