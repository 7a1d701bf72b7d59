"""The words the Python code composes itself are the reader's (issue 27): every plausibility
rule's message, a duration, a webhook address's refusal, the ICC's chase, the notice of a
disabled webhook and a declaration's reminder (each e-mail in its recipient's own language), and
the pages that name a field of the alerts form or of a certified key. test_marking.py catches a
literal left outside gettext where a page shows it; here each message is rendered, so one that
comes back unmarked (or marked but untranslated) fails, whichever way it was built."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone, translation
from pydantic import ValidationError
from support.bodies import pln
from support.ledger import give_root
from support.people import web_client
from support.receivers import LOOPBACK, Receiver

from hcoc.accounts.models import User
from hcoc.declarations.rules import (
    deadline_problems,
    declaration_rules,
    extension_problems,
    foreign_sites,
)
from hcoc.delivery.addresses import Refused, check
from hcoc.delivery.chases import chases_send_due
from hcoc.delivery.webhooks import deliver_due, endpoint_register
from hcoc.lib import marking
from hcoc.lib.geometry import polygon_problem
from hcoc.lib.problems import validation_message
from hcoc.lib.rule_tools import DAY_WORDS, calendar_date_problem, context_value
from hcoc.lib.timeutil import duration_text
from hcoc.notifications.rules import (
    SUBMISSION_TIME,
    import_rules,
    launch_window_problems,
    pln_rules,
    unnotified_rules,
)
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit
from hcoc.observers.rules import invitation_rules, reply_rules
from hcoc.states.models import PointOfContact

OTHERS = ["ar", "zh-hans", "fr", "ru", "es"]


def iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def rule_messages() -> list[str]:
    """One message of each plausibility rule (and of the PLN format's own checks), in the active
    language, in a fixed order."""
    now = timezone.now().replace(microsecond=0)
    today = now.date()
    out: list[str] = []

    def add(problems):
        out.extend(message for _loc, message in problems)

    # A PLN: unknown and impact-only sites, a window already closed that opens before the Code.
    add(
        pln_rules(
            pln(
                launch_area={"site_id": "RUS-KURA"},
                impact_areas=[{"kind": "stage", "site_id": "NOPE-SITE"}],
                window={"opens": "2001-01-01T00:00:00Z", "closes": "2001-01-02T00:00:00Z"},
            )
        )
    )
    later = now + timedelta(days=800)
    far = {"opens": iso(later), "closes": iso(later + timedelta(hours=1))}
    add(pln_rules(pln(window=far, category="BM", generic_class="SRBM", range_km=3000)))
    add(pln_rules(pln(category="BM", generic_class="ICBM", range_km=30000)))
    with context_value(SUBMISSION_TIME, now):  # a historical import's window rules
        add(pln_rules(pln(window=far)))
        add(pln_rules(pln(window={"opens": "1950-01-01T00:00:00Z", "closes": iso(later)})))
    opens = now
    out += launch_window_problems(opens - timedelta(days=40), opens, opens + timedelta(hours=1))
    out += launch_window_problems(opens + timedelta(days=800), opens, opens + timedelta(hours=1))
    add(unnotified_rules({"launched_at": iso(now + timedelta(days=1))}))
    add(unnotified_rules({"launched_at": "2001-01-01T00:00:00Z"}))
    add(
        import_rules(
            {"state": "QQQ", "first_submitted_at": "1950-01-01T00:00:00Z"}
            | {"notification": {"on_behalf_of": "FRA"}}
        )
    )
    add(import_rules({"state": "FRA", "first_submitted_at": "1960-01-01T00:00:00Z"}))
    # A declaration.
    add(declaration_rules({"year": today.year, "nil": False}))
    section = {
        "launches": [
            {"generic_class": "SLV-medium", "count": 1},
            {"generic_class": "SLBM", "count": 1},
            {"generic_class": "SLBM", "count": 2},
        ],
        "systems": [{"generic_class": "SLV-small"}],
    }
    add(declaration_rules({"year": today.year - 1, "nil": True, "ballistic_missiles": section}))
    add(deadline_problems(1990, date(1990, 6, 1)))
    add(extension_problems(2020, date(2030, 1, 1)))
    slv = {"space_launch_vehicles": {"launch_sites": [{"site_id": "JPN-TANEGASHIMA"}]}}
    add(foreign_sites("FRA", slv))
    # An observer invitation and a reply.
    yesterday, ahead = str(today - timedelta(days=1)), str(today + timedelta(days=3 * 365))
    add(
        invitation_rules(
            {"site_id": "FRA-KOUROU", "opens": yesterday, "closes": str(today - timedelta(days=2))}
            | {"reply_by": yesterday, "audience": "named", "named_states": []}
        )
    )
    add(
        invitation_rules(
            {"opens": str(today), "reply_by": str(today + timedelta(days=1))}
            | {"closes": str(today + timedelta(days=6 * 365))}
            | {"audience": "all", "named_states": ["QQQ", "JPN", "JPN"]}
        )
    )
    add(invitation_rules({"audience": "named", "named_states": ["JPN", "JPN"], "opens": ahead}))
    add(reply_rules({"answer": "accept", "observers": []}))
    add(reply_rules({"answer": "decline", "observers": [" "]}))
    out.append(calendar_date_problem(date(2000, 1, 1), today))
    # The shapes the PLN format checks itself, as a page shows them.
    for body in (
        pln(window={"opens": iso(later), "closes": iso(later - timedelta(hours=1))}),
        pln(window={"opens": iso(later), "closes": iso(later + timedelta(days=40))}),
        pln(launch_area={"site_id": "FRA-KOUROU", "center": {"lat": 1, "lon": 1}}),
        pln(launch_area={"center": {"lat": 1, "lon": 1}}),
        pln(launch_area={"site_id": "FRA-KOUROU", "radius_km": 5}),
        pln(planned_direction={"azimuth_deg": 90, "azimuth_from_deg": 80}),
        pln(planned_direction={"azimuth_from_deg": 80}),
        pln(planned_direction={"azimuth_from_deg": 80, "azimuth_to_deg": 300}),
        pln(generic_class="XRBM"),
        pln(generic_class="SRBM"),
    ):
        with pytest.raises(ValidationError) as e:
            PLNIn.model_validate(body)
        out += [validation_message(err) for err in e.value.errors()]
    out += [
        polygon_problem(points)
        for points in (
            [(0, 0), (1, 1)],
            [(0, 0), (1, 1), (0, 0), (2, 0), (3, 3)],
            [(0, 0), (1, 0), (2, 0)],
            [(0, 0), (2, 2), (2, 0), (0, 2)],
        )
    ]
    return out


def test_every_plausibility_rules_message_is_in_the_readers_language(personas):
    with translation.override("en"):
        english = rule_messages()
    # Each rule above spoke (the count stays the same in every language below).
    assert len(english) >= 45, english
    assert "must be at most a year after submission: " in "\n".join(english)
    for language in OTHERS:
        with translation.override(language):
            theirs = rule_messages()
        assert len(theirs) == len(english), language
        same = [e for e, t in zip(english, theirs, strict=True) if e == t]
        assert same == [], (language, same)


def test_a_message_keeps_its_numbers_references_and_codes_in_every_language(personas):
    with translation.override("fr"):
        [(loc, message)] = pln_rules(pln(category="BM", generic_class="SRBM", range_km=2000))
    assert loc == ("range_km",) and "portée" in message
    assert "SRBM" in message and "2,000 km" in message and "MRBM" in message, message
    with translation.override("ru"):
        [(_loc, message)] = foreign_sites(
            "FRA", {"space_launch_vehicles": {"launch_sites": [{"site_id": "JPN-TANEGASHIMA"}]}}
        )
    # The states by their names in the reader's language (CLDR), the site's id as it is.
    assert "JPN-TANEGASHIMA" in message and "Япония" in message and "Франция" in message


def test_the_days_the_rules_name_in_words_are_the_days_they_hold():
    for when, words in DAY_WORDS.items():
        assert words == f"{when.day} {when:%B %Y}"


def test_lib_writes_english_where_no_translator_is_registered():
    """A state's own tools and the verifier run lib without Django: its words as written."""
    registered = dict(marking._translators)
    marking._translators.update(gettext=marking._english, ngettext=marking._english_plural)
    try:
        with translation.override("fr"):
            assert duration_text(30) == "1 day 6 h"
            assert duration_text(48) == "2 days"
    finally:
        marking._translators.update(registered)
    with translation.override("fr"):
        assert duration_text(48) == "2 jours"  # and Django's, once hcoc.ui registered it


@pytest.mark.parametrize(
    "language, hours, text",
    [
        ("en", 274.27, "11 days 10 h"),
        ("en", 30, "1 day 6 h"),
        ("en", 5.5, "5 h 30 min"),
        ("en", 0.25, "15 min"),
        ("en", -3, "−3 h"),
        ("fr", 274.27, "11 jours 10 h"),
        ("fr", 24, "1 jour"),
        # Russian's three forms: 1, 21 день; 2-4, 22-24 дня; 5-20, 25-30 дней.
        ("ru", 24, "1 день"),
        ("ru", 21 * 24, "21 день"),
        ("ru", 3 * 24 + 2, "3 дня 2 ч"),
        ("ru", 11 * 24, "11 дней"),
        ("ru", 5.5, "5 ч 30 мин"),
        ("es", 2 * 24, "2 días"),
        ("zh-hans", 2 * 24 + 1, "2天 1小时"),
        ("ar", 11 * 24, "11 يومًا"),
    ],
)
def test_a_duration_reads_in_the_readers_language_with_its_plural_and_numbers(
    language, hours, text
):
    with translation.override(language):
        assert duration_text(hours) == text


def test_a_webhook_address_is_refused_in_the_readers_language(settings):
    def refusals() -> list[str]:
        found = []
        for url in ("ftp://x.example/", "https://u:p@x.example/", "https://x.example/#f"):
            with pytest.raises(Refused) as e:
                check(url, allowed=[])
            found.append(str(e.value))
        with pytest.raises(Refused) as e:
            check("http://127.0.0.1:9/", allowed=[])
        return [*found, str(e.value)]

    with translation.override("en"):
        english = refusals()
    assert english[-1].startswith("resolves to 127.0.0.1, a loopback address")
    with translation.override("es"):
        spanish = refusals()
    assert all(e != s for e, s in zip(english, spanish, strict=True)), spanish
    assert "127.0.0.1" in spanish[-1]


# ---- e-mails to a state, each in its recipient's own language ---------------------------------


@pytest.fixture
def readers_of_japan(personas):
    """Japan's reader chose French and its submitter Arabic; its desk (a point of contact with
    no account) reads the language its users chose most, Arabic on a tie (the first offered)."""
    User.objects.filter(username="jpn_reader").update(email="reader@mofa.example.jp", language="fr")
    User.objects.filter(username="jpn_submitter").update(
        email="submitter@mofa.example.jp", language="ar"
    )
    PointOfContact.objects.create(state_id="JPN", name="Desk", email="desk@mofa.example.jp")
    PointOfContact.objects.create(state_id="JPN", name="Reader", email="reader@mofa.example.jp")


def by_address(messages) -> dict[str, object]:
    return {address: m for m in messages for address in m.to}


def test_the_icc_chase_reaches_each_recipient_in_their_own_language(readers_of_japan):
    france = User.objects.get(username="fra_submitter")
    notification_submit(actor=france, data=PLNIn.model_validate(pln()))
    later = datetime.now(UTC) + timedelta(days=3)
    with time_machine.travel(later, tick=False):
        chases_send_due()
    sent = [m for m in mail.outbox if "mofa.example.jp" in m.to[0]]
    assert sorted(sorted(m.to) for m in sent) == [
        ["desk@mofa.example.jp"],  # Arabic: the state's language
        ["reader@mofa.example.jp"],  # French: the reader's own
    ]
    mails = by_address(sent)
    french, arabic = mails["reader@mofa.example.jp"], mails["desk@mofa.example.jp"]
    assert french.subject == "HCoC\u00a0: Japon n'a pas accusé réception de 1 élément"
    assert "Le Point de contact central immédiat vous rappelle" in french.body
    assert "Notification préalable au lancement" in french.body and "(France)" in french.body
    assert "اليابان" in arabic.subject
    assert "تذكّركم جهة الاتصال المركزية الفورية" in arabic.body and "فرنسا" in arabic.body


def test_the_notice_of_a_disabled_webhook_reaches_each_recipient_in_their_own_language(
    readers_of_japan, settings
):
    settings.WEBHOOK_ALLOWED_NETWORKS = LOOPBACK
    receiver = Receiver(status=410)
    try:
        japan = User.objects.get(username="jpn_submitter")
        endpoint, _secret = endpoint_register(actor=japan, url=receiver.url)
        france = User.objects.get(username="fra_submitter")
        notification_submit(actor=france, data=PLNIn.model_validate(pln()))
        deliver_due()
    finally:
        receiver.close()
    endpoint.refresh_from_db()
    # Recorded in English, as the API shows it.
    assert endpoint.disabled_reason == "the receiver answered 410 Gone"
    mails = by_address(mail.outbox)
    assert set(mails) == {
        "desk@mofa.example.jp",
        "reader@mofa.example.jp",
        "submitter@mofa.example.jp",
    }
    french, arabic = mails["reader@mofa.example.jp"], mails["submitter@mofa.example.jp"]
    assert mails["desk@mofa.example.jp"] is arabic  # one message per language
    assert french.subject == (
        f"HCoC\u00a0: le point de terminaison webhook {endpoint.pk} de Japon est désactivé"
    )
    assert "le destinataire a répondu 410 Gone" in french.body
    assert f'"after": {endpoint.cursor}' in french.body
    assert "اليابان" in arabic.subject and "410 Gone" in arabic.body
    assert "The exchange stopped" not in arabic.body and "receiver answered" not in arabic.body


# ---- field names on two pages, in words --------------------------------------------------------


def test_the_alerts_page_names_a_kind_by_its_label_not_its_code(personas):
    client = web_client("jpn_reader")
    User.objects.filter(username="jpn_reader").update(language="fr")
    page = client.post(
        "/account/alerts", {"mode-notification.launch_reported": "often"}, follow=True
    ).content.decode()
    assert "Rapport de lancement\u00a0: doit être" in page, page[-3000:]
    assert "notification.launch_reported:" not in page  # (the form's own field names it)


def test_the_signing_page_names_a_field_of_the_certified_key_in_words(api, personas):
    give_root(api, personas, "JPN")  # the page offers the form once the state has a root
    User.objects.filter(username="jpn_submitter").update(language="fr")
    certified = '{"key_id": "JPN-b1", "kind": "phone", "public_key": "x!"}'
    page = web_client("jpn_submitter").post("/log/signing", {"certified": certified})
    text = page.content.decode()
    assert page.status_code == 422
    assert "Type de clé\u00a0: doit être state" in text, text[-3000:]
    assert "Clé publique\u00a0: doit être" in text
    assert "kind:" not in text and "public_key:" not in text
    # The state by its name in the reader's language (CLDR), not the registry's English one.
    assert "Racine de Japon" in text and "Japan" not in text
