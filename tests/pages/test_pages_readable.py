"""What a duty officer reads shows no machine underneath (issue 25): every page of the phone
walk, every e-mail, the PDF and the CSVs, as each persona gets them, carry no ISO code standing
alone, no snake_case value, no time with microseconds and no RFC 3339 time (support.readable says
what counts,
and where a code may stand: beside its state's name, in an API, in a file meant for machines).

The world is the page matrix's (support.page_world), with what makes the words at issue appear:
an amendment (its e-mail says what changed), a position "no objection" at the meeting, a chase,
a declaration deadline passed, a webhook that stopped, and e-mail addresses for the readers, so
each kind of message is sent.

The ledger's and the account's pages (ledger:*, accounts:*) are left out here: they are being
changed apart (the log's key model), and that change reads them ("State FRA" on the account page
is the one finding there today).
"""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from support.bodies import pln
from support.page_world import build_world, pages_of
from support.pdf import visible_text
from support.readable import findings, readable_text

from hcoc.accounts.models import User
from hcoc.declarations.services import deadline_set, reminders_send
from hcoc.delivery.alerts import alerts_send_immediate, digests_send
from hcoc.delivery.chases import chase_item
from hcoc.delivery.models import Endpoint
from hcoc.delivery.webhooks import _tell_state_disabled
from hcoc.lib.geo.states import boundaries
from hcoc.meetings.models import Proposal
from hcoc.meetings.services import position_take
from hcoc.notifications.models import Notification
from hcoc.notifications.schemas import AmendmentIn
from hcoc.notifications.services import notification_amend
from hcoc.registry.services import contact_add
from hcoc.states.models import State
from hcoc.states.names import TERRITORIES, names_of

READERS = ["anonymous", "prk_user", "fra_reader", "fra_submitter", "jpn_submitter", "icc"]
APART = ("ledger:", "accounts:")  # the lead's, being changed (module docstring)


@pytest.fixture
def world(db, settings):
    settings.CHASE_AFTER_HOURS = 0
    mail.outbox.clear()
    clients, kwargs, _ = build_world()
    for name in ("fra_reader", "jpn_reader", "jpn_submitter", "icc"):
        User.objects.filter(username=name).update(email=f"{name}@example.org")
    fra = User.objects.get(username="fra_submitter")
    n = Notification.objects.get()
    day = (datetime.now(UTC) + timedelta(days=10)).date()
    window = {"opens": f"{day}T06:00:00Z", "closes": f"{day}T08:00:00Z"}
    notification_amend(
        actor=fra,
        reference=n.reference,
        data=AmendmentIn.model_validate(
            pln(window=window, planned_direction={"azimuth_deg": 95.0}, reason="Weather.")
        ),
    )
    position_take(
        actor=User.objects.get(username="jpn_submitter"),
        proposal=Proposal.objects.get(status="open"),
        position="no_objection",
    )
    contact_add(
        actor=User.objects.get(username="jpn_submitter"),
        state_iso3="JPN",
        name="HCoC desk",
        email="hcoc@mofa.example",
    )
    chase_item(actor=User.objects.get(username="icc"), seq=kwargs["exchange:icc_item"]["seq"])
    alerts_send_immediate()
    digests_send()
    # The declarations' reminders: the ICC's digest of the states past due (last year's
    # declarations were due yesterday), and the notice to a state that its webhook stopped.
    icc = User.objects.get(username="icc")
    today = datetime.now(UTC).date()
    deadline_set(actor=icc, year=today.year - 1, due_on=today - timedelta(days=1))
    reminders_send(today=today)
    _tell_state_disabled(Endpoint.objects.get(), status=410, error="")
    return clients, kwargs, day


# `heavy`: every page of the walk as each persona, rendered and read (8.5 CPU-s of 316 in one
# `make check` run): `make test` runs it, `make check` leaves it out.
@pytest.mark.heavy
def test_every_page_of_the_phone_walk_reads_in_words(world):
    clients, kwargs, _ = world
    found = {}
    for persona in READERS:
        for name in pages_of(persona):
            if name.startswith(APART):
                continue
            r = clients[persona].get(reverse(name, kwargs=kwargs.get(name)))
            assert r.status_code == 200, (persona, name, r.status_code)
            if got := findings(readable_text(r.content.decode())):
                found[f"{name} as {persona}"] = got
    assert found == {}, found


def test_every_e_mail_reads_in_words(world):
    assert {m.subject.split(":")[0] for m in mail.outbox} == {"HCoC"}
    subjects = [m.subject for m in mail.outbox]
    # Each kind the world makes was mailed: alerts (new, amended), a digest, a chase.
    assert any("Amended pre-launch notification" in s for s in subjects), subjects
    assert any("daily digest" in s for s in subjects), subjects
    assert any("has not acknowledged" in s for s in subjects), subjects
    assert any("now past due" in s for s in subjects), subjects
    assert any("webhook endpoint" in s for s in subjects), subjects
    found = {}
    for m in mail.outbox:
        texts = [m.subject, m.body] + [readable_text(c) for c, kind in m.alternatives]
        for text in texts:
            if got := findings(text):
                found.setdefault(f"{m.subject} to {m.to[0]}", []).extend(got)
    assert found == {}, found


def test_an_amendments_e_mail_says_what_changed_and_whether_it_concerns_the_reader(world):
    day = world[2]
    amended = [m for m in mail.outbox if "Amended" in m.subject]
    jpn = next(m for m in amended if m.to == ["jpn_reader@example.org"])
    assert "Changed: Window moved from " in jpn.body, jpn.body
    assert f"to {day} 06:00 UTC – {day} 08:00 UTC" in jpn.body, jpn.body
    assert "Changed: Planned direction changed from azimuth 90° to 95°" in jpn.body
    assert "Why: Weather." in jpn.body
    assert "State: France\n" in jpn.body
    # Japan's territory is nowhere near a launch from Kourou due east.
    assert "Your state: No: it does not concern your territory" in jpn.body, jpn.body
    icc = next(m for m in amended if m.to == ["icc@example.org"])
    assert "Concerns: States concerned: France" in icc.body, icc.body


@pytest.mark.process  # pdftotext
def test_the_pdfs_read_in_words(world):
    clients, kwargs, _ = world
    for persona in ("fra_reader", "jpn_submitter", "icc"):
        r = clients[persona].get(reverse("notifications:pdf", kwargs=kwargs["notifications:pdf"]))
        assert r.status_code == 200
        text = visible_text(r.content)
        # The navigational warning at the end is set as code, as the page's <pre>: the manner
        # of a NOTAM for an operations centre (lib/geo/notam.py), the site by its identifier.
        prose, warning = text.split("As a navigational warning")
        assert "LAUNCH AREA:" in warning
        assert "Notified by France" in prose or "France" in prose
        assert findings(prose) == [], persona
    # The compliance report for the Regular Meeting: states by name, lead times in days and hours.
    kw = {**kwargs["compliance:report"], "fmt": "pdf"}
    report = visible_text(
        clients["fra_reader"].get(reverse("compliance:report", kwargs=kw)).content
    )
    assert "Afghanistan (AFG)" in report and "Mean lead time" in report
    assert findings(report) == []


def test_the_csvs_name_each_state_beside_its_code_and_carry_no_microseconds(world):
    clients, kwargs, _ = world
    client = clients["icc"]
    acks = client.get(
        reverse("exchange:acknowledgements_csv", kwargs=kwargs["exchange:acknowledgements_csv"])
    )
    rows = list(csv.DictReader(io.StringIO(acks.content.decode())))
    assert rows
    for row in rows:
        assert row["state_name"] and row["state_name"] != row["state"], row
        # What a person reads of it: every cell but the code beside the name.
        assert findings(" ".join(v for k, v in row.items() if k != "state")) == [], row
    listing = client.get(reverse("notifications:list") + "?format=csv")
    rows = list(csv.DictReader(io.StringIO(listing.content.decode())))
    assert rows
    for row in rows:
        # A file meant for machines (the API's names and RFC 3339 times): each state's code
        # has its name beside it for the person who opens it in a spreadsheet.
        assert row["state_name"] == "France", row


def test_every_state_and_territory_the_geography_reports_has_a_name(db):
    """Affected states come from the shipped geography: each of its codes is named, by the
    registry or, for the five it reports under codes of their own, as its sources name them."""
    codes = {str(c) for c in boundaries().states}
    names = names_of(codes)
    assert sorted(codes - set(names)) == []
    assert {c: names[c] for c in TERRITORIES} == {
        "ATA": "Antarctica",
        "ESH": "Western Sahara",
        "TWN": "Taiwan",
        "XKX": "Kosovo",
        "NIU": "Niue",
    }
    assert not State.objects.filter(iso3__in=list(TERRITORIES)).exists()
