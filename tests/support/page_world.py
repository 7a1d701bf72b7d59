"""The pages' world: the personas a page is asked as, what each page answers each of them (the
page access matrix, tests/pages/test_pages_access.py), and the world every page is asked in.
The browser's phone test (tests/browser/test_browser_phone.py) walks the same pages as the same
personas, so a new page gets both checks from its one row here."""

from datetime import UTC, datetime

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from hcoc.accounts.models import User

from .bodies import declaration, pln
from .meetings import build_meeting_world
from .people import make_personas

PERSONAS = [
    "anonymous",
    "prk_user",
    "fra_reader",
    "fra_submitter",
    "jpn_submitter",
    "icc_no2fa",
    "icc",
]
LOGIN = "login"  # a redirect to the login page (with its `next`)
ENROL = "/account/two-factor"  # a redirect to enrol a second factor
LOGGED_OUT = "/accounts/login/"

# url name: (method, expected answer per persona in PERSONAS order): a status, LOGIN, or a
# redirect's Location ("/...", with {year}, {invitation}, {fra_id} of the world): an enrolment,
# a login and a success all answer 302, only where they lead tells them apart.
# Readers read, submitters act for their own state, the ICC acts only with its second factor
# (without it, every exchange page sends it to enrol: ENROL),
# non-subscribers (prk) see nothing of the exchange, anonymous visitors only the registry.
PAGES = {
    # A non-subscriber's home page says what it can do (the registry, its account) and how its
    # state subscribes (tests/pages/test_pages_outside.py), instead of a 403.
    "project:dashboard": ("GET", [LOGIN, 200, 200, 200, 200, ENROL, 200]),
    # The ICC is no state: its "inbox" is who has acknowledged what (/icc/items).
    "exchange:inbox": ("GET", [LOGIN, 403, 200, 200, 200, ENROL, "/icc/items"]),
    "exchange:icc_items": ("GET", [LOGIN, 403, 403, 403, 403, ENROL, 200]),
    # Who has acknowledged an item, as CSV: every reader, as GET /acknowledgements?seq= is; the
    # item page with the chase and the points of contact stays the ICC's (exchange:icc_item).
    "exchange:acknowledgements_csv": ("GET", [LOGIN, 403, 200, 200, 200, ENROL, 200]),
    # the pages' live stream: a page must say what it follows (without `page`, 400); what it
    # sends is tested against a real server in tests/delivery/test_live_pages.py
    "delivery:page_stream": ("GET", [LOGIN, 403, 400, 400, 400, ENROL, 400]),
    "exchange:acknowledge": ("POST", [LOGIN, 403, "/inbox", "/inbox", "/inbox", ENROL, "/inbox"]),
    "registry:registry": ("GET", [200, 200, 200, 200, 200, 200, 200]),
    "accounts:account": ("GET", [LOGIN, 200, 200, 200, 200, 200, 200]),
    "accounts:token_new": (
        "POST",
        [LOGIN, "/account", "/account", "/account", "/account", ENROL, "/account"],
    ),
    "accounts:token_revoke": (
        "POST",
        [LOGIN, "/account", "/account", "/account", "/account", "/account", "/account"],
    ),
    "accounts:two_factor": ("GET", [LOGIN, 200, 200, 200, 200, 200, 200]),
    "accounts:login": ("GET", [200, 200, 200, 200, 200, 200, 200]),
    # Logged out (or never in): to the login page itself, no `next`.
    "accounts:logout": ("POST", [LOGGED_OUT] * 7),
    # The language switch (issue 27): anyone may choose; asked with no language, it says so
    # and goes home (tests/i18n/test_languages.py shows a choice sticking).
    "accounts:language": ("POST", ["/"] * 7),
    # An enrolment link (a new French user's): whoever holds it may open it, logged in or not.
    "accounts:enrol": ("GET", [200, 200, 200, 200, 200, 200, 200]),
    "project:icc": ("GET", [LOGIN, 403, 403, 403, 403, ENROL, 200]),
    "registry:icc_subscription": ("GET", [LOGIN, 403, 403, 403, 403, ENROL, 200]),
    "declarations:icc_deadlines": ("GET", [LOGIN, 403, 403, 403, 403, ENROL, 200]),
    "exchange:icc_item": ("GET", [LOGIN, 403, 403, 403, 403, ENROL, 200]),
    "registry:icc_users": ("GET", [LOGIN, 403, 403, 403, 403, ENROL, 200]),
    "registry:icc_user_tokens": ("GET", [LOGIN, 403, 403, 403, 403, ENROL, 200]),
    "registry:icc_user_enrol": (
        "POST",
        [LOGIN, 403, 403, 403, 403, ENROL, "/icc/users/{fra_id}/tokens"],
    ),
    "registry:icc_token_revoke": (
        "POST",
        [LOGIN, 403, 403, 403, 403, ENROL, "/icc/users/{fra_id}/tokens"],
    ),
    "notifications:list": ("GET", [LOGIN, 403, 200, 200, 200, ENROL, 200]),
    "notifications:new": ("GET", [LOGIN, 403, 403, 200, 200, ENROL, 200]),
    "notifications:validate": ("POST", [LOGIN, 403, 403, 200, 200, ENROL, 200]),
    "notifications:draft_delete": (
        "POST",
        [LOGIN, 403, 403, "/notifications/new", 404, ENROL, 404],
    ),
    "notifications:detail": ("GET", [LOGIN, 403, 200, 200, 200, ENROL, 200]),
    "notifications:amend": ("GET", [LOGIN, 403, 403, 200, 403, ENROL, 200]),
    "notifications:geojson": ("GET", [LOGIN, 403, 200, 200, 200, ENROL, 200]),
    "notifications:kml": ("GET", [LOGIN, 403, 200, 200, 200, ENROL, 200]),
    "notifications:pdf": ("GET", [LOGIN, 403, 200, 200, 200, ENROL, 200]),
    "notifications:calendar": ("GET", [LOGIN, 403, 200, 200, 200, ENROL, 200]),
    # The secret is the credential, whoever asks: an unknown one is 404 for everyone
    # (tests/geo/test_geo_formats.py fetches a real one).
    "notifications:calendar_feed": ("GET", [404] * 7),
    "notifications:cancel": ("POST", [LOGIN, 403, 403, 422, 403, ENROL, 422]),
    "notifications:report": ("POST", [LOGIN, 403, 403, 422, 403, ENROL, 422]),
    "declarations:list": ("GET", [LOGIN, 403, 200, 200, 200, ENROL, 200]),
    "declarations:new": ("GET", [LOGIN, 403, 403, 200, 200, ENROL, 200]),
    "declarations:preview": ("POST", [LOGIN, 403, 403, 200, 200, ENROL, 200]),
    "declarations:detail": ("GET", [LOGIN, 403, 200, 200, 200, ENROL, 200]),
    "compliance:latest": (
        "GET",
        [
            LOGIN,
            403,
            "/compliance/{year}",
            "/compliance/{year}",
            "/compliance/{year}",
            ENROL,
            "/compliance/{year}",
        ],
    ),
    "compliance:year": ("GET", [LOGIN, 403, 200, 200, 200, ENROL, 200]),
    "compliance:trends": ("GET", [LOGIN, 403, 200, 200, 200, ENROL, 200]),
    "compliance:report": ("GET", [LOGIN, 403, 200, 200, 200, ENROL, 200]),
    "ledger:log": ("GET", [LOGIN, 403, 200, 200, 200, ENROL, 200]),
    "ledger:keys": ("GET", [LOGIN, 403, 403, 403, 403, ENROL, 200]),
    # A state's users set up signing in their browsers; the ICC has no state, hence no key.
    "ledger:signing": ("GET", [LOGIN, 403, 200, 200, 200, ENROL, 403]),
    "registry:icc_circular": ("GET", [LOGIN, 403, 403, 403, 403, ENROL, 200]),
    # Points of contact: a state's users read its own page (the ICC, which has no state, is
    # sent to every state's); its submitters edit its contacts (France's), the ICC any state's.
    # Japan's is removed by Japan's submitter (France's is refused): gone for the ICC after it.
    "registry:contacts": ("GET", [LOGIN, 403, 200, 200, 200, ENROL, "/icc/contacts"]),
    "registry:icc_contacts": ("GET", [LOGIN, 403, 403, 403, 403, ENROL, 200]),
    "registry:contact_edit": ("GET", [LOGIN, 403, 403, 200, 403, ENROL, 200]),
    "registry:contact_remove": ("POST", [LOGIN, 403, 403, 403, "/contacts", ENROL, 404]),
    # France's invitation open to all: the French submitter is the inviter (it confirms and
    # withdraws, never replies); Japan's submitter replies; the ICC acts on either's behalf.
    "observers:list": ("GET", [LOGIN, 403, 200, 200, 200, ENROL, 200]),
    "observers:new": ("GET", [LOGIN, 403, 403, 200, 200, ENROL, 200]),
    "observers:detail": ("GET", [LOGIN, 403, 200, 200, 200, ENROL, 200]),
    "observers:reply": ("GET", [LOGIN, 403, 403, 403, 200, ENROL, 200]),
    "observers:confirm": (
        "POST",
        [LOGIN, 403, 403, "/invitations/{invitation}", 403, ENROL, "/invitations/{invitation}"],
    ),
    "observers:withdraw": (
        "POST",
        [LOGIN, 403, 403, "/invitations/{invitation}", 403, ENROL, "/invitations/{invitation}"],
    ),
    # Regular Meetings: France chairs meeting 25 (open; France and Japan present). Posts are
    # empty: who may act gets the form's problems (200) or is sent back to the page (302).
    "meetings:list": ("GET", [LOGIN, 403, 200, 200, 200, ENROL, 200]),
    "meetings:create": ("POST", [LOGIN, 403, 403, 403, 403, ENROL, 200]),
    "meetings:detail": ("GET", [LOGIN, 403, 200, 200, 200, ENROL, 200]),
    "meetings:open": ("POST", [LOGIN, 403, 403, "/meetings/26#chair", 403, ENROL, 403]),
    "meetings:close": ("POST", [LOGIN, 403, 403, "/meetings/25#chair", 403, ENROL, 403]),
    "meetings:agenda": ("POST", [LOGIN, 403, 403, 200, 403, ENROL, 403]),
    "meetings:attendance": ("POST", [LOGIN, 403, 403, 200, 200, ENROL, 403]),
    "meetings:table": ("POST", [LOGIN, 403, 403, 200, 403, ENROL, 403]),
    "meetings:documents": ("POST", [LOGIN, 403, 403, 200, 403, ENROL, 200]),
    "meetings:document": ("GET", [LOGIN, 403, 200, 200, 200, ENROL, 200]),
    "meetings:decisions": ("GET", [LOGIN, 403, 200, 200, 200, ENROL, 200]),
    "meetings:decision": ("GET", [LOGIN, 403, 200, 200, 200, ENROL, 200]),
    "meetings:proposal": (
        "GET",
        [
            LOGIN,
            403,
            "/meetings/25#RM25-P1",
            "/meetings/25#RM25-P1",
            "/meetings/25#RM25-P1",
            ENROL,
            "/meetings/25#RM25-P1",
        ],
    ),
    "meetings:position": ("POST", [LOGIN, 403, 403, 200, 200, ENROL, 403]),
    "meetings:call": ("POST", [LOGIN, 403, 403, "/meetings/decisions/RM25-D2", 403, ENROL, 403]),
    # Live delivery: France's webhook endpoint {hook} (its users see it, its submitters manage
    # it; Japan never sees it; the ICC sees and deletes any, registers and replays none). Posts
    # are empty: refused ones come back to the account page with the form's problem.
    "delivery:webhook_new": (
        "POST",
        [LOGIN, 403] + ["/account#webhooks"] * 3 + [ENROL, "/account#webhooks"],
    ),
    "delivery:webhook": ("GET", [LOGIN, 403, 200, 200, 404, ENROL, 200]),
    # France's submitter deletes it: it is gone for those after it.
    "delivery:webhook_delete": ("POST", [LOGIN, 403, 403, "/account#webhooks", 404, ENROL, 404]),
    "delivery:webhook_replay": (
        "POST",
        [LOGIN, 403, 403, "/account/webhooks/{hook}", 404, ENROL, 403],
    ),
    "delivery:alerts": (
        "POST",
        [LOGIN, 403] + ["/account#alerts"] * 3 + [ENROL, "/account#alerts"],
    ),
    # Too early to chase the new item: back to its page, with the time it can be chased from.
    "delivery:chase": ("POST", [LOGIN, 403, 403, 403, 403, ENROL, "/icc/items/{seq}"]),
}


NOT_HTML = {  # GET rows that answer a file or a stream, not a page
    "exchange:acknowledgements_csv",
    "delivery:page_stream",
    "notifications:geojson",
    "notifications:kml",
    "notifications:pdf",
    "notifications:calendar",
    "notifications:calendar_feed",
    "compliance:report",
    "meetings:document",
}


def pages_of(persona: str) -> list[str]:
    """The HTML pages `persona` may open (the matrix's GET rows that answer it 200): the pages
    the browser's phone walk visits as it (tests/browser/test_browser_phone.py), and whose words
    tests/pages/test_pages_readable.py reads."""
    column = PERSONAS.index(persona)  # the matrix's columns
    return sorted(
        name
        for name, (method, expected) in PAGES.items()
        if method == "GET" and expected[column] == 200 and name not in NOT_HTML
    )


def page_names() -> set[str]:
    """Every page of every app namespace (the admin and the API have their own tests)."""
    names = set()
    for resolver in get_resolver().url_patterns:
        if not isinstance(resolver, URLResolver) or resolver.namespace in (None, "admin", "api-v1"):
            continue
        ns = resolver.namespace
        names |= {f"{ns}:{p.name}" for p in resolver.url_patterns if isinstance(p, URLPattern)}
    return names


def build_world():
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from hcoc.accounts.services import token_create
    from hcoc.declarations.schemas import DeclarationIn
    from hcoc.declarations.services import declaration_submit
    from hcoc.notifications.schemas import PLNIn
    from hcoc.notifications.services import draft_save, notification_submit

    make_personas()
    User.objects.create_user("icc_no2fa", role="icc")
    fra = User.objects.get(username="fra_submitter")
    n = notification_submit(actor=fra, data=PLNIn.model_validate(pln()))
    declaration_submit(
        actor=fra, data=DeclarationIn.model_validate(declaration(datetime.now(UTC).year - 1))
    )
    draft = draft_save(actor=fra, data={"remarks": "draft"})
    from hcoc.observers.schemas import InvitationIn
    from hcoc.observers.services import invitation_issue

    from .bodies import invitation

    inv = invitation_issue(actor=fra, data=InvitationIn.model_validate(invitation()))
    token, _ = token_create(user=fra, name="t")
    from hcoc.accounts.services import state_user_create

    _, enrolment = state_user_create(
        actor=User.objects.get(username="icc"), username="fra_new", role="reader", state_iso3="FRA"
    )
    from hcoc.registry.services import contact_add

    fra_contact = contact_add(
        actor=fra, state_iso3="FRA", name="Desk HCoC", email="hcoc@diplomatie.example"
    )
    jpn_contact = contact_add(
        actor=User.objects.get(username="jpn_submitter"),
        state_iso3="JPN",
        name="Non-proliferation division",
        phone="+81 3 3580 3311",
    )
    meetings = build_meeting_world()
    from hcoc.delivery.webhooks import endpoint_register

    hook, _ = endpoint_register(actor=fra, url="https://93.184.215.14/hcoc-hook")
    clients = {"anonymous": Client()}
    for name in PERSONAS[1:-1]:
        clients[name] = Client()
        clients[name].force_login(User.objects.get(username=name))
    icc = User.objects.get(username="icc")
    icc.set_password("pw")
    icc.save()
    device = TOTPDevice.objects.create(user=icc, name="phone", confirmed=True)
    clients["icc"] = Client()
    assert (
        clients["icc"]
        .post(
            "/accounts/login/",
            {"username": "icc", "password": "pw", "code": f"{totp(device.bin_key):06d}"},
        )
        .status_code
        == 302
    )
    kwargs = {
        "accounts:token_revoke": {"token_id": token.pk},
        "exchange:icc_item": {"seq": n.versions.get().seq},
        "exchange:acknowledgements_csv": {"seq": n.versions.get().seq},
        "registry:icc_user_tokens": {"user_id": fra.pk},
        "registry:icc_user_enrol": {"user_id": fra.pk},
        "accounts:enrol": {"token": enrolment},
        "registry:icc_token_revoke": {"token_id": token.pk},
        "notifications:draft_delete": {"draft_id": draft.pk},
        "notifications:detail": {"reference": n.reference},
        "notifications:amend": {"reference": n.reference},
        "notifications:geojson": {"reference": n.reference},
        "notifications:kml": {"reference": n.reference},
        "notifications:pdf": {"reference": n.reference},
        "notifications:calendar_feed": {"secret": "not-a-calendar"},
        "notifications:cancel": {"reference": n.reference},
        "notifications:report": {"reference": n.reference},
        "declarations:detail": {"state": "FRA", "year": datetime.now(UTC).year - 1},
        "compliance:year": {"year": datetime.now(UTC).year - 1},
        "compliance:report": {"year": datetime.now(UTC).year - 1, "fmt": "xlsx"},
        "observers:detail": {"reference": inv.reference},
        "observers:reply": {"reference": inv.reference},
        "observers:confirm": {"reference": inv.reference},
        "observers:withdraw": {"reference": inv.reference},
        **{
            f"meetings:{name}": {"number": meetings["meeting"]}
            for name in ("detail", "close", "agenda", "attendance", "table", "documents")
        },
        "meetings:open": {"number": meetings["scheduled"]},
        "meetings:decisions": {"number": meetings["meeting"]},
        "meetings:document": {"number": meetings["meeting"], "document_id": meetings["document"]},
        "meetings:decision": {"reference": meetings["decision"]},
        "meetings:proposal": {"reference": meetings["proposal"]},
        "meetings:position": {"reference": meetings["proposal"]},
        "meetings:call": {"reference": meetings["proposal"]},
        **{
            f"delivery:{name}": {"endpoint_id": hook.pk}
            for name in ("webhook", "webhook_delete", "webhook_replay")
        },
        "delivery:chase": {"seq": n.versions.get().seq},
        "registry:contact_edit": {"contact_id": fra_contact.pk},
        "registry:contact_remove": {"contact_id": jpn_contact.pk},
    }
    targets = {
        "year": datetime.now(UTC).year - 1,
        "invitation": inv.reference,
        "fra_id": fra.pk,
        "hook": hook.pk,
        "seq": n.versions.get().seq,
    }
    return clients, kwargs, targets
