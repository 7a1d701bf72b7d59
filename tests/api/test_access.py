"""Who may do what: the access matrix of the published API, and the rules behind it.

docs/formats.md, Conventions: 401 no or bad token, 403 authenticated but not allowed, 404 not found or
not visible. docs/domain.md, "Who uses it": submissions are confidential among subscribing states; a
state that is not (or not yet) subscribing has no access; the public sees the registry only; the
ICC enters submissions on a state's behalf (marked as such) and keeps the registry; a state can
never act for another.
"""

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from json import dumps as json_dumps

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone
from support.bodies import declaration, iso, pln
from support.database import built_once
from support.ledger import certify
from support.meetings import PDF_BYTES, build_meeting_world, meeting_body
from support.people import Persona, make_personas
from support.stored import stored, writes

from hcoc.accounts.models import ApiToken, Role, User
from hcoc.accounts.services import token_create, token_revoke, user_create
from hcoc.declarations.schemas import DeclarationIn
from hcoc.declarations.services import declaration_submit
from hcoc.delivery.webhooks import endpoint_register
from hcoc.exchange.models import Event
from hcoc.ledger import trust
from hcoc.ledger.client import b64, key_generate
from hcoc.ledger.services import credential_register, root_register
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit
from hcoc.states.models import PointOfContact

PROBLEM_JSON = "application/problem+json"
LAST_YEAR = datetime.now(UTC).year - 1
# A state of the registry that does not subscribe and that no persona belongs to: the ICC records
# its subscription in the matrix.
NEWCOMER = "EGY"
OWN_SITE = {"FRA": "FRA-KOUROU", "JPN": "JPN-TANEGASHIMA"}
# A public address, written as one: registering it resolves no name (and nothing is delivered:
# no worker runs in these tests).
PUBLIC_HOOK = "https://93.184.215.14/hcoc-hook"


# ---- the world every cell starts from -------------------------------------------------------


@dataclass(frozen=True)
class World:
    reference: str  # a French notification, submitted by fra_submitter
    state: str  # "FRA"
    year: int  # the year of France's declaration (last year)
    seq: int  # a feed item (the French notification's)
    newcomer: str  # a non-subscribing state, for the ICC to subscribe
    keystate: str = "DEU"  # a subscribing state no persona belongs to, with a root and a key
    key_id: str = "DEU-world-1"
    root_id: str = "DEU-root-1"
    root_seed: bytes = b""  # its root's private key
    invitation: str = ""  # France's observer invitation open to all; Japan has accepted it
    restricted: str = ""  # France's invitation to the United States only
    # Regular Meetings (support/meetings.build_meeting_world): France chairs them.
    meeting: int = 0  # open; France and Japan present
    scheduled: int = 0  # not yet open
    proposal: str = ""  # open, of `meeting`
    decision: str = ""  # of `meeting`
    document: int = 0  # of `meeting`
    hook: int = 0  # France's webhook endpoint


def build_world() -> World:
    """Built with the services (not over HTTP): it is rebuilt for every cell of the matrix."""
    from support.bodies import invitation

    from hcoc.observers.schemas import InvitationIn, ReplyIn
    from hcoc.observers.services import invitation_issue, invitation_reply

    fra = User.objects.get(username="fra_submitter")
    n = notification_submit(actor=fra, data=PLNIn.model_validate(pln()))
    declaration_submit(actor=fra, data=DeclarationIn.model_validate(declaration(LAST_YEAR)))
    seq = n.versions.get(version=1).seq
    inv = invitation_issue(actor=fra, data=InvitationIn.model_validate(invitation()))
    invitation_reply(
        actor=User.objects.get(username="jpn_submitter"),
        reference=inv.reference,
        data=ReplyIn.model_validate({"answer": "accept", "observers": ["A. Tanaka"]}),
    )
    only_usa = invitation(audience="named", named_states=["USA"])
    restricted = invitation_issue(actor=fra, data=InvitationIn.model_validate(only_usa))
    hook, _ = endpoint_register(actor=fra, url=PUBLIC_HOOK)
    world = World(
        hook=hook.pk,
        reference=n.reference,
        state="FRA",
        year=LAST_YEAR,
        seq=seq,
        newcomer=NEWCOMER,
        invitation=inv.reference,
        restricted=restricted.reference,
        **build_meeting_world(),
    )
    deu = User.objects.create(username="deu_world", state_id=world.keystate, role=Role.SUBMITTER)
    root = Ed25519PrivateKey.generate()
    world = dataclasses.replace(world, root_seed=root.private_bytes_raw())
    root_register(
        actor=deu, state_iso3=world.keystate, **root_body_for(root, world.keystate, world.root_id)
    )
    public = key_generate()[1]
    credential_register(
        actor=deu,
        state_iso3=world.keystate,
        key_id=world.key_id,
        public_key=public,
        certified_by=world.root_id,
        certificate=certify(root, world.keystate, world.key_id, public),
    )
    return world


def root_body_for(root, state: str, key_id: str) -> dict:
    public = trust.public_bytes(root)
    statement = trust.credential(state=state, key_id=key_id, kind=trust.ROOT, public_key=public)
    return {
        "key_id": key_id,
        "public_key": b64(public),
        "proof": trust.sign(root, trust.credential_message(statement)),
    }


def world_root(w: World):
    return Ed25519PrivateKey.from_private_bytes(w.root_seed)


@pytest.fixture
def world(api, personas) -> World:
    return build_world()


def assert_problem(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM_JSON), r.headers["content-type"]
    body = r.json()
    assert body["status"] == status
    if status == 401:
        assert r.headers["www-authenticate"].lower().startswith("bearer")
    return body


def error_fields(r) -> set[str]:
    return {e["field"] for e in r.json().get("errors", [])}


# ---- request bodies: (world, persona name) -> JSON body ---------------------------------------

Body = Callable[[World, str], dict] | None


def _own_state(w: World, who: str) -> str:
    """The state a creating request is for: the submitter's own, or France for the ICC."""
    return {"jpn_submitter": "JPN", "jpn_reader": "JPN"}.get(who, w.state)


def _behalf(w: World, who: str) -> dict:
    return {"on_behalf_of": w.state} if who == "icc" else {}


def pln_body(w: World, who: str) -> dict:
    return pln(launch_area={"site_id": OWN_SITE[_own_state(w, who)]}, **_behalf(w, who))


def amendment_body(w: World, who: str) -> dict:
    return pln(remarks="Amended: new remarks, same window.")


def cancellation_body(w: World, who: str) -> dict:
    return {"reason": "Launch postponed."}


def launch_report_body(w: World, who: str) -> dict:
    return {
        "launched_at": iso(datetime.now(UTC) - timedelta(minutes=5)),
        "outcome": "success",
        "remarks": "Nominal.",
    }


def unnotified_body(w: World, who: str) -> dict:
    return {
        "category": "SLV",
        "generic_class": "SLV-small",
        "launch_area": {"site_id": OWN_SITE[_own_state(w, who)]},
        "planned_direction": {"azimuth_deg": 95.0},
        "launched_at": iso(datetime.now(UTC) - timedelta(hours=2)),
        "outcome": "success",
        "reason": "omission",
        "remarks": "Notice omitted by mistake.",
        **_behalf(w, who),
    }


def import_body(w: World, who: str) -> dict:
    submitted = datetime(w.year, 3, 1, 9, 0, tzinfo=UTC)
    notification = pln(
        window={
            "opens": iso(submitted + timedelta(days=5)),
            "closes": iso(submitted + timedelta(days=5, hours=6)),
        }
    )
    return {
        "state": w.state,
        "first_submitted_at": iso(submitted),
        "notification": notification,
        "launch_report": None,
        "source": "ICC archive, paper note of that date",
    }


def declaration_body(w: World, who: str) -> dict:
    return declaration(w.year, **_behalf(w, who))


def acknowledgement_body(w: World, who: str) -> dict:
    return {"up_to": w.seq}


def deadline_body(w: World, who: str) -> dict:
    return {"year": w.year, "due_on": f"{w.year + 1}-03-31"}


def extension_body(w: World, who: str) -> dict:
    from hcoc.declarations.models import DeclarationDeadline

    DeclarationDeadline.objects.get_or_create(
        year=w.year, defaults={"due_on": f"{w.year + 1}-03-31"}
    )
    return {"state": "JPN", "due_on": f"{w.year + 1}-06-30", "reason": "Elections."}


def invitation_body(w: World, who: str) -> dict:
    from support.bodies import invitation

    return invitation(site_id=OWN_SITE[_own_state(w, who)], **_behalf(w, who))


def reply_body(w: World, who: str) -> dict:
    body = {"answer": "accept", "observers": ["A. Tanaka", "B. Sato"]}
    return body | ({"on_behalf_of": "JPN"} if who == "icc" else {})


def confirmation_body(w: World, who: str) -> dict:
    return {"state": "JPN"}


def withdrawal_body(w: World, who: str) -> dict:
    return {"reason": "The launch campaign moved."}


def circular_body(w: World, who: str) -> dict:
    return {"title": "New subscribing state", "text": "The ICC informs subscribing states ..."}


def subscription_body(w: World, who: str) -> dict:
    today = timezone.now().date().isoformat()
    return {
        "note_reference": "Note verbale No. 1/2026",
        "note_received_on": today,
        "effective_on": today,
    }


def key_body(w: World, who: str) -> dict:
    """A key of the key state's, certified by its root: only that state's people may register it."""
    key_id, public = f"{w.keystate}-matrix-2", key_generate()[1]
    return {
        "key_id": key_id,
        "public_key": public,
        "certified_by": w.root_id,
        "certificate": certify(world_root(w), w.keystate, key_id, public),
    }


def revocation_body(w: World, who: str) -> dict:
    statement = trust.revocation(state=w.keystate, key_id=w.key_id, reason="Key rotation.")
    return {
        "reason": "Key rotation.",
        "revoked_by": w.root_id,
        "revocation": trust.sign(world_root(w), trust.revocation_message(statement)),
    }


def own_root_body(w: World, who: str) -> dict:
    """A root for France (which has none in the world): its submitters register it."""
    return root_body_for(Ed25519PrivateKey.generate(), w.state, f"{w.state}-root-1")


def confirm_body(w: World, who: str) -> dict:
    return {
        "fingerprint": trust.fingerprint(trust.public_bytes(world_root(w))),
        "note_reference": "Note verbale No. 7/2026",
    }


def webhook_body(w: World, who: str) -> dict:
    return {"url": PUBLIC_HOOK}


def replay_body(w: World, who: str) -> dict:
    return {"after": 0}


def cosignature_body(w: World, who: str) -> dict:
    """A well-formed cosignature by a key that is not the caller's state's: refused to all."""
    import time as _time

    from hcoc.ledger.services import checkpoint_current
    from hcoc.ledger.tlog import note

    body = note.note_parse(checkpoint_current().note)[0]
    line = note.CosignatureSigner(w.key_id, key_generate()[0]).cosign(body, int(_time.time()))
    return {"checkpoint": body, "cosignature": line}


class Upload(dict):
    """A body sent as multipart/form-data (files) instead of JSON."""


def meeting_create_body(w: World, who: str) -> dict:
    return meeting_body(w.scheduled + 1)


def agenda_body(w: World, who: str) -> dict:
    return {"title": "Any other business"}


def attendance_body(w: World, who: str) -> dict:
    return {"action": "check_out"}  # France and Japan are in the room


def proposal_body(w: World, who: str) -> dict:
    return {"agenda_item": 1, "text": "To thank the host.", "procedure": "consensus"}


def position_body(w: World, who: str) -> dict:
    return {"position": "object", "reason": "Not ready."}


def document_body(w: World, who: str) -> Upload:
    return Upload(file=SimpleUploadedFile("minutes.pdf", PDF_BYTES))


# ---- the access matrix ----------------------------------------------------------------------

PERSONAS = (
    "icc",
    "fra_submitter",
    "fra_reader",
    "jpn_submitter",
    "jpn_reader",
    "prk_user",
    "anonymous",
)


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # placeholders are World fields; an optional query string follows "?"
    body: Body
    expect: dict[str, int]

    def url(self, w: World) -> str:
        return self.path.format(**vars(w))

    @property
    def operation(self) -> tuple[str, str]:
        """(METHOD, path without query, every {placeholder} as {}), to compare with OpenAPI."""
        return self.method, re.sub(r"\{[^}]*\}", "{}", self.path.split("?")[0])


def row(method: str, path: str, body: Body, *statuses: int) -> Row:
    assert len(statuses) == len(PERSONAS), (method, path)
    return Row(method, path, body, dict(zip(PERSONAS, statuses, strict=True)))


# Columns: icc, fra_submitter, fra_reader, jpn_submitter, jpn_reader, prk_user (a submitter of a
# non-subscribing state), anonymous (no token). `{reference}` is France's notification, so the
# French submitter acts on its own and the Japanese one on another state's.
# fmt: off
MATRIX = [
    #   method  path                                        body                  icc  fraS fraR jpnS jpnR  prk anon
    # the public registry
    row("GET",  "/states",                                  None,                 200, 200, 200, 200, 200, 200, 200),
    row("GET",  "/states/{state}",                          None,                 200, 200, 200, 200, 200, 200, 200),
    row("POST", "/states/{newcomer}/subscription",          subscription_body,    201, 403, 403, 403, 403, 403, 401),
    # reference data of the exchange
    row("GET",  "/sites",                                   None,                 200, 200, 200, 200, 200, 403, 401),
    # pre-launch notifications
    row("POST", "/notifications",                           pln_body,             201, 201, 403, 201, 403, 403, 401),
    row("GET",  "/notifications",                           None,                 200, 200, 200, 200, 200, 403, 401),
    row("GET",  "/notifications/{reference}",               None,                 200, 200, 200, 200, 200, 403, 401),
    row("GET",  "/notifications/{reference}/versions",      None,                 200, 200, 200, 200, 200, 403, 401),
    row("GET",  "/notifications/{reference}/notam",         None,                 200, 200, 200, 200, 200, 403, 401),
    row("GET",  "/notifications/{reference}/geojson",       None,                 200, 200, 200, 200, 200, 403, 401),
    row("POST", "/notifications/{reference}/amendments",    amendment_body,       201, 201, 403, 403, 403, 403, 401),
    row("POST", "/notifications/{reference}/cancellation",  cancellation_body,    201, 201, 403, 403, 403, 403, 401),
    row("POST", "/notifications/{reference}/launch-report", launch_report_body,   201, 201, 403, 403, 403, 403, 401),
    row("POST", "/unnotified-launches",                     unnotified_body,      201, 201, 403, 201, 403, 403, 401),
    row("POST", "/imports/notifications",                   import_body,          201, 403, 403, 403, 403, 403, 401),
    # annual declarations
    row("POST", "/declarations",                            declaration_body,     201, 201, 403, 201, 403, 403, 401),
    row("GET",  "/declarations",                            None,                 200, 200, 200, 200, 200, 403, 401),
    row("GET",  "/declarations/{state}/{year}",             None,                 200, 200, 200, 200, 200, 403, 401),
    row("GET",  "/declarations/{state}/{year}/versions",    None,                 200, 200, 200, 200, 200, 403, 401),
    row("GET",  "/compliance/{year}",                       None,                 200, 200, 200, 200, 200, 403, 401),
    row("GET",  "/deadlines",                               None,                 200, 200, 200, 200, 200, 403, 401),
    row("POST", "/deadlines",                               deadline_body,        201, 403, 403, 403, 403, 403, 401),
    row("POST", "/deadlines/{year}/extensions",             extension_body,       201, 403, 403, 403, 403, 403, 401),
    # the exchange feed; acknowledging is per state, by any of its users (the ICC has no state)
    row("GET",  "/feed",                                    None,                 200, 200, 200, 200, 200, 403, 401),
    row("GET",  "/inbox",                                   None,                 403, 200, 200, 200, 200, 403, 401),
    # its live stream: the feed's rule (the stream's items: tests/delivery/test_stream.py)
    row("GET",  "/feed/stream",                             None,                 200, 200, 200, 200, 200, 403, 401),
    row("POST", "/acknowledgements",                        acknowledgement_body, 403, 201, 201, 201, 201, 403, 401),
    row("GET",  "/acknowledgements?seq={seq}",              None,                 200, 200, 200, 200, 200, 403, 401),
    # the transparency log: read by subscribers and the ICC; a state's keys registered and
    # revoked by its own people with its root's signatures (never the ICC, who only records the
    # note confirming a root); a cosignature needs a key of the caller's own state
    row("GET",  "/log/checkpoint",                          None,                 200, 200, 200, 200, 200, 403, 401),
    row("GET",  "/log/checkpoints",                         None,                 200, 200, 200, 200, 200, 403, 401),
    row("GET",  "/log/entries?start=0&end=9",               None,                 200, 200, 200, 200, 200, 403, 401),
    row("GET",  "/log/proof/inclusion?index=0&size=2",      None,                 200, 200, 200, 200, 200, 403, 401),
    row("GET",  "/log/proof/consistency?from=1&to=2",       None,                 200, 200, 200, 200, 200, 403, 401),
    row("GET",  "/log/receipts/{seq}",                      None,                 200, 200, 200, 200, 200, 403, 401),
    row("GET",  "/log/keys",                                None,                 200, 200, 200, 200, 200, 403, 401),
    row("POST", "/log/cosignatures",                        cosignature_body,     403, 403, 403, 403, 403, 403, 401),
    row("POST", "/states/{keystate}/keys",                  key_body,             403, 403, 403, 403, 403, 403, 401),
    row("POST", "/states/{keystate}/keys/{key_id}/revoke",  revocation_body,      403, 403, 403, 403, 403, 403, 401),
    row("POST", "/states/{state}/roots",                    own_root_body,        403, 201, 403, 403, 403, 403, 401),
    row("POST", "/states/{keystate}/roots/{root_id}/confirm", confirm_body,       200, 403, 403, 403, 403, 403, 401),
    # observer invitations: `{invitation}` is France's, open to all, accepted by Japan;
    # `{restricted}` is France's to the United States only: Japan must not see it
    row("POST", "/invitations",                             invitation_body,      201, 201, 403, 201, 403, 403, 401),
    row("GET",  "/invitations",                             None,                 200, 200, 200, 200, 200, 403, 401),
    row("GET",  "/invitations/{restricted}",                None,                 200, 200, 200, 404, 404, 403, 401),
    row("POST", "/invitations/{invitation}/replies",        reply_body,           201, 403, 403, 201, 403, 403, 401),
    row("POST", "/invitations/{invitation}/confirmations",  confirmation_body,    201, 201, 403, 403, 403, 403, 401),
    row("POST", "/invitations/{invitation}/withdraw",       withdrawal_body,      201, 201, 403, 403, 403, 403, 401),
    # registry news: the ICC's circulars, for subscribers' eyes
    row("POST", "/circulars",                               circular_body,        201, 403, 403, 403, 403, 403, 401),
    row("GET",  "/circulars",                               None,                 200, 200, 200, 200, 200, 403, 401),
    # Regular Meetings: the ICC schedules them; the Chair (France's submitters) runs {meeting};
    # delegations (submitters of states present) act for themselves; every subscriber reads
    row("GET",  "/meetings",                                None,                 200, 200, 200, 200, 200, 403, 401),
    row("POST", "/meetings",                                meeting_create_body,  201, 403, 403, 403, 403, 403, 401),
    row("GET",  "/meetings/{meeting}",                      None,                 200, 200, 200, 200, 200, 403, 401),
    row("POST", "/meetings/{scheduled}/open",               None,                 403, 200, 403, 403, 403, 403, 401),
    row("POST", "/meetings/{meeting}/close",                None,                 403, 200, 403, 403, 403, 403, 401),
    row("POST", "/meetings/{meeting}/agenda",               agenda_body,          403, 201, 403, 403, 403, 403, 401),
    row("POST", "/meetings/{meeting}/attendance",           attendance_body,      403, 201, 403, 201, 403, 403, 401),
    row("GET",  "/meetings/{meeting}/attendance",           None,                 200, 200, 200, 200, 200, 403, 401),
    row("POST", "/meetings/{meeting}/proposals",            proposal_body,        403, 201, 403, 403, 403, 403, 401),
    row("GET",  "/meetings/{meeting}/proposals",            None,                 200, 200, 200, 200, 200, 403, 401),
    row("GET",  "/proposals/{proposal}",                    None,                 200, 200, 200, 200, 200, 403, 401),
    row("POST", "/proposals/{proposal}/positions",          position_body,        403, 201, 403, 201, 403, 403, 401),
    row("POST", "/proposals/{proposal}/call",               None,                 403, 201, 403, 403, 403, 403, 401),
    row("GET",  "/meetings/{meeting}/decisions",            None,                 200, 200, 200, 200, 200, 403, 401),
    row("GET",  "/decisions/{decision}",                    None,                 200, 200, 200, 200, 200, 403, 401),
    row("POST", "/meetings/{meeting}/documents",            document_body,        201, 201, 403, 403, 403, 403, 401),
    row("GET",  "/meetings/{meeting}/documents",            None,                 200, 200, 200, 200, 200, 403, 401),
    row("GET",  "/meetings/{meeting}/documents/{document}", None,                 200, 200, 200, 200, 200, 403, 401),
    # webhooks: a state's endpoints; its users see them, its submitters manage them; `{hook}` is
    # France's, which Japan never sees; the ICC (no state) sees and deletes any, registers none
    row("POST", "/webhooks",                                webhook_body,         403, 201, 403, 201, 403, 403, 401),
    row("GET",  "/webhooks",                                None,                 200, 200, 200, 200, 200, 403, 401),
    row("GET",  "/webhooks/{hook}/deliveries",              None,                 200, 200, 200, 404, 404, 403, 401),
    row("POST", "/webhooks/{hook}/replay",                  replay_body,          403, 200, 403, 404, 403, 403, 401),
    row("DELETE", "/webhooks/{hook}",                       None,                 204, 204, 403, 404, 403, 403, 401),
    # a state's users (who made each, when each enrolled): seen by its own users; the ICC keeps
    # them in its console
    row("GET",  "/users",                                   None,                 403, 200, 200, 200, 200, 403, 401),
    # the API's own description is public
    row("GET",  "/openapi.json",                            None,                 200, 200, 200, 200, 200, 200, 200),
    row("GET",  "/docs",                                    None,                 200, 200, 200, 200, 200, 200, 200),
]
# fmt: on

# Not operations of the API: they describe it.
DESCRIBING = {("GET", "/openapi.json"), ("GET", "/docs")}

CELLS = [
    pytest.param(r, who, id=f"{r.method} {r.path} as {who}") for r in MATRIX for who in PERSONAS
]


class InProcessApi:
    """support.people's `Api`, spoken through Django's request handler (every middleware, CSRF checks
    on) inside the test's transaction. Each cell of the matrix then gets its fresh world by a
    rollback instead of a flush of the whole database, which cost more than the rest of a cell."""

    def __init__(self):
        self.client = Client(enforce_csrf_checks=True)

    def request(
        self, method: str, path: str, who: Persona | None = None, *, json=None, headers=None
    ):
        headers = {**(who.headers if who else {}), **(headers or {})}
        if isinstance(json, Upload):  # multipart: the test client encodes the files
            return self.client.post("/api/v1" + path, data=dict(json), headers=headers)
        body = (
            {} if json is None else {"data": json_dumps(json), "content_type": "application/json"}
        )
        return self.client.generic(method, "/api/v1" + path, headers=headers, **body)


@pytest.fixture(scope="class")
def matrix_world(django_db_setup, django_db_blocker) -> tuple[dict[str, Persona], World]:
    """The personas and the world, built once for all the cells (support.database.built_once):
    each cell starts from it as it was built, its own changes rolled back after it."""
    with built_once(django_db_blocker):
        personas, world = make_personas(), build_world()
        # Every token recorded as used a day ahead: no cell's request records its use again
        # (hcoc.accounts.services.token_user, every ten minutes), so a refused request writes
        # nothing at all, which the matrix checks (support.stored.writes).
        ApiToken.objects.update(last_used_at=timezone.now() + timedelta(days=1))
        yield personas, world


@pytest.fixture
def cell(db, matrix_world) -> tuple[InProcessApi, dict[str, Persona], World]:
    return InProcessApi(), *matrix_world


class TestMatrix:
    @pytest.mark.parametrize(("r", "who"), CELLS)
    def test_each_persona_gets_the_status_the_matrix_gives_for_each_endpoint(self, cell, r, who):
        api, personas, world = cell
        # The path and body first: making them may store what the request needs (a deadline).
        url, body = r.url(world), r.body(world, who) if r.body else None
        before = writes()
        resp = api.request(r.method, url, personas[who], json=body)
        expected = r.expect[who]
        if expected >= 400:
            assert_problem(resp, expected)
            assert writes() == before, "a refused request changed what is stored"
        else:
            assert resp.status_code == expected, resp.text


def test_the_matrix_check_counts_every_write_a_request_makes(cell):
    """The matrix's "nothing changed" (support.stored.writes) fails a refused cell that writes:
    a refused request that records its token's use (a write `stored()` leaves out) moves the
    count, as do a request's insert, update and delete, and a write undone before the end."""
    api, personas, world = cell
    prk = personas["prk_user"]
    ApiToken.objects.filter(user__username=prk.username).update(last_used_at=None)
    before, shown = writes(), stored()
    assert_problem(api.request("GET", "/feed", prk), 403)
    assert writes() == before + 1  # the token's last use
    assert stored() == shown  # which `stored()` does not look at
    for method, path, who, body, status in (
        ("POST", "/circulars", "icc", circular_body(world, "icc"), 201),  # inserts
        ("POST", "/acknowledgements", "jpn_reader", acknowledgement_body(world, ""), 201),
        ("POST", f"/invitations/{world.invitation}/withdraw", "fra_submitter", None, 201),
        ("DELETE", f"/webhooks/{world.hook}", "fra_submitter", None, 204),  # deletes
    ):
        before = writes()
        if body is None and method == "POST":
            body = withdrawal_body(world, who)  # updates the invitation
        r = api.request(method, path, personas[who], json=body)
        assert r.status_code == status, (path, r.content)
        assert writes() > before, path
    before, shown = writes(), stored()
    with transaction.atomic():
        ApiToken.objects.update(name="renamed")
        transaction.set_rollback(True)
    assert (writes(), stored()) == (before + len(personas) - 1, shown)


def test_the_matrix_covers_every_operation_the_api_declares(api):
    r = api.get("/openapi.json")
    assert r.status_code == 200
    declared = {
        (method.upper(), re.sub(r"\{[^}]*\}", "{}", path.removeprefix("/api/v1")))
        for path, operations in r.json()["paths"].items()
        for method in operations
        if method.upper() in {"GET", "POST", "PUT", "PATCH", "DELETE"}
    }
    in_matrix = {r.operation for r in MATRIX}
    assert declared - in_matrix == set(), "operations without access rows in MATRIX"
    assert in_matrix - DESCRIBING - declared == set(), (
        "rows for operations the API no longer declares"
    )
    assert len(MATRIX) == len(in_matrix), "an operation has two rows"


def test_a_state_never_sees_another_states_webhook_endpoints(api, personas, world):
    mine = api.post("/webhooks", personas["jpn_submitter"], json={"url": PUBLIC_HOOK}).json()
    assert "secret" in mine
    for who, ids in (
        ("jpn_reader", [mine["id"]]),
        ("fra_reader", [world.hook]),
        ("icc", [world.hook, mine["id"]]),
    ):
        listed = api.get("/webhooks", personas[who]).json()["items"]
        assert [e["id"] for e in listed] == ids, who
        assert all("secret" not in e for e in listed)
    before = stored()
    r = api.request("DELETE", f"/webhooks/{mine['id']}", personas["fra_submitter"])
    assert_problem(r, 404)
    assert stored() == before


# ---- a state can never act for another ------------------------------------------------------

CREATING = {
    "/notifications": pln,
    "/unnotified-launches": lambda **kw: unnotified_body(WORLD_FOR_BODIES, "fra_submitter") | kw,
    "/declarations": lambda **kw: declaration(LAST_YEAR, **kw),
}
WORLD_FOR_BODIES = World(reference="", state="FRA", year=LAST_YEAR, seq=1, newcomer=NEWCOMER)


@pytest.mark.parametrize("path", CREATING)
def test_a_submitter_of_one_state_cannot_submit_on_behalf_of_another(api, personas, world, path):
    before = stored()
    r = api.post(path, personas["jpn_submitter"], json=CREATING[path](on_behalf_of="FRA"))
    assert_problem(r, 403)
    assert stored() == before


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("amendments", amendment_body),
        ("cancellation", cancellation_body),
        ("launch-report", launch_report_body),
    ],
)
def test_a_submitter_of_one_state_cannot_amend_cancel_or_report_another_states_notification(
    api, personas, world, action, body
):
    fra_reader = personas["fra_reader"]
    shown = api.get(f"/notifications/{world.reference}", fra_reader).json()
    before = stored()
    payloads = [body(world, "jpn_submitter")]
    if action == "amendments":  # only a PLN body has on_behalf_of
        payloads.append({**body(world, "jpn_submitter"), "on_behalf_of": "FRA"})
    for payload in payloads:
        r = api.post(
            f"/notifications/{world.reference}/{action}", personas["jpn_submitter"], json=payload
        )
        assert_problem(r, 403)
    assert stored() == before
    assert api.get(f"/notifications/{world.reference}", fra_reader).json() == shown
    assert len(api.get(f"/notifications/{world.reference}/versions", fra_reader).json()) == 1


@pytest.mark.parametrize("path", CREATING)
def test_a_reader_cannot_submit_even_for_its_own_state(api, personas, world, path):
    before = stored()
    for extra in ({}, {"on_behalf_of": "FRA"}):
        r = api.post(path, personas["fra_reader"], json=CREATING[path](**extra))
        assert_problem(r, 403)
    for action, body in (("amendments", amendment_body), ("cancellation", cancellation_body)):
        r = api.post(
            f"/notifications/{world.reference}/{action}",
            personas["fra_reader"],
            json=body(world, "fra_reader"),
        )
        assert_problem(r, 403)
    assert stored() == before


@pytest.mark.parametrize("path", CREATING)
def test_the_icc_must_name_the_state_it_acts_for(api, personas, world, path):
    before = stored()
    r = api.post(path, personas["icc"], json=CREATING[path]())
    assert_problem(r, 422)
    assert "on_behalf_of" in error_fields(r)
    assert stored() == before


@pytest.mark.parametrize("behalf", ["PRK", "XXX"])
@pytest.mark.parametrize("path", CREATING)
def test_the_icc_cannot_act_for_a_state_that_does_not_subscribe(api, personas, world, path, behalf):
    before = stored()
    r = api.post(path, personas["icc"], json=CREATING[path](on_behalf_of=behalf))
    assert_problem(r, 422)
    assert "on_behalf_of" in error_fields(r)
    assert stored() == before


@pytest.mark.parametrize(
    ("state", "submitted"),
    [
        ("PRK", datetime(LAST_YEAR, 3, 1, 9, tzinfo=UTC)),
        ("IND", datetime(2015, 3, 1, 9, tzinfo=UTC)),
    ],
    ids=["a non-subscriber", "a subscriber before its subscription"],
)
def test_the_icc_cannot_import_notifications_of_a_state_that_did_not_subscribe(
    api, personas, world, state, submitted
):
    body = import_body(world, "icc") | {"state": state, "first_submitted_at": iso(submitted)}
    body["notification"] = pln(
        launch_area={"site_id": "FRA-KOUROU"},
        window={
            "opens": iso(submitted + timedelta(days=5)),
            "closes": iso(submitted + timedelta(days=5, hours=6)),
        },
    )
    before = stored()
    r = api.post("/imports/notifications", personas["icc"], json=body)
    assert_problem(r, 422)
    assert "state" in error_fields(r)
    assert stored() == before


def test_the_icc_cannot_amend_a_notification_in_the_name_of_another_state(api, personas, world):
    before = stored()
    r = api.post(
        f"/notifications/{world.reference}/amendments",
        personas["icc"],
        json=pln(on_behalf_of="JPN"),
    )
    assert_problem(r, 422)
    assert "on_behalf_of" in error_fields(r)
    assert stored() == before


def test_an_icc_entered_notification_is_marked_and_belongs_to_the_named_state(api, personas, world):
    r = api.post(
        "/notifications",
        personas["icc"],
        json=pln(on_behalf_of="JPN", launch_area={"site_id": "JPN-KII"}),
    )
    assert r.status_code == 201, r.text
    n = r.json()
    assert n["state"] == "JPN"
    assert n["reference"].startswith("JPN-")
    assert n["entered_by_icc"] is True
    assert "on_behalf_of" not in n
    # Every subscribing state sees it as Japan's, entered by the ICC; the feed says so too.
    seen = api.get(f"/notifications/{n['reference']}", personas["fra_reader"]).json()
    assert (seen["state"], seen["entered_by_icc"]) == ("JPN", True)
    versions = api.get(f"/notifications/{n['reference']}/versions", personas["jpn_reader"]).json()
    assert [v["entered_by_icc"] for v in versions] == [True]
    item = Event.objects.get(seq=n["seq"])
    assert (item.state_id, item.subject) == ("JPN", n["reference"])
    # Japan's own submission is not marked.
    own = api.post(
        "/notifications", personas["jpn_submitter"], json=pln(launch_area={"site_id": "JPN-KII"})
    )
    assert own.status_code == 201, own.text
    assert own.json()["entered_by_icc"] is False


def test_an_icc_entered_declaration_is_marked_and_belongs_to_the_named_state(api, personas, world):
    r = api.post("/declarations", personas["icc"], json=declaration(LAST_YEAR, on_behalf_of="JPN"))
    assert r.status_code == 201, r.text
    d = r.json()
    assert (d["state"], d["year"], d["entered_by_icc"]) == ("JPN", LAST_YEAR, True)
    assert (
        api.get(f"/declarations/JPN/{LAST_YEAR}", personas["fra_reader"]).json()["entered_by_icc"]
        is True
    )


def test_a_non_subscriber_cannot_probe_which_notifications_exist(api, personas, world):
    """403 whether or not the reference exists: a 404 for unknown ones would reveal the others."""
    prk = personas["prk_user"]
    for reference in (world.reference, "FRA-2002-9999"):
        for action, body in (
            ("amendments", amendment_body),
            ("cancellation", cancellation_body),
            ("launch-report", launch_report_body),
        ):
            r = api.post(f"/notifications/{reference}/{action}", prk, json=body(world, "prk_user"))
            assert_problem(r, 403)
        assert_problem(api.get(f"/notifications/{reference}", prk), 403)
        assert_problem(api.get(f"/notifications/{reference}/versions", prk), 403)
    assert_problem(api.get(f"/declarations/FRA/{LAST_YEAR}", prk), 403)
    assert_problem(api.get("/declarations/FRA/2003", prk), 403)
    assert_problem(api.get(f"/acknowledgements?seq={world.seq}", prk), 403)
    assert_problem(api.get("/acknowledgements?seq=999999", prk), 403)


UNKNOWN_SITE = {"site_id": "ZZZ-NOWHERE"}
WITH_UNKNOWN_SITE = {
    "/notifications": lambda: pln(launch_area=UNKNOWN_SITE),
    "/unnotified-launches": lambda: (
        unnotified_body(WORLD_FOR_BODIES, "fra_submitter") | {"launch_area": UNKNOWN_SITE}
    ),
    "/declarations": lambda: declaration(
        LAST_YEAR,
        space_launch_vehicles={"policy": "", "launch_sites": [UNKNOWN_SITE], "launches": []},
    ),
}


@pytest.mark.parametrize("who", ["prk_user", "fra_reader"])
@pytest.mark.parametrize("path", WITH_UNKNOWN_SITE)
def test_a_caller_who_may_not_submit_is_refused_before_the_body_is_checked_against_the_exchange(
    api, personas, path, who
):
    before = stored()
    assert_problem(api.post(path, personas[who], json=WITH_UNKNOWN_SITE[path]()), 403)
    assert stored() == before


# ---- tokens ---------------------------------------------------------------------------------


def test_a_revoked_token_is_refused(api, personas, world):
    token = ApiToken.objects.get(user__username="fra_submitter")
    assert api.get("/feed", personas["fra_submitter"]).status_code == 200
    token_revoke(token=token)
    assert_problem(api.get("/feed", personas["fra_submitter"]), 401)
    assert_problem(api.post("/notifications", personas["fra_submitter"], json=pln()), 401)
    assert_problem(api.get("/states/FRA", personas["fra_submitter"]), 401)
    # Another token of the same user still works: revocation is per token.
    _, raw = token_create(user=token.user, name="second")
    assert api.get("/feed", headers={"Authorization": f"Bearer {raw}"}).status_code == 200


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer garbage",
        "Bearer hcoc_" + "x" * 43,
        "Bearer",
        "Bearer " + "x" * 500,
        "Basic Zm9vOmJhcg==",
        "garbage",
    ],
)
def test_a_malformed_or_unknown_token_is_refused_with_a_bearer_challenge(
    api, personas, world, authorization
):
    for path in ("/feed", "/notifications", f"/notifications/{world.reference}"):
        assert_problem(api.get(path, headers={"Authorization": authorization}), 401)
    r = api.post("/notifications", headers={"Authorization": authorization}, json=pln())
    assert_problem(r, 401)
    assert "bearer" in r.headers["www-authenticate"].lower()


def test_a_token_of_an_inactive_user_is_refused(api, personas, world):
    User.objects.filter(username="jpn_reader").update(is_active=False)
    assert_problem(api.get("/feed", personas["jpn_reader"]), 401)
    assert_problem(api.get("/states/JPN", personas["jpn_reader"]), 401)
    User.objects.filter(username="icc").update(is_active=False)
    assert_problem(
        api.post("/states/EGY/subscription", personas["icc"], json=subscription_body(world, "icc")),
        401,
    )


@pytest.mark.parametrize("path", ["/states/FRA", "/states"])
@pytest.mark.parametrize("authorization", ["Bearer garbage", "Basic Zm9vOmJhcg=="])
def test_a_bad_token_on_the_public_registry_is_refused_not_treated_as_anonymous(
    api, personas, authorization, path
):
    assert api.get(path).status_code == 200
    assert_problem(api.get(path, headers={"Authorization": authorization}), 401)


def test_points_of_contact_are_shown_to_subscribers_and_the_icc_only(api, personas):
    PointOfContact.objects.create(
        state_id="FRA",
        name="Jeanne Contact",
        organisation="MEAE",
        email="pnc@example.fr",
        phone="+33 1 00",
    )
    for who in ("icc", "fra_submitter", "fra_reader", "jpn_submitter", "jpn_reader"):
        r = api.get("/states/FRA", personas[who])
        assert r.status_code == 200, (who, r.text)
        assert [p["email"] for p in r.json()["points_of_contact"]] == ["pnc@example.fr"], who
    for who in ("anonymous", "prk_user"):
        r = api.get("/states/FRA", personas[who])
        assert r.status_code == 200, (who, r.text)
        assert r.json().get("points_of_contact") is None, who
        assert "Jeanne Contact" not in r.text and "pnc@example.fr" not in r.text, who
        assert "Jeanne Contact" not in api.get("/states", personas[who]).text, who


# ---- a subscription that takes effect later -------------------------------------------------


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


def test_a_state_sees_nothing_until_its_subscription_takes_effect(api, personas, world):
    today = timezone.now().date()
    effective = today + timedelta(days=30)
    r = api.post(
        f"/states/{NEWCOMER}/subscription",
        personas["icc"],
        json={
            "note_reference": "Note verbale No. 7",
            "note_received_on": today.isoformat(),
            "effective_on": effective.isoformat(),
        },
    )
    assert r.status_code == 201, r.text
    user = user_create(
        username="egy_submitter", password=None, role=Role.SUBMITTER, state_iso3=NEWCOMER
    )
    _, raw = token_create(user=user, name="test")
    egy = Persona("egy_submitter", "egy_submitter", raw, NEWCOMER, Role.SUBMITTER)

    def refused_everything():
        for path in (
            "/feed",
            "/inbox",
            "/notifications",
            f"/notifications/{world.reference}",
            "/declarations",
            "/sites",
        ):
            assert_problem(api.get(path, egy), 403)
        before = stored()
        assert_problem(api.post("/notifications", egy, json=pln()), 403)
        assert_problem(api.post("/acknowledgements", egy, json={"up_to": world.seq}), 403)
        assert stored() == before
        # Not yet: nor may the ICC act in its name.
        r = api.post("/notifications", personas["icc"], json=pln(on_behalf_of=NEWCOMER))
        assert_problem(r, 422)
        assert "on_behalf_of" in error_fields(r)
        assert api.get(f"/states/{NEWCOMER}", egy).json().get("points_of_contact") is None

    refused_everything()
    with time_machine.travel(
        datetime.combine(effective - timedelta(days=1), time(23, 0), tzinfo=UTC), tick=True
    ):
        refused_everything()
    with time_machine.travel(_noon(effective), tick=True):
        feed = api.get("/feed", egy)
        assert feed.status_code == 200, feed.text
        kinds = {(i["kind"], i["subject"]) for i in feed.json()["items"]}
        assert ("registry.subscribed", NEWCOMER) in kinds
        assert ("notification.submitted", world.reference) in kinds
        assert api.get(f"/notifications/{world.reference}", egy).status_code == 200
        assert api.get("/inbox", egy).status_code == 200
        mine = api.post("/notifications", egy, json=pln())
        assert mine.status_code == 201, mine.text
        assert mine.json()["reference"].startswith(f"{NEWCOMER}-")
        assert api.get(f"/states/{NEWCOMER}", egy).json()["points_of_contact"] == []
