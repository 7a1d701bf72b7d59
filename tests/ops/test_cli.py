"""The `hcoc` commands call the same services as the API."""

import argparse
import json
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from support.bodies import pln

from hcoc import cli
from hcoc.accounts.models import ApiToken
from hcoc.accounts.services import token_user
from hcoc.exchange.models import Event
from hcoc.ledger import offline
from hcoc.notifications.models import Notification
from hcoc.states.models import State, Subscription


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_token_create_prints_a_token_once_that_authenticates_and_can_be_revoked(personas):
    raw = run("token", "create", "icc", "--name", "agency system")[0].strip()
    assert token_user(raw).username == "icc"
    stored = ApiToken.objects.get(name="agency system")
    assert raw not in (stored.token_hash, stored.prefix)  # only the hash is kept
    listing = run("token", "list", "icc")[0]
    assert stored.prefix in listing and raw not in listing
    run("token", "revoke", stored.prefix)
    assert token_user(raw) is None


def test_token_create_refuses_a_states_user_whose_tokens_are_its_own_to_make(personas):
    with pytest.raises(CommandError, match="only that user can make its API tokens"):
        run("token", "create", "fra_submitter", "--name", "agency system")
    assert not ApiToken.objects.filter(name="agency system").exists()
    # Revoking a state's token stays possible: the operator may stop a token, never make one.
    stored = ApiToken.objects.get(user__username="fra_submitter")
    run("token", "revoke", stored.prefix)
    stored.refresh_from_db()
    assert stored.revoked_at is not None


def test_subscription_add_makes_a_state_subscribing_and_disseminates_it(personas):
    out, _ = run(
        "subscription",
        "add",
        "chn",
        "--note",
        "Note 1/2026",
        "--received",
        "2026-01-05",
        "--effective",
        "2026-01-10",
        "--as",
        "icc",
    )
    chn = State.objects.get(iso3="CHN")
    assert chn.status == "subscribing" and str(chn.subscribed_on) == "2026-01-10"
    event = Event.objects.get(kind="registry.subscribed")
    assert event.subject == "CHN" and f"seq {event.seq}" in out


def test_subscription_add_refuses_a_state_user_and_stores_nothing(personas):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Immediate Central Contact"):
        run(
            "subscription",
            "add",
            "CHN",
            "--note",
            "n",
            "--received",
            "2026-01-05",
            "--effective",
            "2026-01-10",
            "--as",
            "fra_submitter",
        )
    assert not Subscription.objects.exists()


def test_registry_import_stores_good_rows_and_reports_each_bad_one(personas, tmp_path):
    f = tmp_path / "registry.csv"
    f.write_text(
        "iso3,name,status,subscribed_on,founding,source\n"
        "CHN,China,subscribing,2026-02-01,no,ICC list 2026\n"
        "XX,Nowhere,subscribing,,,\n"
        "BRA,Brazil,maybe,,,\n"
        "MEX,Mexico,not_subscribing,2026-01-01,,\n"
        "QAT,Qatar,subscribing,2024-03-11,no,ICC list 2026\n"
    )
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit):
        call_command("registry", "import", str(f), "--as", "icc", stdout=out, stderr=err)
    err = err.getvalue()
    assert "line 3" in err and "iso3" in err
    assert "line 4" in err and "status" in err
    assert "line 5" in err and "subscribed_on" in err
    assert State.objects.get(iso3="CHN").status == "subscribing"
    assert State.objects.get(iso3="BRA").status == "not_subscribing"  # unchanged by the bad row
    assert Event.objects.filter(kind="registry.subscribed", subject="CHN").count() == 1


def test_import_notifications_stores_good_lines_and_reports_bad_ones_with_reasons(
    personas, tmp_path
):
    good = {
        "state": "FRA",
        "first_submitted_at": "2024-03-01T10:00:00Z",
        "notification": pln(
            window={"opens": "2024-03-05T10:00:00Z", "closes": "2024-03-05T16:00:00Z"}
        ),
        "launch_report": {"launched_at": "2024-03-05T11:00:00Z", "outcome": "success"},
        "source": "ICC archive, note 12/2024",
    }
    bad_window = {
        **good,
        "notification": pln(
            window={"opens": "2024-02-01T10:00:00Z", "closes": "2024-02-01T12:00:00Z"}
        ),
    }
    f = tmp_path / "history.jsonl"
    f.write_text(
        "\n".join(
            [
                json.dumps(good),
                "{not json",
                json.dumps(bad_window),
                json.dumps({**good, "state": "ZZZ"}),
            ]
        )
        + "\n"
    )
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit):
        call_command("import-notifications", str(f), "--as", "icc", stdout=out, stderr=err)
    err = err.getvalue()
    assert "line 2: REJECTED: not JSON" in err
    assert "line 3: REJECTED: notification.window.closes" in err
    assert "line 4: REJECTED: state" in err
    n = Notification.objects.get()
    assert n.reference == "FRA-2024-0001" and n.imported and n.stored_status == "launched"
    assert "1 stored, 3 rejected" in out.getvalue()


@pytest.mark.process
def test_the_hcoc_console_script_runs_django_commands():
    r = subprocess.run(
        [sys.executable, "-m", "hcoc.cli", "help", "import-notifications"],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    assert "Historical import" in r.stdout


def test_the_console_script_names_every_offline_command_and_only_those():
    """`hcoc` sends its offline commands to hcoc.ledger.offline by their names, kept in the
    console script so that every other command starts without importing that module: the names
    must be the offline parser's, every one (or `hcoc key` would go to Django, and fail)."""
    subcommands = next(
        a for a in offline.parser()._actions if isinstance(a, argparse._SubParsersAction)
    )
    assert cli.OFFLINE_COMMANDS == offline.COMMANDS == set(subcommands.choices)
