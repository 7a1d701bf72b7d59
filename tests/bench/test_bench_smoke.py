"""Every benchmark runs to its end (issue 29): a bench is code that no other test imports, so a
module it uses could move and nothing would notice (`bench/ledger.py` stopped in its proofs phase
for two weeks). Each script under bench/ runs here once in its smoke form (`--smoke`: every phase,
tiny sizes, a few seconds) on the database of the leg: on SQLite in a temporary directory of its
own; on PostgreSQL in a database named after the suite's own test database (`<its name>_bench`,
so each worker and each checkout has its own), dropped at the end. Each starts from a copy of a
database migrated once per worker (`bench_template`). Asserted: the script exits 0 and prints its
last figures, never a time."""

import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from support import REPO
from support.serve import database_url

BENCH = REPO / "bench"
NOT_A_BENCHMARK = {"common.py"}  # what the scripts share

# Every script under bench/: whether it takes `--db`, and its last figures as it prints them.
SMOKE = {
    "compliance.py": (True, r"peak RSS of the process \(loader and reader in one\): \d+ MiB"),
    "delivery_hooks.py": (
        True,
        r"arrived \d+ \(every one: True, each receiver in seq order: True\)(.|\n)*"
        r"peak RSS: worker \d+ MiB, receivers \d+ MiB, benchmark \d+ MiB",
    ),
    "delivery_stream.py": (
        True,
        r"streams that missed, repeated or reordered an item \| 0 \|(.|\n)*"
        r"server CPU during the run \| [\d.]+ s",
    ),
    "exchange.py": (
        True,
        r"\| PLN submissions \+ Idempotency-Key \| [\d,]+ \| PLN/s \|(.|\n)*feed order check: OK",
    ),
    "geo.py": (False, r"recompute of \d+ notifications(.|\n)*peak RSS of the process: \d+ MiB"),
    "ledger.py": (
        True,
        r"inclusion proof \d+ µs(.|\n)*hcoc verify --bundle: 2,000 entries in [\d.]+ s \(ok\)",
    ),
    "ledger_tlog.py": (False, r"roots: ours, the frontier's and pymerkle's agree in every round"),
    "node.py": (True, r"upstream commit -> on the node, \d+ PLNs: p50 \d+ ms, p99 \d+ ms"),
    "pages.py": (True, r"/icc/ +200 +[\d.]+(.|\n)*slowest page median: [\d.]+ ms"),
    "ratelimit.py": (True, r"served(.|\n)*limit off: median [\d.]+ ms per request"),
    "server_cost.py": (
        True,
        r"\| ceiling \| asgi \| [\d.]+ ms(.|\n)*\| submit \| asgi \| [\d.]+ ms(.|\n)*"
        r"peak RSS of this process: \d+ MiB",
    ),
    "suite.py": (True, r"medians:\n  \S+: [\d.]+ s wall; the suite's processes \d+ CPU-s"),
    "verify_speed.py": (False, r"resumed run over the grown bundle \(\d+ new\) +[\d.]+ s"),
}


def test_every_script_under_bench_has_its_smoke_run():
    scripts = {p.name for p in BENCH.glob("*.py")} - NOT_A_BENCHMARK
    assert sorted(scripts) == sorted(SMOKE)


def _environment() -> dict:
    """The environment of a benchmark: without the suite's own database (each bench makes its
    own) and without pytest's worker variables (bench/suite.py starts a pytest of its own)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.pop("DATABASE_URL", None)
    # On PostgreSQL the commits need not wait for the disk, as the suite's own database's do not
    # (conftest.py): a smoke run's figures are not read.
    env["PGOPTIONS"] = "-c synchronous_commit=off"
    return env


def _drop(name: str) -> None:
    with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


MIGRATED = (
    "import django; django.setup(); from django.core.management import call_command; "
    "call_command('migrate', verbosity=0); call_command('load_reference', verbosity=0)"
)


@pytest.fixture(scope="session")
def bench_template(django_db_setup, tmp_path_factory):
    """A database migrated and with the reference data, once per worker, that every smoke run
    of a benchmark starts its own from (HCOC_BENCH_TEMPLATE, bench/common.py): migrating from
    nothing took half of a smoke run. On SQLite a file; on PostgreSQL a database named after the
    suite's (`<test database>_bench_template`): one per worker, as PostgreSQL copies a template
    for one CREATE DATABASE at a time."""
    env = {**_environment(), "DJANGO_SETTINGS_MODULE": "hcoc.settings"}
    env["HCOC_VAR_DIR"] = str(tmp_path_factory.mktemp("bench-template"))
    if connection.vendor != "postgresql":
        subprocess.run([sys.executable, "-c", MIGRATED], env=env, check=True, timeout=240)
        yield str(Path(env["HCOC_VAR_DIR"]) / "hcoc.sqlite3")
        return
    name = f"{connection.settings_dict['NAME']}_bench_template"
    _drop(name)
    with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = database_url(name)
    subprocess.run([sys.executable, "-c", MIGRATED], env=env, check=True, timeout=240)
    yield name
    _drop(name)


@pytest.fixture
def bench_env(db):
    """The environment of a benchmark on the leg's database. It asks for `db` so that the
    suite's database is set up and named: on PostgreSQL the bench's own is named after it."""
    env = _environment()
    if connection.vendor != "postgresql":
        yield env, "sqlite"
        return
    name = f"{connection.settings_dict['NAME']}_bench"
    env["HCOC_BENCH_PG_URL"] = database_url(name).removesuffix(name)
    env["HCOC_BENCH_PG_DB"] = name
    yield env, "postgres"
    _drop(name)


@pytest.mark.slow
@pytest.mark.process
@pytest.mark.timeout(300)
@pytest.mark.parametrize("script", sorted(SMOKE))
def test_the_benchmark_runs_to_its_end_in_its_smoke_form(script, bench_env, request, tmp_path):
    env, leg = bench_env
    # Its temporary directories (a database, a bundle, a server's log) in the test's own, which
    # pytest clears, not left in the machine's /tmp after every run.
    env["TMPDIR"] = str(tmp_path)
    takes_db, last_figures = SMOKE[script]
    if takes_db:
        env["HCOC_BENCH_TEMPLATE"] = request.getfixturevalue("bench_template")
    command = [sys.executable, str(BENCH / script), "--smoke"]
    command += ["--db", leg] if takes_db else []
    run = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=280, check=False
    )
    said = f"{' '.join(command[1:])} exited {run.returncode}:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    assert run.returncode == 0, said
    assert re.search(last_figures, run.stdout), said
    assert "!!" not in run.stdout, said  # exchange.py's mark of an unexpected answer
