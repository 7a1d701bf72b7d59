"""The personas, in one place (like healthchecks' alice/bob/charlie): the ICC; a submitter and a
reader of France and of Japan (two subscribing states); a user of North Korea (not subscribing);
an anonymous visitor. Each has a user and an API token.

Fixtures (registered for every test by tests/conftest.py):
- `personas`: the personas by name. Inside the test's transaction for a plain database test;
  committed when the test has a live server or asks for `transactional_db` (servers in other
  threads or processes must see them).
- `api`: a client of the published API over real HTTP (the live server), speaking as a persona.
"""

from dataclasses import dataclass

import httpx
import pytest
from django.utils import timezone

from hcoc.accounts.models import ApiToken, Role, User, hash_token, new_raw_token

from . import TLS  # the live server speaks plain HTTP: one SSL context for every client

PASSWORD = "correct horse battery"


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
    """The personas' users and tokens, the rows `user_create(password=None)` and `token_create`
    make, written with one insert for the users and one for the tokens: every second test asks
    for them, and one by one (five queries a persona) they cost 23 ms a test here, more than
    many tests. `test_the_personas_are_the_rows_the_services_make` keeps the two equal."""
    now = timezone.now()
    users = [
        User(username=name, role=role, state_id=state, email="")
        for name, (role, state) in PERSONAS.items()
    ]
    for user in users:
        user.set_unusable_password()
    User.objects.bulk_create(users)
    raws = [new_raw_token() for _ in users]
    ApiToken.objects.bulk_create(
        ApiToken(
            user=user, name="test", prefix=raw[:12], token_hash=hash_token(raw), created_at=now
        )
        for user, raw in zip(users, raws, strict=True)
    )
    out = {
        user.username: Persona(user.username, user.username, raw, user.state_id, user.role)
        for user, raw in zip(users, raws, strict=True)
    }
    out["anonymous"] = Persona("anonymous", "", None, None, None)
    return out


@pytest.fixture
def personas(db) -> dict[str, Persona]:
    return make_personas()


class Api:
    """A client of the published API over real HTTP, speaking as one persona at a time."""

    def __init__(self, base_url: str):
        self.http = httpx.Client(base_url=base_url.rstrip("/") + "/api/v1", timeout=30, verify=TLS)

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


def set_password(username: str, password: str = PASSWORD) -> str:
    from hcoc.accounts.models import User

    user = User.objects.get(username=username)
    user.set_password(password)
    user.save()
    return password


def web_client(username: str):
    """A Django test client logged in as `username`; ICC users also pass their second factor
    (a confirmed TOTP device marked in the session, as django-otp does after a code)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from hcoc.accounts.models import User

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
