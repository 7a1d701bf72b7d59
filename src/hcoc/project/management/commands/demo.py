"""`hcoc demo`: a ready-to-try exchange on SQLite with demo users and an ILLUSTRATIVE year.

Everything the demo invents is marked "ILLUSTRATIVE DEMO DATA" in its remarks and import source:
it shows how the exchange works and is not a record of any real launch or declaration.
"""

import json
import random
import secrets
import time
from base64 import b32encode
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from hcoc.accounts.models import Role, User
from hcoc.accounts.services import token_create, user_create
from hcoc.declarations.schemas import DeclarationIn
from hcoc.declarations.services import deadline_set, declaration_submit
from hcoc.delivery.alerts import alerts_start_at_feed_end, daily_run_claim
from hcoc.exchange.models import Event
from hcoc.exchange.services import acknowledgements_record
from hcoc.ledger import request_context, trust
from hcoc.ledger.client import (
    b64,
    body_digest,
    key_generate,
    private_key_load,
    private_key_save,
    signing_input,
)
from hcoc.ledger.services import (
    checkpoint_current,
    cosignature_add,
    credential_register,
    root_confirm,
    root_register,
)
from hcoc.ledger.tlog import note
from hcoc.meetings import services as meetings
from hcoc.meetings.models import Meeting
from hcoc.notifications.models import Notification
from hcoc.notifications.schemas import ImportIn, PLNIn
from hcoc.notifications.services import notification_import, notification_submit
from hcoc.observers.schemas import InvitationIn, ReplyIn
from hcoc.observers.services import invitation_confirm, invitation_issue, invitation_reply
from hcoc.registry.services import circular_publish, contact_add
from hcoc.sites.models import LaunchSite, SiteKind


@contextmanager
def _clock_back(delta: timedelta):
    """Run what the demo writes as of `delta` ago, the clock still running: every write reads
    the time through django.utils.timezone.now (under the exchange's lock, sequence_lock), so
    the history is dated then, in order. For the demo's new, empty database only: the exchange
    itself never back-dates (order is truth, docs/architecture.md)."""
    real = timezone.now
    with mock.patch("django.utils.timezone.now", lambda: real() - delta):
        yield


LABEL = "ILLUSTRATIVE DEMO DATA: not a real notification."
# Where the demo's webhooks may go (Makefile `run`): this machine, so they can be tried on it.
DEMO_WEBHOOK_NETWORKS = "127.0.0.0/8,::1/128"
STATES = ["USA", "FRA", "IND", "JPN", "RUS", "GBR", "DEU", "KOR"]
NON_SUBSCRIBER = "PRK"
WITNESS_KEY = "GBR-demo-1"
# The states that make root keys in the demo (the others have none: their entries are unsigned).
ROOTED = ("GBR", "FRA")
# (state, category, generic class, launches in the illustrative year)
PROGRAMME = [
    ("USA", "BM", "ICBM", 4),
    ("USA", "SLV", "SLV-medium", 10),
    ("USA", "SLV", "SLV-heavy", 2),
    ("FRA", "BM", "SLBM", 1),
    ("FRA", "SLV", "SLV-medium", 3),
    ("IND", "BM", "IRBM", 2),
    ("IND", "SLV", "SLV-medium", 4),
    ("JPN", "SLV", "SLV-medium", 3),
    ("RUS", "BM", "ICBM", 3),
    ("RUS", "SLV", "SLV-medium", 8),
    ("GBR", "BM", "SLBM", 1),
    ("KOR", "SLV", "SLV-small", 1),
]


class Command(BaseCommand):
    help = (
        "Create the demo database: registry, sites, demo users with tokens, an illustrative year."
    )

    def handle(self, *args, **opts):
        creds_path = settings.VAR_DIR / "demo-credentials.json"
        call_command("migrate", verbosity=0)
        call_command("load_reference", verbosity=0)
        if User.objects.filter(username="icc").exists() and creds_path.exists():
            self.stdout.write(f"Demo already set up; credentials in {creds_path}")
            self._print(json.loads(creds_path.read_text()))
            return
        creds = self._users()
        self._contacts()
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        creds_path.write_text(json.dumps(creds, indent=2))
        creds_path.chmod(0o600)
        # The illustrative year is history, written as of a day more than the ICC lets states
        # take to acknowledge (HCOC_CHASE_AFTER_HOURS): its items that states have not
        # acknowledged can be chased at once (/icc/items/<seq>). The log's keys come first, as
        # they did then: everything is dated in order, so verifiers see nothing back-dated.
        with _clock_back(timedelta(hours=settings.CHASE_AFTER_HOURS + 24)):
            self._illustrative_year()
        self._now_and_next()
        # The illustrative year is history: e-mail alerts start with what happens from now on,
        # and the worker's first daily chase is tomorrow's (today the ICC may try the button
        # on the history instead of finding every item already chased by the worker).
        alerts_start_at_feed_end()
        daily_run_claim(timezone.now().date())
        self.stdout.write(f"Demo ready; credentials written to {creds_path}")
        self._print(creds)

    def _roots(self):
        """France and the United Kingdom make root keys, as a state's key custodian does
        (`hcoc key init`, on the state's own machine: here, files under var/demo-keys), register
        them, and confirm their fingerprints by note (recorded by the ICC). The United Kingdom's
        root certifies its system's API key, whose private half is written beside it, to try
        signed requests and `hcoc witness`. From then on everything done in their names must be
        signed: France's people set up signing in their browsers (/log/signing), certifying
        their keys with the root file."""
        icc = User.objects.get(username="icc")
        keys_dir = settings.VAR_DIR / "demo-keys"
        keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        for iso3 in ROOTED:
            root = Ed25519PrivateKey.generate()
            root_file = keys_dir / f"{iso3}-root-1.pem"
            root_file.unlink(missing_ok=True)
            private_key_save(root, root_file)
            public = trust.public_bytes(root)
            key_id = f"{iso3}-root-1"
            statement = trust.credential(
                state=iso3, key_id=key_id, kind=trust.ROOT, public_key=public
            )
            root_register(
                actor=User.objects.get(username=iso3.lower()),
                state_iso3=iso3,
                key_id=key_id,
                public_key=b64(public),
                proof=trust.sign(root, trust.credential_message(statement)),
            )
            root_confirm(
                actor=icc,
                state_iso3=iso3,
                key_id=key_id,
                fingerprint=trust.fingerprint(public),
                note_reference=f"{iso3}/2026/1 (ILLUSTRATIVE DEMO DATA)",
            )
        key, public = key_generate()
        key_file = keys_dir / f"{WITNESS_KEY}.pem"
        key_file.unlink(missing_ok=True)
        private_key_save(key, key_file)
        statement = trust.credential(
            state="GBR", key_id=WITNESS_KEY, kind=trust.SYSTEM, public_key=trust.public_bytes(key)
        )
        credential_register(
            actor=User.objects.get(username="gbr"),
            state_iso3="GBR",
            key_id=WITNESS_KEY,
            public_key=public,
            certified_by="GBR-root-1",
            certificate=trust.sign(
                private_key_load(keys_dir / "GBR-root-1.pem"), trust.credential_message(statement)
            ),
        )
        return key_file

    def _signed_acknowledgement(self, key_file) -> None:
        """The United Kingdom's system acknowledges everything so far with a signed request,
        signed exactly as its system signs `POST /api/v1/acknowledgements` (the demo runs the
        service in this process instead of sending the request)."""
        body = {"up_to": Event.objects.order_by("-seq").values_list("seq", flat=True).first()}
        path = "/api/v1/acknowledgements"
        created = int(time.time())
        digest = body_digest(json.dumps(body).encode())
        sig = private_key_load(key_file).sign(signing_input("POST", path, created, digest))
        signed = request_context.SignedRequest(
            key_id=WITNESS_KEY,
            created=created,
            sig=sig,
            method="POST",
            path=path,
            body=body,
            body_sha256=digest,
        )
        token = request_context.signed_request.set(signed)
        try:
            acknowledgements_record(actor=User.objects.get(username="gbr"), up_to=body["up_to"])
        finally:
            request_context.signed_request.reset(token)

    def _witness(self, key_file) -> None:
        """The United Kingdom's witness cosigns the log's checkpoint at the end of the demo."""

        body = note.note_parse(checkpoint_current().note)[0]
        line = note.CosignatureSigner(WITNESS_KEY, private_key_load(key_file)).cosign(
            body, int(time.time())
        )
        cosignature_add(actor=User.objects.get(username="gbr"), checkpoint=body, cosignature=line)

    def _print(self, creds: dict) -> None:
        for who, c in creds.items():
            self.stdout.write(
                f"  {who:4} user {c['username']:14} password {c['password']}  token {c['token']}"
            )
        if "totp_secret" in creds.get("ICC", {}):
            self.stdout.write(
                f"  The ICC logs in with a two-factor code: add the key {creds['ICC']['totp_secret']}"
                " (TOTP, SHA-1, 6 digits, 30 s) to an authenticator app."
            )
        key_file = settings.VAR_DIR / "demo-keys" / f"{WITNESS_KEY}.pem"
        self.stdout.write(
            f"  GBR and FRA have root keys ({key_file.parent}/<STATE>-root-1.pem), confirmed by "
            f"note: everything done in their names must be signed. GBR's system signs its API "
            f"requests with {WITNESS_KEY} ({key_file}), certified by its root; FRA's people set "
            "up signing in their browsers (/log/signing) and certify the key with `hcoc key "
            "certify --root ... --root-id FRA-root-1`. The transparency log: /log."
        )
        self.stdout.write(
            "  Webhooks and e-mail alerts: /account. `make run` lets webhooks reach this machine "
            f"(HCOC_WEBHOOK_ALLOWED_NETWORKS={DEMO_WEBHOOK_NETWORKS}); `hcoc serve` starts the "
            "delivery worker, and e-mails are printed to its console."
        )

    def _users(self) -> dict:
        creds = {}
        for who in ["ICC", *STATES, NON_SUBSCRIBER]:
            password = secrets.token_urlsafe(12)
            extra = {}
            if who == "ICC":
                user = user_create(
                    username="icc",
                    password=password,
                    role=Role.ICC,
                    state_iso3=None,
                    email="icc@demo.invalid",  # .invalid: a reserved name, never delivered
                )
                user.is_staff = user.is_superuser = True  # the ICC runs the admin
                user.save(update_fields=["is_staff", "is_superuser"])
                # The ICC must log in with a second factor: enrol one, and give its key so that
                # whoever tries the demo can add it to an authenticator app.
                device = TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
                extra = {
                    "totp_secret": b32encode(device.bin_key).decode(),
                    "totp_uri": device.config_url,
                }
            else:
                role = Role.READER if who == NON_SUBSCRIBER else Role.SUBMITTER
                user = user_create(
                    username=who.lower(),
                    password=password,
                    role=role,
                    state_iso3=who,
                    email=f"{who.lower()}@demo.invalid",
                )
            # The demo seeds its own illustrative users, so it uses the low-level primitive. Out
            # of the demo, no door (console, admin, `hcoc token create`) makes a token for a
            # state's user: only that user does, on /account (accounts.services.token_issue).
            _, token = token_create(user=user, name="demo")
            creds[who] = {"username": user.username, "password": password, "token": token, **extra}
        return creds

    def _contacts(self) -> None:
        """A point of contact of each demo state, added by its own submitter (so recorded, and
        shown on /contacts and the ICC's /icc/contacts); .invalid addresses are never delivered."""
        for iso3 in STATES:
            contact_add(
                actor=User.objects.get(username=iso3.lower()),
                state_iso3=iso3,
                name="HCoC desk (illustrative demo data)",
                organisation="Ministry of Foreign Affairs",
                email=f"hcoc-desk@{iso3.lower()}.demo.invalid",
            )

    def _area(self, iso3: str, category: str, rng: random.Random) -> dict:
        sites = list(
            LaunchSite.objects.filter(
                state_id=iso3, kinds__contains=category, site_kind__in=SiteKind.launching()
            )
        )
        if sites:
            return {"site_id": rng.choice(sites).id}
        return {"center": {"lat": 0.0, "lon": 0.0}, "radius_km": 50.0, "description": "demo area"}

    def _pln(self, iso3, category, generic_class, opens, rng) -> dict:
        return {
            "category": category,
            "generic_class": generic_class,
            "vehicle_name": f"Demo {generic_class}",
            "test_flight": category == "BM",
            "window": {
                "opens": opens.strftime("%Y-%m-%dT%H:00:00Z"),
                "closes": (opens + timedelta(hours=rng.choice([6, 12, 24, 72]))).strftime(
                    "%Y-%m-%dT%H:00:00Z"
                ),
            },
            "launch_area": self._area(iso3, category, rng),
            "planned_direction": {"azimuth_deg": float(rng.randrange(0, 360))},
            "remarks": LABEL,
        }

    def _illustrative_year(self) -> None:
        rng = random.Random(2002)
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        year = now.year - 1
        icc = User.objects.get(username="icc")
        users = {u.state_id: u for u in User.objects.filter(state_id__in=STATES)}
        # The illustrative year's declarations are due in 20 days: the compliance page shows
        # who has filed, and `hcoc reminders send --dry-run` the reminders due now.
        deadline_set(actor=icc, year=year, due_on=(now + timedelta(days=20)).date())
        start = now.replace(year=year, month=1, day=2, hour=6)
        for iso3, category, generic_class, count in PROGRAMME:
            # One more PLN than launches: the last stays without a report (status unreported).
            for i in range(count + 1):
                opens = start + timedelta(days=rng.randrange(0, 350), hours=rng.randrange(0, 12))
                body = self._pln(iso3, category, generic_class, opens, rng)
                report = None
                if i < count:
                    report = {
                        "launched_at": (opens + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:00Z"),
                        "outcome": rng.choice(["success"] * 8 + ["failure", "partial"]),
                        "remarks": LABEL,
                    }
                notification_import(
                    actor=icc,
                    data=ImportIn.model_validate(
                        {
                            "state": iso3,
                            "first_submitted_at": (
                                opens - timedelta(days=rng.randrange(2, 15))
                            ).strftime("%Y-%m-%dT%H:%M:00Z"),
                            "notification": body,
                            "launch_report": report,
                            "source": "ILLUSTRATIVE DEMO DATA generated by `hcoc demo`",
                        }
                    ),
                )
        # Declarations: most match their reports; FRA under-declares, so the crosscheck shows it.
        declared: dict[str, dict[str, list]] = {}
        for iso3, category, generic_class, count in PROGRAMME:
            if iso3 == "FRA" and category == "SLV":
                count -= 1
            section = "ballistic_missiles" if category == "BM" else "space_launch_vehicles"
            declared.setdefault(iso3, {}).setdefault(section, []).append(
                {"generic_class": generic_class, "count": count}
            )
        for iso3, sections in declared.items():
            if iso3 == "RUS":
                continue  # a missing declaration, to show one
            declaration_submit(
                actor=users[iso3],
                data=DeclarationIn.model_validate(
                    {
                        "year": year,
                        **{
                            name: {"policy": f"{LABEL} Outline of policy.", "launches": rows}
                            for name, rows in sections.items()
                        },
                        "observers": {"invites": False},
                        "remarks": LABEL,
                    }
                ),
            )
        declaration_submit(
            actor=users["DEU"],
            data=DeclarationIn.model_validate({"year": year, "nil": True, "remarks": LABEL}),
        )
        # Upcoming windows: submitted now, for the weeks ahead.
        for iso3, category, generic_class in [
            ("USA", "BM", "ICBM"),
            ("FRA", "SLV", "SLV-medium"),
            ("JPN", "SLV", "SLV-medium"),
            ("IND", "BM", "IRBM"),
        ]:
            opens = now + timedelta(days=rng.randrange(3, 30), hours=rng.randrange(0, 12))
            notification_submit(
                actor=users[iso3],
                data=PLNIn.model_validate(self._pln(iso3, category, generic_class, opens, rng)),
            )
        # Some states have acknowledged everything so far; others lag, to show the difference.
        last = Notification.objects.count()
        for iso3 in ["USA", "GBR", "DEU"]:
            acknowledgements_record(actor=users[iso3], up_to=last)
        acknowledgements_record(actor=users["JPN"], up_to=max(1, last // 2))

    def _now_and_next(self) -> None:
        """What happens today, after the history: invitations, a circular, Regular Meeting 25,
        and the witness's cosignature of the log as it then stands."""
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        icc = User.objects.get(username="icc")
        users = {u.state_id: u for u in User.objects.filter(state_id__in=STATES)}
        self._invitations_and_news(users, icc, now)
        self._regular_meeting(icc, users, now)
        key_file = self._roots()
        self._signed_acknowledgement(key_file)
        self._witness(key_file)

    def _invitations_and_news(self, users: dict, icc, now) -> None:
        """An invitation open to all (one acceptance confirmed, one decline), one to named
        states only (the others see only its commitment in the feed), and an ICC circular."""

        today = now.date()
        common = {
            "opens": (today + timedelta(days=40)).isoformat(),
            "closes": (today + timedelta(days=42)).isoformat(),
            "reply_by": (today + timedelta(days=25)).isoformat(),
            "remarks": LABEL,
        }
        open_to_all = invitation_issue(
            actor=users["FRA"],
            data=InvitationIn.model_validate(
                {
                    "site_id": "FRA-KOUROU",
                    "access": "Launch control centre (Jupiter room) and the observation site at "
                    "6 km from the pad; briefing by the launch director; no access to the payload.",
                    "audience": "all",
                    "places": 4,
                    **common,
                }
            ),
        )
        for iso3, body in (
            ("JPN", {"answer": "accept", "observers": ["Demo observer A", "Demo observer B"]}),
            ("DEU", {"answer": "decline"}),
            ("KOR", {"answer": "accept", "observers": ["Demo observer C"]}),
        ):
            invitation_reply(
                actor=users[iso3],
                reference=open_to_all.reference,
                data=ReplyIn.model_validate(body),
            )
        invitation_confirm(actor=users["FRA"], reference=open_to_all.reference, state_iso3="JPN")
        sites = LaunchSite.objects.filter(state_id="JPN").order_by("id")
        invitation_issue(
            actor=users["JPN"],
            data=InvitationIn.model_validate(
                {
                    "site_id": sites.first().id,
                    "access": "Range control building; the pad area during the countdown rehearsal.",
                    "audience": "named",
                    "named_states": ["KOR", "USA"],
                    "places": 2,
                    **common,
                }
            ),
        )
        circular_publish(
            actor=icc,
            title="ILLUSTRATIVE DEMO DATA: new subscribing states",
            text=f"{LABEL} The Immediate Central Contact informs the subscribing states of the "
            "registry's news: see the history of the registry on the registry page.",
        )

    def _regular_meeting(self, icc, users, now) -> None:
        """An illustrative Regular Meeting chaired by Japan, still open: attendance, a decision
        adopted, one blocked by a present state's objection, and a silence procedure running."""

        last = Meeting.objects.order_by("-number").first()
        number = last.number + 1 if last else 25
        chair = users["JPN"]
        m = meetings.meeting_create(
            actor=icc,
            number=number,
            opens_on=now.date(),
            closes_on=(now + timedelta(days=1)).date(),
            place="Vienna (ILLUSTRATIVE DEMO DATA)",
            chair_state="JPN",
        )
        m = meetings.meeting_open(actor=chair, meeting=m)
        for title in ("Adoption of the agenda", "Outreach and universality", "Next meeting"):
            meetings.agenda_item_add(actor=chair, meeting=m, title=title)
        meetings.document_add(
            actor=icc,
            meeting=m,
            name="provisional-agenda.pdf",
            data=b"%PDF-1.4\n% ILLUSTRATIVE DEMO DATA: provisional agenda\n%%EOF\n",
        )
        for iso3 in ("JPN", "FRA", "USA", "IND", "GBR", "DEU"):
            meetings.attendance_record(actor=users[iso3], meeting=m, action="check_in")
        adopted = meetings.proposal_table(
            actor=chair,
            meeting=m,
            agenda_item=1,
            text=f"To adopt the provisional agenda. ({LABEL})",
            procedure="consensus",
        )
        for iso3, position in (("FRA", "support"), ("USA", "no_objection"), ("IND", "abstain")):
            meetings.position_take(actor=users[iso3], proposal=adopted, position=position)
        meetings.decision_call(actor=chair, proposal=adopted)
        blocked = meetings.proposal_table(
            actor=chair,
            meeting=m,
            agenda_item=2,
            text=f"To issue a joint outreach letter this month. ({LABEL})",
            procedure="consensus",
        )
        # Germany objects, then leaves before the call: an absent state's objection never counts.
        meetings.position_take(
            actor=users["DEU"], proposal=blocked, position="object", reason="Needs study."
        )
        meetings.attendance_record(actor=users["DEU"], meeting=m, action="check_out")
        meetings.position_take(actor=users["FRA"], proposal=blocked, position="support")
        meetings.position_take(
            actor=users["IND"],
            proposal=blocked,
            position="object",
            reason="The letter's text has not been circulated to capitals yet. (ILLUSTRATIVE)",
        )
        meetings.decision_call(actor=chair, proposal=blocked)
        silence = meetings.proposal_table(
            actor=chair,
            meeting=m,
            agenda_item=3,
            text=f"To hold the next Regular Meeting in Vienna in June. ({LABEL})",
            procedure="silence",
            deadline=now + timedelta(days=10),
        )
        meetings.position_take(
            actor=users["KOR"], proposal=silence, position="object", reason="Dates clash."
        )
        meetings.position_take(actor=users["KOR"], proposal=silence, position="no_objection")
