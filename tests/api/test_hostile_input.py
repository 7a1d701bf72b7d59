"""Hostile input through real HTTP (issue 10): nothing a client sends gives a 500.

Times an offset carries out of the calendar, NUL characters, path segments that are not numbers,
years outside the calendar, digits that `str.isdigit()` accepts and `int()` refuses, bodies nested
past any reason, bodies that are not JSON in UTF-8. Each answer is a problem that names the field,
and nothing is stored. The pages (web_client) take the same text without failing.
"""

import hashlib
import json
import socket
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import pytest
from support.bodies import iso, pln
from support.ledger import register_key
from support.meetings import PDF_BYTES, open_meeting
from support.people import web_client
from support.stored import stored

from hcoc.exchange.models import Acknowledgement
from hcoc.ledger import client

PROBLEM_JSON = "application/problem+json"
# Inside the calendar as written, outside it in UTC (the year 10000, the year 0).
PAST_THE_END = "9999-12-31T23:59:59-23:59"
BEFORE_THE_START = "0001-01-01T00:00:00+23:59"
OUT_OF_CALENDAR = [PAST_THE_END, BEFORE_THE_START]


def problem(r, status: int | tuple[int, ...]) -> dict:
    statuses = (status,) if isinstance(status, int) else status
    assert r.status_code in statuses, f"{r.status_code}: {r.text}"
    assert r.headers["content-type"].startswith(PROBLEM_JSON), r.headers["content-type"]
    body = r.json()
    assert body["status"] == r.status_code and body["detail"]
    return body


def fields(r) -> set[str]:
    return {e["field"] for e in r.json().get("errors", [])}


@pytest.fixture
def world(api, personas) -> dict:
    """A French notification (its window in three days) and Regular Meeting 25, open, chaired
    by France, with agenda item 1."""
    r = api.post("/notifications", personas["fra_submitter"], json=pln())
    assert r.status_code == 201, r.text
    open_meeting(api, personas)
    return {"reference": r.json()["reference"]}


# ---- 1. times an offset carries out of the calendar -------------------------------------------


def _time_cases(world: dict, value: str) -> list[tuple[str, str, dict, str]]:
    """(persona, path, body, field) for every time field a request body carries."""
    now = datetime.now(UTC)
    ref = world["reference"]
    window = pln()["window"]
    unnotified = {
        "category": "SLV",
        "generic_class": "SLV-small",
        "launch_area": {"site_id": "FRA-KOUROU"},
        "planned_direction": {"azimuth_deg": 95.0},
        "launched_at": value,
        "outcome": "success",
        "reason": "omission",
    }
    historic = {
        "opens": iso(now - timedelta(days=400)),
        "closes": iso(now - timedelta(days=400) + timedelta(hours=6)),
    }
    imported = {
        "state": "FRA",
        "first_submitted_at": iso(now - timedelta(days=410)),
        "notification": pln(window=historic),
        "launch_report": None,
        "source": "Hostile-input test.",
    }
    report = {"launched_at": value, "outcome": "success"}
    return [
        ("fra_submitter", "/notifications", pln(window={**window, "opens": value}), "window.opens"),
        (
            "fra_submitter",
            "/notifications",
            pln(window={**window, "closes": value}),
            "window.closes",
        ),
        (
            "fra_submitter",
            f"/notifications/{ref}/amendments",
            pln(window={**window, "closes": value}),
            "window.closes",
        ),
        ("fra_submitter", f"/notifications/{ref}/launch-report", report, "launched_at"),
        ("fra_submitter", "/unnotified-launches", unnotified, "launched_at"),
        (
            "icc",
            "/imports/notifications",
            {**imported, "first_submitted_at": value},
            "first_submitted_at",
        ),
        (
            "icc",
            "/imports/notifications",
            {**imported, "notification": pln(window={**historic, "opens": value})},
            "notification.window.opens",
        ),
        (
            "icc",
            "/imports/notifications",
            {**imported, "launch_report": report},
            "launch_report.launched_at",
        ),
        (
            "fra_submitter",
            "/meetings/25/proposals",
            {"agenda_item": 1, "text": "To adopt it.", "procedure": "silence", "deadline": value},
            "deadline",
        ),
    ]


@pytest.mark.parametrize("value", OUT_OF_CALENDAR)
def test_a_time_whose_offset_carries_it_out_of_the_calendar_is_refused_naming_each_field(
    api, personas, world, value
):
    before = stored()
    wrong = []
    for who, path, body, field in _time_cases(world, value):
        r = api.post(path, personas[who], json=body)
        if r.status_code != 422 or field not in fields(r):
            wrong.append(f"POST {path} ({field}): {r.status_code} {r.text[:300]}")
    assert wrong == [], "\n".join(wrong)
    assert stored() == before


def test_a_list_filter_out_of_the_calendar_is_refused_naming_it(api, personas, world):
    for name in ("window_from", "window_to"):
        for value in OUT_OF_CALENDAR:
            r = api.get("/notifications", personas["jpn_reader"], params={name: value})
            problem(r, 422)
            assert fields(r) == {name}
            assert "once converted to UTC" in r.json()["errors"][0]["message"]


def test_times_at_the_calendars_edges_in_utc_are_still_times(api, personas, world):
    # PostgreSQL takes offsets up to 15:59 only: every time reaches it in UTC.
    for value in ("9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "2026-01-01T00:00:00+23:59"):
        r = api.get("/notifications", personas["jpn_reader"], params={"window_from": value})
        assert r.status_code == 200, r.text


def test_a_time_with_an_offset_beyond_postgresqls_is_stored_in_utc(api, personas):
    opens = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    offset = timedelta(hours=16, minutes=10)
    closes = opens + timedelta(hours=8)
    window = {  # the same instants, written 16:10 east and 16:10 west of UTC
        "opens": (opens + offset).strftime("%Y-%m-%dT%H:%M:%S+16:10"),
        "closes": (closes - offset).strftime("%Y-%m-%dT%H:%M:%S-16:10"),
    }
    r = api.post("/notifications", personas["fra_submitter"], json=pln(window=window))
    assert r.status_code == 201, r.text
    assert r.json()["window"] == {"opens": iso(opens), "closes": iso(closes)}


# ---- 2. NUL characters --------------------------------------------------------------------

QUERIES_WITH_NUL = [
    ("/notifications", "state"),
    ("/notifications", "generic_class"),
    ("/notifications", "cursor"),
    ("/declarations", "state"),
    ("/invitations", "state"),
    ("/circulars", "cursor"),
]


def test_a_nul_in_a_query_parameter_is_refused_naming_it(api, personas, world):
    wrong = []
    for path, name in QUERIES_WITH_NUL:
        r = api.get(path, personas["jpn_reader"], params={name: "FR\x00A"})
        errors = r.json().get("errors", []) if r.status_code == 422 else []
        if [e["field"] for e in errors] != [name] or "NUL" not in errors[0]["message"]:
            wrong.append(f"GET {path}?{name}=: {r.status_code} {r.text[:200]}")
    assert wrong == [], "\n".join(wrong)


PATHS_WITH_NUL = [
    ("GET", "/notifications/FRA-2026-0001%00"),
    ("GET", "/notifications/FRA-2026%00-0001/versions"),
    ("GET", "/invitations/FRA-INV-2026-001%00"),
    ("GET", "/proposals/RM25-P1%00"),
    ("GET", "/decisions/RM25-D1%00"),
    ("GET", "/states/FR%00"),
    ("GET", "/declarations/FR%00/2025"),
    ("GET", "/meetings/25%00/documents"),
    ("POST", "/notifications/FRA-2026-0001%00/cancellation"),
    ("POST", "/invitations/FRA-INV-2026-001%00/withdraw"),
    ("POST", "/states/FR%00/roots"),
    ("POST", "/states/FRA/keys/FRA-1%00/revoke"),
]


def test_a_nul_in_a_path_reference_is_not_found(api, personas, world):
    before = stored()
    wrong = []
    for method, path in PATHS_WITH_NUL:
        who = personas["fra_submitter"]
        body = {
            "/roots": {"key_id": "FRA-root-1", "public_key": "AAAA", "proof": "AAAA"},
            "/revoke": {"reason": "Hostile.", "revoked_by": "FRA-root-1", "revocation": "AAAA"},
        }.get(path[path.rindex("/") :], {"reason": "Hostile."})
        body = body if method == "POST" else None
        r = api.request(method, path, who, json=body)
        if r.status_code != 404 or not r.headers["content-type"].startswith(PROBLEM_JSON):
            wrong.append(f"{method} {path}: {r.status_code} {r.text[:200]}")
    assert wrong == [], "\n".join(wrong)
    assert stored() == before


def test_a_nul_in_a_body_string_is_refused_naming_the_field(api, personas, world):
    stage = {"kind": "stage", "center": {"lat": 1, "lon": 2}, "radius_km": 5}
    cases = [
        ("fra_submitter", "/notifications", pln(remarks="a\x00b"), "remarks"),
        ("fra_submitter", "/notifications", pln(vehicle_name="Ariane\x006"), "vehicle_name"),
        (
            "fra_submitter",
            "/notifications",
            pln(launch_area={"site_id": "FRA-KOUROU\x00"}),
            "launch_area.site_id",
        ),
        (
            "fra_submitter",
            "/notifications",
            pln(impact_areas=[stage, {**stage, "description": "\x00"}]),
            "impact_areas[1].description",
        ),
        ("icc", "/circulars", {"title": "T\x00", "text": "Text."}, "title"),
        ("fra_submitter", "/meetings/25/agenda", {"title": "Item\x00"}, "title"),
        ("jpn_reader", "/acknowledgements", {"seqs": [1], "extra\x00": 1}, "extra\x00"),
    ]
    before = stored()
    wrong = []
    for who, path, body, field in cases:
        r = api.post(path, personas[who], json=body)
        if r.status_code != 422 or field not in fields(r):
            wrong.append(f"POST {path} ({field!r}): {r.status_code} {r.text[:200]}")
    assert wrong == [], "\n".join(wrong)
    assert stored() == before


def test_a_lone_surrogate_in_a_body_string_is_refused_naming_the_field(api, personas, world):
    raw = json.dumps(pln(remarks="x")).replace('"remarks": "x"', '"remarks": "\\ud800"')
    r = api.post(
        "/notifications",
        personas["fra_submitter"],
        content=raw.encode(),
        headers={"Content-Type": "application/json"},
    )
    problem(r, 422)
    assert fields(r) == {"remarks"}


PAGES_WITH_NUL = [
    ("/notifications/FRA-2026-0001\x00", {}),
    ("/notifications/", {"state": "FR\x00"}),
    ("/invitations/FRA-INV-2026-001\x00", {}),
    ("/declarations/FR\x00/2025", {}),
    ("/declarations/", {"state": "FR\x00"}),
    ("/declarations/new", {"on_behalf_of": "FR\x00"}),
    ("/icc/users", {"state": "FR\x00"}),
    ("/meetings/proposals/RM25-P1\x00", {}),
]
FORMS_WITH_NUL = [
    ("/notifications/FRA-2026-0001/cancel", {"reason": "Postponed\x00"}),
    ("/account/tokens", {"name": "laptop\x00"}),
    ("/invitations/new", {"site_id": "FRA-KOUROU\x00", "access": "All\x00"}),
    ("/meetings/new", {"number": "30", "place": "Vienna\x00", "chair_state": "FRA"}),
    ("/inbox/acknowledge", {"seqs": "1\x00"}),
]


def test_pages_refuse_a_nul_in_the_path_query_form_or_a_cookie(personas, world):
    before = stored()
    wrong = []
    for username in ("fra_submitter", "icc"):
        page = web_client(username)
        page.raise_request_exception = False
        for url, params in PAGES_WITH_NUL:
            r = page.get(url, params)
            if r.status_code not in (400, 404):
                wrong.append(f"{username} GET {url!r} {params}: {r.status_code}")
        for url, data in FORMS_WITH_NUL:
            r = page.post(url, data)
            if r.status_code != 400:
                wrong.append(f"{username} POST {url!r} {data}: {r.status_code}")
    assert wrong == [], "\n".join(wrong)
    assert stored() == before
    page = web_client("jpn_reader")
    page.cookies["sessionid"] = "abcdefgh\x00"
    assert page.get("/inbox").status_code == 400


def raw_status(base_url: str, request: bytes) -> int:
    """Send bytes no HTTP client library would (a NUL in a header) and read the status."""
    url = urlparse(base_url)
    with socket.create_connection((url.hostname, url.port), timeout=30) as conn:
        conn.sendall(request)
        answer = b""
        while b"\r\n" not in answer:
            chunk = conn.recv(4096)
            if not chunk:
                break
            answer += chunk
    return int(answer.split(b" ", 2)[1])


def test_a_nul_in_a_signature_key_id_is_refused(live_server, personas):
    body = b'{"up_to": 1}'
    request = b"".join(
        [
            b"POST /api/v1/acknowledgements HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n",
            b"Authorization: Bearer " + personas["jpn_reader"].token.encode() + b"\r\n",
            b"HCoC-Signature: keyid=JPN\x00-1; created=1; sig=" + b"A" * 86 + b"==\r\n",
            b"Content-Type: application/json\r\nContent-Length: 12\r\n\r\n" + body,
        ]
    )
    assert raw_status(live_server.url, request) == 401
    assert not Acknowledgement.objects.exists()


def test_a_cookie_with_a_nul_is_a_bad_request_to_the_api_too(api, personas):
    r = api.get("/feed", personas["jpn_reader"], headers={"Cookie": 'sessionid="abcdefgh\\000"'})
    problem(r, 400)


# ---- 3. meeting paths that are not numbers; multipart without a boundary --------------------

NOT_MEETING_NUMBERS = ["abc", "²", "1.5", "-1", "99999999999999999999999", "%00"]
MEETING_OPERATIONS = [
    ("POST", "/open", None),
    ("POST", "/close", None),
    ("POST", "/agenda", {"title": "Outreach"}),
    ("POST", "/attendance", {"action": "check_in"}),
    ("POST", "/proposals", {"agenda_item": 1, "text": "To adopt it."}),
    ("POST", "/documents", None),
    ("GET", "", None),
    ("GET", "/attendance", None),
    ("GET", "/proposals", None),
    ("GET", "/documents/1", None),
]


def test_a_meeting_path_that_names_no_number_is_404_or_422(api, personas, world):
    before = stored()
    wrong = []
    for number in NOT_MEETING_NUMBERS:
        for method, tail, body in MEETING_OPERATIONS:
            path = f"/meetings/{number}{tail}"
            r = api.request(method, path, personas["fra_submitter"], json=body)
            if r.status_code not in (404, 422) or "problem" not in r.headers["content-type"]:
                wrong.append(f"{method} {path}: {r.status_code} {r.text[:200]}")
    assert wrong == [], "\n".join(wrong)
    assert stored() == before


def test_a_document_upload_without_a_multipart_boundary_is_a_bad_request(api, personas, world):
    before = stored()
    for content_type in ("multipart/form-data", "multipart/form-data; boundary="):
        r = api.post(
            "/meetings/25/documents",
            personas["fra_submitter"],
            content=b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n'
            + PDF_BYTES
            + b"\r\n--x--\r\n",
            headers={"Content-Type": content_type},
        )
        problem(r, (400, 422))
    assert stored() == before


def test_a_document_upload_stays_multipart_and_json_is_refused(api, personas, world):
    r = api.post("/meetings/25/documents", personas["fra_submitter"], json={"file": "x"})
    problem(r, 415)
    r = api.post(
        "/meetings/25/documents",
        personas["fra_submitter"],
        files={"file": ("agenda.pdf", PDF_BYTES, "application/pdf")},
    )
    assert r.status_code == 201, r.text


# ---- 4. years outside the calendar ----------------------------------------------------------


def test_an_invitation_list_year_outside_the_calendar_is_refused_naming_it(api, personas):
    for year in ("0", "-1", "10000", "99999", "626085"):
        r = api.get("/invitations", personas["jpn_reader"], params={"year": year})
        problem(r, 422)
        assert fields(r) == {"year"}
    assert (
        api.get("/invitations", personas["jpn_reader"], params={"year": "9999"}).status_code == 200
    )


def test_the_invitations_page_ignores_a_year_outside_the_calendar(personas):
    page = web_client("jpn_reader")
    for year in ("0", "-1", "10000", "99999", "²", "٣"):
        assert page.get("/invitations/", {"year": year}).status_code == 200, year


# ---- 5. digits str.isdigit() accepts and int() refuses ---------------------------------------

SUPERSCRIPT_TWO = "²"  # "²".isdigit() is True; int("²") raises ValueError

PAGES = [
    ("jpn_reader", "/inbox", {"before": SUPERSCRIPT_TWO}),
    ("icc", "/icc/", {"before": SUPERSCRIPT_TWO}),
    ("jpn_reader", "/invitations/", {"year": SUPERSCRIPT_TWO}),
    ("jpn_reader", "/declarations/", {"year": SUPERSCRIPT_TWO}),
    ("jpn_reader", "/declarations/", {"year": "0"}),
    ("fra_submitter", "/declarations/new", {"year": SUPERSCRIPT_TWO}),
    ("fra_submitter", "/declarations/new", {"year": "0"}),
    ("fra_submitter", "/notifications/new", {"draft": SUPERSCRIPT_TWO}),
    ("fra_submitter", "/meetings/proposals/RM²-P1", {}),
    ("fra_submitter", "/meetings/decisions/RM25-D²", {}),
]
FORMS = [
    ("jpn_reader", "/inbox/acknowledge", {"all": SUPERSCRIPT_TWO}),
    ("jpn_reader", "/inbox/acknowledge", {"all": "1,99999999999999999999999"}),
    ("jpn_reader", "/inbox/acknowledge", {"seqs": [SUPERSCRIPT_TWO]}),
    ("fra_submitter", "/meetings/25/proposals", {"agenda_item": SUPERSCRIPT_TWO, "text": "x"}),
    ("icc", "/meetings/new", {"number": SUPERSCRIPT_TWO, "place": "Vienna"}),
    ("fra_submitter", "/invitations/new", {"places": SUPERSCRIPT_TWO, "site_id": "FRA-KOUROU"}),
]


def test_pages_and_forms_take_digits_int_refuses_without_failing(personas, world):
    before = stored()
    wrong = []
    for username, url, params in PAGES:
        r = web_client(username).get(url, params)
        if r.status_code not in (200, 302, 400, 404):  # 400: the page, naming the field
            wrong.append(f"GET {url} {params}: {r.status_code}")
    for username, url, data in FORMS:
        r = web_client(username).post(url, data)
        if r.status_code >= 500:  # the form again (422), a message and a redirect, or 404
            wrong.append(f"POST {url} {data}: {r.status_code}")
    assert wrong == [], "\n".join(wrong)
    assert stored() == before


def test_a_proposal_reference_with_superscript_digits_is_not_found(api, personas, world):
    for path in (
        "/proposals/RM²-P1",
        "/decisions/RM25-D²",
        "/proposals/RM99999999999999999999999-P1",
    ):
        problem(api.get(path, personas["jpn_reader"]), 404)
    before = stored()
    problem(api.post("/proposals/RM²-P1/call", personas["fra_submitter"]), 404)
    position = {"position": "support"}
    problem(api.post("/proposals/RM25-P²/positions", personas["fra_submitter"], json=position), 404)
    assert stored() == before


# ---- 6. bodies nested past any reason -------------------------------------------------------

DEPTHS = [33, 900, 5_000, 100_000]  # past MAX_DEPTH; near, at and far past Python's recursion limit


def nested(depth: int) -> bytes:
    return b'{"seqs": ' + b"[" * depth + b"1" + b"]" * depth + b"}"


def test_a_deeply_nested_body_is_refused(api, personas, world):
    before = stored()
    wrong = []
    for depth in DEPTHS:
        for who, path in (("jpn_reader", "/acknowledgements"), ("fra_submitter", "/notifications")):
            r = api.post(
                path,
                personas[who],
                content=nested(depth),
                headers={"Content-Type": "application/json"},
            )
            if r.status_code != 400 or fields(r) != {"body"}:
                wrong.append(f"{path}, depth {depth}: {r.status_code} {r.text[:200]}")
    assert wrong == [], "\n".join(wrong)
    assert stored() == before


def test_a_signed_request_with_a_deeply_nested_body_is_refused(api, personas, world):
    key = register_key(api, personas, "JPN", "JPN-deep-1")
    before = stored()
    for depth in DEPTHS:
        raw = nested(depth)
        # Signed over the raw bytes: the exchange cannot make the canonical form of such a body.
        created = int(datetime.now(UTC).timestamp())
        digest = hashlib.sha256(raw).hexdigest()
        sig = key.sign(client.signing_input("POST", "/api/v1/acknowledgements", created, digest))
        header = client.RequestSignature("JPN-deep-1", created, sig).header()
        r = api.post(
            "/acknowledgements",
            personas["jpn_reader"],
            content=raw,
            headers={"Content-Type": "application/json", client.SIGNATURE_HEADER: header},
        )
        problem(r, (400, 422))
        assert "body" in fields(r)
        assert "nested more than 32 levels" in r.json()["detail"]
    assert stored() == before


def test_the_body_digest_refuses_a_deep_body_with_a_value_error():
    with pytest.raises(ValueError, match="nested more than 32 levels"):
        client.body_digest(nested(100_000))
    with pytest.raises(ValueError, match="nested more than 32 levels"):
        client.json_depth_check(nested(32))
    assert client.json_depth_check(nested(31)) == json.loads(nested(31))


# ---- 7. a body is JSON in UTF-8, sent as application/json -----------------------------------

NOT_JSON_MEDIA_TYPES = [
    ("text/plain", "utf-8"),
    (None, "utf-8"),
    ("application/x-www-form-urlencoded", "utf-8"),
    ("application/json; charset=utf-16", "utf-16"),
    ("application/json; charset=latin-1", "utf-8"),
    ("application/problem+json", "utf-8"),
    ("application/jsonx", "utf-8"),
]


def test_a_body_not_sent_as_application_json_is_415(api, personas, world):
    before = stored()
    wrong = []
    for content_type, encoding in NOT_JSON_MEDIA_TYPES:
        raw = json.dumps(pln()).encode(encoding)
        headers = {"Content-Type": content_type} if content_type else {}
        r = api.post("/notifications", personas["fra_submitter"], content=raw, headers=headers)
        if (
            r.status_code != 415
            or fields(r) != {"Content-Type"}
            or "application/json" not in r.json()["detail"]
        ):
            wrong.append(f"{content_type}: {r.status_code} {r.text[:200]}")
    assert wrong == [], "\n".join(wrong)
    assert stored() == before


def test_a_utf16_body_labelled_application_json_is_a_bad_request(api, personas, world):
    raw = json.dumps(pln()).encode("utf-16")
    r = api.post(
        "/notifications",
        personas["fra_submitter"],
        content=raw,
        headers={"Content-Type": "application/json"},
    )
    problem(r, 400)
    assert fields(r) == {"body"}


def test_json_sent_as_application_json_with_or_without_utf8_charset_is_taken(api, personas):
    for content_type in (
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON; charset=UTF-8",
    ):
        r = api.post(
            "/notifications",
            personas["fra_submitter"],
            content=json.dumps(pln()).encode(),
            headers={"Content-Type": content_type},
        )
        assert r.status_code == 201, r.text


def test_access_is_refused_before_the_media_type_is_judged(api, personas):
    r = api.post(
        "/notifications",
        personas["fra_reader"],
        content=json.dumps(pln()).encode(),
        headers={"Content-Type": "text/plain"},
    )
    problem(r, 403)


def test_an_operation_without_a_body_needs_no_content_type(api, personas, world):
    r = api.post("/meetings/25/close", personas["fra_submitter"])
    assert r.status_code == 200, r.text
