"""Compliance tables with 145 subscribing states x 20 years of history.

    python bench/compliance.py [--db sqlite|postgres] [--years 20] [--repeat 10] [--smoke]

Loads a fresh database (SQLite in a temporary HCOC_VAR_DIR, or PostgreSQL database
`hcoc_bench_compliance` or HCOC_BENCH_PG_DB, created for the run and dropped after it), makes 145 states subscribing, and writes 20
years of history with bulk_create: notifications (PLNs with launch reports, cancelled ones, late
ones, unreported windows, unnotified launches), declarations with a current version (some nil,
some late, some with counts that differ from the reports) and due dates. Bulk rows, not the
services: this measures a read, and the selector reads only these tables (no notification
versions or feed events are written). Then it times `compliance_for` (the one selector the API
and the page call) for one year (median of --repeat) and for all the years one after the other
(median of 3), and prints the figures with the process's peak RSS. Nothing is asserted on time;
the target is all 20 years' tables in under a second.
"""

import argparse
import os
import random
import resource
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from common import fresh_database, pg_drop, subscribing_states

ROOT = Path(__file__).resolve().parents[1]
PG_DB = "hcoc_bench_compliance"
LAUNCHING = {"USA": 150, "RUS": 20, "FRA": 8, "JPN": 8, "IND": 8, "GBR": 4, "KOR": 4}
LAUNCHING |= {"UKR": 3, "BRA": 2, "ITA": 2, "DEU": 2, "ESP": 2}


def load(n_years: int, last_year: int) -> dict:

    from hcoc.accounts.models import Role, User
    from hcoc.declarations.models import Declaration, DeclarationDeadline, DeclarationVersion
    from hcoc.lib.canonical import canonical_dumps
    from hcoc.notifications.models import Notification, StoredStatus

    iso3s = subscribing_states(145)
    icc = User.objects.create_user("icc", role=Role.ICC)
    rng = random.Random(2002)
    years = range(last_year - n_years + 1, last_year + 1)
    notifications, declarations, numbers = [], [], {}
    for year in years:
        DeclarationDeadline.objects.create(year=year, due_on=date(year + 1, 3, 31))
        for iso3 in iso3s:
            per_year = LAUNCHING.get(iso3, rng.choice([0, 0, 0, 1, 2]))
            reported = {}
            for _ in range(per_year):
                opens = datetime(year, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(525_000))
                submitted = opens - timedelta(hours=rng.choice([-6, 24, 72, 120, 240]))
                kind = rng.random()
                unnotified = kind < 0.03
                status = StoredStatus.LAUNCHED
                if 0.03 <= kind < 0.08:
                    status = StoredStatus.CANCELLED
                elif 0.08 <= kind < 0.11:
                    status = StoredStatus.NOTIFIED  # unreported
                generic = "SLV-medium" if rng.random() < 0.7 else "SRBM"
                n = numbers[(iso3, submitted.year)] = numbers.get((iso3, submitted.year), 0) + 1
                launched = opens + timedelta(hours=1) if status == StoredStatus.LAUNCHED else None
                if launched:
                    reported[generic] = reported.get(generic, 0) + 1
                notifications.append(
                    Notification(
                        reference=f"{iso3}-{submitted.year}-{n:04d}",
                        state_id=iso3,
                        ref_year=submitted.year,
                        ref_number=n,
                        prior_notice=not unnotified,
                        imported=True,
                        first_submitted_at=launched + timedelta(hours=2)
                        if unnotified
                        else submitted,
                        stored_status=status,
                        category="SLV" if generic.startswith("SLV") else "BM",
                        generic_class=generic,
                        window_opens=None if unnotified else opens,
                        window_closes=None if unnotified else opens + timedelta(hours=6),
                        launched_at=launched,
                        cancelled_at=submitted + timedelta(hours=1)
                        if status == StoredStatus.CANCELLED
                        else None,
                        outcome="success" if launched else "",
                    )
                )
            if rng.random() < 0.15:
                continue  # missing
            nil = not reported and rng.random() < 0.5
            launches = [
                {"generic_class": c, "count": k + (1 if rng.random() < 0.1 else 0)}
                for c, k in sorted(reported.items())
            ]
            content = {"year": year, "nil": nil}
            if not nil:
                content["space_launch_vehicles"] = {"launches": launches}
            filed = datetime(year + 1, 1, 15, tzinfo=UTC) + timedelta(days=rng.randrange(120))
            declarations.append(
                (Declaration(state_id=iso3, year=year, first_submitted_at=filed), content)
            )
    Notification.objects.bulk_create(notifications, batch_size=2000)
    made = Declaration.objects.bulk_create([d for d, _ in declarations], batch_size=2000)
    if made and made[0].pk is None:  # backends that do not return ids
        made = list(Declaration.objects.order_by("id"))
    DeclarationVersion.objects.bulk_create(
        [
            DeclarationVersion(
                declaration=d,
                version=1,
                content=canonical_dumps(content),
                submitted_at=d.first_submitted_at,
                submitted_by=icc,
                seq=i + 1,
            )
            for i, (d, (_, content)) in enumerate(zip(made, declarations, strict=True))
        ],
        batch_size=2000,
    )
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return {
        "icc": icc,
        "states": len(iso3s),
        "years": list(years),
        "notifications": len(notifications),
        "declarations": len(declarations),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--smoke", action="store_true", help="1 year, 1 repeat: that it runs")
    args = parser.parse_args()
    if args.smoke:
        args.years, args.repeat = 1, 1
    pg_db = fresh_database(args.db, PG_DB)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from hcoc.compliance.selectors import compliance_for

    last_year = timezone.now().year - 1
    t0 = time.perf_counter()
    info = load(args.years, last_year)
    print(
        f"{args.db}: {info['states']} subscribing states x {len(info['years'])} years "
        f"({info['years'][0]}-{info['years'][-1]}): {info['notifications']} notifications, "
        f"{info['declarations']} declarations, written with bulk_create (a read benchmark) "
        f"in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    icc = info["icc"]
    compliance_for(actor=icc, year=last_year)  # warm-up (imports, connection)
    one = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        table = compliance_for(actor=icc, year=last_year)
        one.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as queries:
        compliance_for(actor=icc, year=last_year)
    every = []
    for _ in range(3):
        start = time.perf_counter()
        for year in info["years"]:
            compliance_for(actor=icc, year=year)
        every.append(time.perf_counter() - start)
    totals = table["totals"]
    print(
        f"one year ({last_year}): {len(table['items'])} rows, {totals['plns']} PLNs, "
        f"{totals['states_with_differences']} states with differences; "
        f"median {statistics.median(one) * 1000:.1f} ms of {args.repeat} "
        f"(min {min(one) * 1000:.1f}, max {max(one) * 1000:.1f}); {len(queries)} queries"
    )
    print(
        f"all {len(info['years'])} years, one after the other: median "
        f"{statistics.median(every) * 1000:.0f} ms of 3 (target < 1000 ms)"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the process (loader and reader in one): {peak:.0f} MiB")
    if pg_db:
        connection.close()
        pg_drop(pg_db)


if __name__ == "__main__":
    main()
