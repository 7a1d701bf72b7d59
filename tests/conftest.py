"""Shared fixtures: personas, a real HTTP server, reference data.

Personas (like healthchecks' alice/bob/charlie): the ICC; a submitter and a reader of France and
of Japan (two subscribing states); a user of North Korea (not subscribing); an anonymous visitor.
"""

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from hcoc.accounts.models import Role
from hcoc.accounts.services import token_create, user_create
from hcoc.sites.services import sites_load_catalogue
from hcoc.states.services import registry_load_defaults

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


def load_reference() -> None:
    registry_load_defaults()
    sites_load_catalogue()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference()


RATE_LIMITS_OFF = {"RATE_LIMIT_API": 0, "RATE_LIMIT_API_ADDRESS": 0, "RATE_LIMIT_LOGIN": 0}


@pytest.fixture(scope="session", autouse=True)
def prompt_live_server():
    """The test server writes an answer's headers and body in two sends; with Nagle's algorithm
    the body then waits for the client's delayed ACK (40 ms), a request in two. Production
    servers do not; here it would only make every live-server test slower."""
    from django.test.testcases import QuietWSGIRequestHandler

    QuietWSGIRequestHandler.disable_nagle_algorithm = True
    yield
    QuietWSGIRequestHandler.disable_nagle_algorithm = False


@pytest.fixture(scope="session", autouse=True)
def rate_limits_off():
    """The suite sends thousands of requests a minute from one address: no rate limits, in this
    process and in the servers tests start, except where a test sets its own
    (tests/test_rate_limits.py)."""
    from django.test import override_settings

    names = ["HCOC_" + name for name in RATE_LIMITS_OFF]
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(dict.fromkeys(names, "0"))
    with override_settings(**RATE_LIMITS_OFF):
        yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@dataclass
class Persona:
    name: str
    username: str
    token: str | None
    state: str | None
    role: str | None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


PERSONAS = {
    # name: (role, state)
    "icc": (Role.ICC, None),
    "fra_submitter": (Role.SUBMITTER, "FRA"),
    "fra_reader": (Role.READER, "FRA"),
    "jpn_submitter": (Role.SUBMITTER, "JPN"),
    "jpn_reader": (Role.READER, "JPN"),
    "prk_user": (Role.SUBMITTER, "PRK"),
}


def make_personas() -> dict[str, Persona]:
    out = {}
    for name, (role, state) in PERSONAS.items():
        user = user_create(username=name, password=None, role=role, state_iso3=state)
        _, raw = token_create(user=user, name="test")
        out[name] = Persona(name, name, raw, state, role)
    out["anonymous"] = Persona("anonymous", "", None, None, None)
    return out


@pytest.fixture
def reference(transactional_db):
    """Transactional tests flush the database after each test: put the reference data back."""
    load_reference()


@pytest.fixture
def personas(reference) -> dict[str, Persona]:
    return make_personas()


class Api:
    """A client of the published API over real HTTP, speaking as one persona at a time."""

    def __init__(self, base_url: str):
        self.http = httpx.Client(base_url=base_url.rstrip("/") + "/api/v1", timeout=30)

    def request(self, method: str, path: str, who: Persona | None = None, **kw) -> httpx.Response:
        headers = {**(who.headers if who else {}), **kw.pop("headers", {})}
        return self.http.request(method, path, headers=headers, **kw)

    def get(self, path, who=None, **kw):
        return self.request("GET", path, who, **kw)

    def post(self, path, who=None, **kw):
        return self.request("POST", path, who, **kw)


@pytest.fixture
def api(live_server, personas) -> Api:
    client = Api(live_server.url)
    yield client
    client.http.close()


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def pln(**overrides) -> dict:
    """A valid PLN body (window in the coming days), with top-level fields overridden."""
    now = datetime.now(UTC).replace(microsecond=0)
    body = {
        "category": "SLV",
        "generic_class": "SLV-medium",
        "vehicle_name": "Ariane 6",
        "test_flight": False,
        "window": {
            "opens": iso(now + timedelta(days=3)),
            "closes": iso(now + timedelta(days=3, hours=6)),
        },
        "launch_area": {"site_id": "FRA-KOUROU"},
        "planned_direction": {"azimuth_deg": 90.0},
        "impact_areas": [
            {"kind": "stage", "center": {"lat": 10.0, "lon": -40.0}, "radius_km": 100}
        ],
        "range_km": 3000,
        "apogee_km": 200,
        "remarks": "Test notification.",
    }
    body.update(overrides)
    return body


def declaration(year: int, **overrides) -> dict:
    body = {
        "year": year,
        "nil": False,
        "ballistic_missiles": {
            "policy": "Deterrence policy outline.",
            "systems": [{"generic_class": "SLBM", "name": "M51"}],
            "launch_sites": [{"site_id": "FRA-BISCARROSSE"}],
            "launches": [{"generic_class": "SLBM", "count": 1}],
        },
        "space_launch_vehicles": {
            "policy": "Space policy outline.",
            "launch_sites": [{"site_id": "FRA-KOUROU"}],
            "launches": [{"generic_class": "SLV-medium", "count": 2}],
        },
        "observers": {"invites": False, "details": None},
        "remarks": "",
    }
    body.update(overrides)
    return body


# ---- browser ---------------------------------------------------------------------------------
# Playwright's sync API runs an event loop in the test thread; Django then refuses database
# calls from that thread unless told the loop is not serving requests (it is not: the live
# server runs in its own thread).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def chromium():
    from browser import ARGS, CHROMIUM

    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no browser at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_context(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


def set_password(username: str, password: str = "correct horse battery") -> str:
    from hcoc.accounts.models import User

    user = User.objects.get(username=username)
    user.set_password(password)
    user.save()
    return password


def log_in(page, username: str, password: str, code: str | None = None) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    if code:
        page.get_by_label("Two-factor code").fill(code)
    page.get_by_role("button", name="Log in").click()


def screenshot(page, name: str) -> None:
    from browser import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def web_client(username: str):
    """A Django test client logged in as `username`; ICC users also pass their second factor
    (a confirmed TOTP device marked in the session, as django-otp does after a code)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from hcoc.accounts.models import Role, User

    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    if user.role == Role.ICC:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        device = device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
