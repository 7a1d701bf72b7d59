"""E-mail alerts for people: who hears of which feed item, what the message says, and sending
them: at once (`alerts_send_immediate`, each pass of the worker) or in a daily digest
(`digests_send`). Each item is recorded as mailed to a user (Alert) before it is sent, so it is
never mailed twice; the e-mail cursors (MailCursor) follow the feed.

Each user chooses, per kind of feed item, `immediate`, `digest` (daily) or `none`. A user hears
of items of other states only (its own state's are its own; the inbox lists the same), and never
of an item its state may not see: a restricted invitation reaches only its addressees, the
inviter and the ICC (observers.access, the one rule of decision 0003).
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from hcoc.accounts.access import may_act_as_icc
from hcoc.accounts.models import User
from hcoc.exchange.links import subject_link
from hcoc.exchange.models import Event, EventKind
from hcoc.exchange.selectors import event_as_item
from hcoc.lib.errors import FieldProblem, InvalidInput
from hcoc.lib.geo.states import WORDS
from hcoc.lib.timeutil import shown_utc
from hcoc.lib.vocabulary import category_words
from hcoc.notifications.history import changes
from hcoc.notifications.models import NotificationVersion
from hcoc.notifications.readmodel import version_read_model
from hcoc.observers.access import may_see_invitation
from hcoc.sites.selectors import site_details
from hcoc.states.access import may_read_exchange
from hcoc.states.names import name_of, names_of
from hcoc.ui.bidi import free_text, isolating, joined, percent
from hcoc.ui.templatetags.hcoc import outcome_word

from .models import Alert, AlertMode, AlertPreference, MailCursor

MAIL_BATCH = 500

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
    EventKind.NOTIFICATION_SUBMITTED: gettext_lazy("Pre-launch notification"),
    EventKind.NOTIFICATION_AMENDED: gettext_lazy("Amended pre-launch notification"),
    EventKind.NOTIFICATION_CANCELLED: gettext_lazy("Cancelled pre-launch notification"),
    EventKind.NOTIFICATION_LAUNCH_REPORTED: gettext_lazy("Launch report"),
    EventKind.NOTIFICATION_IMPORTED: gettext_lazy("Imported notification (historical)"),
    EventKind.LAUNCH_UNNOTIFIED: gettext_lazy("Launch without prior notification"),
    EventKind.DECLARATION_SUBMITTED: gettext_lazy("Annual declaration"),
    EventKind.REGISTRY_SUBSCRIBED: gettext_lazy("New subscribing state"),
    EventKind.REGISTRY_CIRCULAR: gettext_lazy("ICC circular"),
    EventKind.MEETING_DECISION: gettext_lazy("Regular Meeting decision"),
    EventKind.MEETING_PROPOSAL_CIRCULATED: gettext_lazy("Proposal circulated"),
    EventKind.INVITATION_ISSUED: gettext_lazy("Observer invitation"),
}


def recipients() -> list[User]:
    """Active users with an e-mail address who read the exchange (subscribing states, the ICC)."""
    users = User.objects.filter(is_active=True).exclude(email="").select_related("state")
    return [u for u in users if may_read_exchange(u)]


class MailAudience:
    """Whether an item may be mailed to a user; restricted items asked once per state."""

    def __init__(self):
        self._restricted: dict[tuple[str, str], bool] = {}

    def may_mail(self, user: User, item: dict) -> bool:
        if user.state_id is not None and user.state_id == item["state"]:
            return False
        payload = item["payload"]
        if item["kind"] == EventKind.INVITATION_ISSUED and payload.get("audience") != "all":
            if may_act_as_icc(user):
                return True
            key = (user.state_id, item["subject"])
            if key not in self._restricted:
                self._restricted[key] = may_see_invitation(user, item["subject"])
            return self._restricted[key]
        return True


def _area(area: dict | None, *, html: bool = False) -> str:
    if not area:
        return "—"
    ltr = isolating(html)
    if area.get("site_id"):
        text = area.get("site_name") or site_name(area["site_id"])
    elif area.get("center"):
        c = area["center"]
        text = percent(
            _("circle of %(radius)s km around %(lat)s, %(lon)s"),
            {"radius": ltr(area.get("radius_km")), "lat": ltr(c["lat"]), "lon": ltr(c["lon"])},
            html=html,
        )
    elif area.get("polygon"):
        text = _("polygon of %(count)s points") % {"count": len(area["polygon"])}
    else:
        text = "—"
    if area.get("description"):
        # The state's own words, beside an HTML sentence: joined, not added (a SafeString plus a
        # str is a str, and the alert's HTML part then showed its <bdi> tags as text).
        text = joined("; ", [text, free_text(area["description"], html=html)], html=html)
    return text


def site_name(site_id: str) -> str:
    """A launch site's name from the catalogue (its identifier only where it has none)."""

    return (site_details({site_id}).get(site_id) or {}).get("name") or site_id


def _direction(d: dict | None) -> str:
    if not d:
        return "—"
    if d.get("azimuth_deg") is not None:
        return _("azimuth %(deg)s° true") % {"deg": d["azimuth_deg"]}
    if d.get("azimuth_from_deg") is not None:
        return _("sector %(start)s° to %(end)s° true") % {
            "start": d["azimuth_from_deg"],
            "end": d["azimuth_to_deg"],
        }
    return "—"


def concerns(item: dict, user: User | None) -> str | None:
    """Whether a notification concerns the reader's state, in words, from the item's
    `affected_states` (its land or territorial sea under the launch area, an impact area or a
    corridor of a stated length) and the lower tier `in_planned_direction` (under a corridor
    whose length is the exchange's estimate: never "concerns"). For the ICC, which has no
    territory, the states concerned. None for an item without geography."""
    p = item["payload"]
    affected = p.get("affected_states")
    if affected is None:
        return None
    direction = p.get("in_planned_direction") or []
    state = getattr(user, "state_id", None)
    if state is None:
        codes = [r["state"] for r in affected]
        names = names_of(codes + [r["state"] for r in direction])
        text = ", ".join(names.get(c, c) for c in codes) or _("none")
        if direction:
            text += _("; in the planned direction only: ") + ", ".join(
                names.get(r["state"], r["state"]) for r in direction
            )
        return _("States concerned: %(states)s") % {"states": text}
    mine = next((r for r in affected if r["state"] == state), None)
    if mine is not None:
        return _("Yes: it concerns your territory (%(zones)s; %(parts)s)") % {
            "zones": ", ".join(_(WORDS.get(z, z)) for z in mine.get("zones") or []),
            "parts": ", ".join(_(WORDS.get(x, x)) for x in mine.get("parts") or []),
        }
    if any(r["state"] == state for r in direction):
        return _(
            "Your territory lies in the planned direction (the exchange's estimate of its "
            "length: not stated as concerned)"
        )
    return _("No: it does not concern your territory")


def amendment_changes(item: dict, *, html: bool = False) -> list[str]:
    """What an amendment changed against the version before, in the sentences the amendment's
    review and the notification's page show (notifications.history.changes)."""
    version = (item["payload"] or {}).get("version")
    if item["kind"] != EventKind.NOTIFICATION_AMENDED or not version or version < 2:
        return []

    rows = list(
        NotificationVersion.objects.filter(
            notification__reference=item["subject"], version__in=(version - 1, version)
        )
        .select_related("notification")
        .order_by("version")
    )
    if len(rows) != 2:
        return []
    before, after = (version_read_model(v.notification, v) for v in rows)
    return changes(before, after, html=html)


def facts(item: dict, user: User | None = None, *, html: bool = False) -> list[tuple[str, str]]:
    """What a diplomat needs at a glance: reference, state, class, window, launch area and
    direction for a notification, whether it concerns the reader's state and, for an
    amendment, what changed; the subject and the state for anything else. Names and times as
    people read them (a state's name, 2026-12-07 08:49 UTC). As text (the text e-mail), or with
    `html=True` for the HTML e-mail: times, references and codes isolated left to right, the
    state's own words with their own direction (hcoc.ui.bidi)."""
    p = item["payload"]
    ltr = isolating(html)
    rows = [
        (_("Item"), f"#{item['seq']} {KIND_LABELS.get(item['kind'], item['kind'])}"),
        (_("Reference"), ltr(p.get("reference") or item["subject"])),
        (_("State"), name_of(item["state"]) or "—"),
    ]
    if item["kind"].startswith("notification.") or item["kind"] == EventKind.LAUNCH_UNNOTIFIED:
        window = p.get("window") or {}
        rows += [
            (
                _("Generic class"),
                joined(
                    " ",
                    [ltr(p.get("generic_class", "—")), f"({_(category_words(p.get('category')))})"],
                    html=html,
                ),
            ),
            (
                _("Window"),
                percent(
                    _("%(opens)s to %(closes)s"),
                    {
                        "opens": ltr(shown_utc(window["opens"])),
                        "closes": ltr(shown_utc(window["closes"])),
                    },
                    html=html,
                )
                if window
                else _("none (unnotified)"),
            ),
            (_("Launch area"), _area(p.get("launch_area"), html=html)),
            (_("Direction"), _direction(p.get("planned_direction"))),
        ]
        if (concern := concerns(item, user)) is not None:
            rows.append(
                (_("Your state"), concern)
                if getattr(user, "state_id", None)
                else (_("Concerns"), concern)
            )
        if p.get("version"):
            rows.append((_("Version"), str(p["version"])))
        for sentence in amendment_changes(item, html=html):
            rows.append((_("Changed"), sentence))
        if p.get("amendment_reason") and item["kind"] == EventKind.NOTIFICATION_AMENDED:
            rows.append((_("Why"), free_text(p["amendment_reason"], html=html)))
        if (p.get("cancellation") or {}).get("reason"):
            rows.append((_("Cancelled"), free_text(p["cancellation"]["reason"], html=html)))
        if p.get("launch_report"):
            r = p["launch_report"]
            launched = ltr(shown_utc(r.get("launched_at")))
            rows.append(
                (
                    _("Launched"),
                    joined(" ", [launched, f"({outcome_word(r.get('outcome'))})"], html=html),
                )
            )
    elif item["kind"] == EventKind.INVITATION_ISSUED and p.get("audience") != "all":
        rows.append((_("Audience"), _("restricted: addressed to your state")))
    elif p.get("title"):
        rows.append((_("Title"), free_text(p["title"], html=html)))
    rows.append((_("Entered the exchange"), ltr(shown_utc(item["at"]))))
    return rows


def link(item: dict, user: User) -> str:
    href, _label = subject_link(item, user)
    return settings.SITE_URL + (href or "/inbox")


def subject_line(item: dict) -> str:
    p = item["payload"]
    label = KIND_LABELS.get(item["kind"], item["kind"])
    what = p.get("reference") or item["subject"]
    extra = f", {p['generic_class']}" if p.get("generic_class") else ""
    state = name_of(item["state"])
    return f"HCoC: {label} {what} ({state}{extra})" if state else f"HCoC: {label} {what}{extra}"


def language_of(user: User | None) -> str:
    """The language a user's e-mails are written in: their own choice (the language switch),
    else English (issue 27)."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def render_alert(item: dict, user: User) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of one item's alert, in the user's language."""
    with translation.override(language_of(user)):
        context = {"facts": facts(item, user), "link": link(item, user), "item": item}
        # The HTML part isolates times and references (hcoc.ui.bidi); the text part has none.
        html = {**context, "facts": facts(item, user, html=True)}
        return (
            subject_line(item),
            render_to_string("delivery/alert.txt", context),
            render_to_string("delivery/alert.html", html),
        )


def render_digest(items: list[dict], user: User) -> tuple[str, str, str]:
    with translation.override(language_of(user)):
        entries = [{"facts": facts(i, user), "link": link(i, user), "item": i} for i in items]
        context = {"entries": entries, "site": settings.SITE_URL}
        html = {
            **context,
            "entries": [{**e, "facts": facts(e["item"], user, html=True)} for e in entries],
        }
        count = len(items)
        return (
            ngettext(
                "HCoC: daily digest, %(count)s new item",
                "HCoC: daily digest, %(count)s new items",
                count,
            )
            % {"count": count},
            render_to_string("delivery/digest.txt", context),
            render_to_string("delivery/digest.html", html),
        )


# ---- choices and sending ---------------------------------------------------------------------


def alert_modes_set(*, user: User, modes: dict[str, str]) -> None:
    """The user's own choices (only its own: it is the actor)."""
    problems = [
        FieldProblem(kind, _("unknown kind of item"))
        for kind in modes
        if kind not in EventKind.values
    ] + [
        FieldProblem(kind, _("must be immediate, digest or none"))
        for kind, mode in modes.items()
        if mode not in AlertMode.values
    ]
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        for kind, mode in modes.items():
            if mode == DEFAULT_MODES[kind]:
                AlertPreference.objects.filter(user=user, kind=kind).delete()
            else:
                AlertPreference.objects.update_or_create(
                    user=user, kind=kind, defaults={"mode": mode}
                )


def _modes_by_user(users: list[User]) -> dict[int, dict[str, str]]:
    modes = {u.pk: dict(DEFAULT_MODES) for u in users}
    for user_id, kind, mode in AlertPreference.objects.filter(user_id__in=list(modes)).values_list(
        "user_id", "kind", "mode"
    ):
        modes[user_id][kind] = mode
    return modes


def alerts_start_at_feed_end() -> None:
    """E-mail alerts consider only items from now on (the demo, after making its history)."""
    last = Event.objects.aggregate(m=Max("seq"))["m"] or 0
    for name in ("immediate", "digest"):
        MailCursor.objects.update_or_create(name=name, defaults={"seq": last})


def daily_run_claim(today) -> bool:
    """True once a day (the worker's digests and chases), also across the worker's restarts."""
    with transaction.atomic():
        row = MailCursor.objects.select_for_update().get_or_create(
            name="daily", defaults={"seq": 0}
        )[0]
        if row.seq >= today.toordinal():
            return False
        row.seq = today.toordinal()
        row.save(update_fields=["seq"])
    return True


def _cursor(name: str) -> MailCursor:
    return MailCursor.objects.get_or_create(name=name, defaults={"seq": 0})[0]


def _claim(user: User, seqs: list[int], mode: str) -> list[int]:
    """Record the items as mailed to the user before sending (never twice); those already
    recorded, at once or in a digest, are left out."""
    have = set(Alert.objects.filter(user=user, seq__in=seqs).values_list("seq", flat=True))
    new = [s for s in seqs if s not in have]
    now = timezone.now()
    try:
        with transaction.atomic():
            Alert.objects.bulk_create(
                [Alert(user=user, seq=s, mode=mode, sent_at=now) for s in new]
            )
    except IntegrityError:  # another run recorded one of them first
        return []
    return new


def _send(messages: list[tuple[User, list[int], EmailMultiAlternatives]]) -> None:
    """Send; a message that could not go is unrecorded, so the next run tries it again."""
    with get_connection() as connection:
        for user, seqs, message in messages:
            message.connection = connection
            try:
                message.send()
            except Exception:
                Alert.objects.filter(user=user, seq__in=seqs).delete()
                raise


def _message(user: User, subject: str, text: str, html: str) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(html, "text/html")
    return message


def alerts_send_immediate(*, limit: int = MAIL_BATCH) -> int:
    """Mail each new item at once to whoever chose `immediate` for its kind. Returns how many
    messages went."""
    cursor = _cursor("immediate")
    events = list(Event.objects.filter(seq__gt=cursor.seq).order_by("seq")[:limit])
    if not events:
        return 0
    users = recipients()
    modes = _modes_by_user(users)
    audience = MailAudience()
    sent = 0
    for event in events:
        item = event_as_item(event)
        outgoing = []
        for user in users:
            if modes[user.pk][item["kind"]] != AlertMode.IMMEDIATE:
                continue
            if not audience.may_mail(user, item) or not _claim(
                user, [item["seq"]], AlertMode.IMMEDIATE
            ):
                continue
            outgoing.append((user, [item["seq"]], _message(user, *render_alert(item, user))))
        _send(outgoing)
        sent += len(outgoing)
        MailCursor.objects.filter(name="immediate").update(seq=event.seq)
    return sent


def digests_send(*, limit: int = 5000) -> int:
    """One message per user who chose `digest` for some kind, listing the items of those kinds
    since the last digest. An item is never mailed twice to anyone. Returns messages sent."""
    cursor = _cursor("digest")
    events = list(Event.objects.filter(seq__gt=cursor.seq).order_by("seq")[:limit])
    if not events:
        return 0
    items = [event_as_item(e) for e in events]
    users = recipients()
    modes = _modes_by_user(users)
    audience = MailAudience()
    outgoing = []
    for user in users:
        mine = [
            i
            for i in items
            if modes[user.pk][i["kind"]] == AlertMode.DIGEST and audience.may_mail(user, i)
        ]
        claimed = set(_claim(user, [i["seq"] for i in mine], AlertMode.DIGEST)) if mine else set()
        mine = [i for i in mine if i["seq"] in claimed]
        if mine:
            seqs = [i["seq"] for i in mine]
            outgoing.append((user, seqs, _message(user, *render_digest(mine, user))))
    _send(outgoing)
    MailCursor.objects.filter(name="digest").update(seq=events[-1].seq)
    return len(outgoing)
