"""What another state types reaches every reader's downloads as text, never as markup or a
formula: the notification's PDF (reportlab's paragraph markup), the CSVs (spreadsheet formulas).
And a page's `next` that names no page sends the user to a page, never to a 500."""

import csv
import io
import re

import pytest
from django.test import Client
from support.bodies import pln
from support.pdf import pages_text
from support.people import set_password, web_client
from support.stored import nothing_stored

from hcoc.accounts.models import User
from hcoc.exchange.services import event_transaction
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit

pytestmark = pytest.mark.django_db

# Each broke the PDF for every reader (a 500), opened a file of the server's, or became a live
# link in the PDF (issue 22).
MARKUP = [
    "a < b <b>unclosed",
    '<font color="[1]">red</font>',
    '<img src="/etc/hostname"/>',
    '<a href="javascript:alert(1)">click</a>',
    '<link href="file:///etc/passwd">passwd</link>',
    "&bogus; & &amp;",
]


def submit_as_france(**body):
    fra = User.objects.get(username="fra_submitter")
    return notification_submit(actor=fra, data=PLNIn.model_validate(pln(**body)))


@pytest.mark.parametrize("text", MARKUP)
def test_free_text_in_a_notification_prints_in_its_pdf_as_the_very_text_typed(personas, text):
    n = submit_as_france(
        vehicle_name=text,
        remarks=text,
        impact_areas=[
            {
                "kind": "stage",
                "center": {"lat": 10.0, "lon": -40.0},
                "radius_km": 100,
                "description": text,
            }
        ],
    )
    r = web_client("jpn_reader").get(f"/notifications/{n.reference}/pdf")
    assert r.status_code == 200, text
    printed = " ".join(pages_text(r.content))
    # Compared without blanks: reportlab breaks lines and text runs where it likes.
    assert "".join(text.split()) in "".join(printed.split())
    # Nothing the text said became part of the document: no image, no link annotation.
    assert not re.search(rb"/Subtype\s*/Image\b", r.content)
    assert b"/Annot" not in r.content and b"/URI" not in r.content


# ---- CSV: one writer for both exports --------------------------------------------------------

FORMULAS = [' =HYPERLINK("http://example.invalid","x")', "\t=1+1", " +1", "  -1+2", " @SUM(1)"]


@pytest.mark.parametrize("text", FORMULAS)
def test_the_notifications_csv_quotes_a_formula_even_behind_blanks(personas, text):
    n = submit_as_france(vehicle_name=text)
    r = web_client("jpn_reader").get("/notifications/?format=csv")
    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(r.content.decode()))}
    assert rows[n.reference]["vehicle_name"] == "'" + text


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1", "\t=1+1", "\r=1", "  =1+1", "\n=1"])
def test_a_csv_cell_a_spreadsheet_would_run_as_a_formula_is_quoted(text):
    from hcoc.ui.csvfile import safe_cell

    assert safe_cell(text) == "'" + text
    assert safe_cell("FRA-2026-0001") == "FRA-2026-0001"
    assert safe_cell(3) == "3" and safe_cell(None) == ""


# ---- `next` that names nothing --------------------------------------------------------------


@pytest.mark.parametrize("target", ["x", "inbox", "notifications:list", "..", "javascript:x"])
def test_logging_in_with_a_next_that_is_no_page_goes_home(personas, target):
    password = set_password("fra_submitter")
    r = Client().post(
        f"/accounts/login/?next={target}", {"username": "fra_submitter", "password": password}
    )
    assert r.status_code == 302 and r["Location"] == "/"


def test_logging_in_with_a_next_of_this_site_goes_there(personas):
    password = set_password("fra_submitter")
    r = Client().post(
        "/accounts/login/?next=/inbox?kind=x", {"username": "fra_submitter", "password": password}
    )
    assert r.status_code == 302 and r["Location"] == "/inbox?kind=x"


@pytest.mark.parametrize("target", ["x", "exchange:inbox", "//example.invalid/"])
def test_acknowledging_with_a_next_that_is_no_page_goes_back_to_the_inbox(personas, target):
    with event_transaction() as tx:
        tx.publish(kind="registry.circular", state="FRA", subject="C-1", payload={}, actor=None)
        seq = tx.seq
    jpn = web_client("jpn_reader")
    with nothing_stored():  # not shown on a page: refused, nothing acknowledged
        r = jpn.post("/inbox/acknowledge", {"seqs": str(seq), "next": target})
    assert r.status_code == 302 and r["Location"] == "/inbox"
