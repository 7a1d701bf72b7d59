"""Server time of every web page with 20 years of history loaded.

    python bench/pages.py [--db sqlite|postgres] [--notifications 10000] [--declarations 2500] [--repeat 20]
                          [--smoke]

Loads a fresh database through the real services (about 145 subscribing states, historical
imports of notifications with launch reports, declarations, acknowledgements), then renders each
page with Django's request handler in this process, logged in as a state submitter (and as the
ICC with its second factor for the console), and prints the median and 95th percentile of the
server time per page and the peak memory (RSS) of the process. Synthetic data, for timing only.
PostgreSQL: the database `hcoc_bench_pages` (or HCOC_BENCH_PG_DB), dropped at the end.
"""

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import fresh_database, pg_drop, subscribing_states

ROOT = Path(__file__).resolve().parents[1]


def load(n_notifications: int, n_declarations: int) -> dict:

    from hcoc.accounts.models import Role, User
    from hcoc.declarations.schemas import DeclarationIn
    from hcoc.declarations.services import declaration_submit
    from hcoc.exchange.models import Event
    from hcoc.exchange.services import acknowledgements_record
    from hcoc.notifications.schemas import ImportIn, PLNIn
    from hcoc.notifications.services import notification_import, notification_submit
    from hcoc.sites.models import LaunchSite

    iso3s = subscribing_states(145)
    icc = User.objects.create_user("icc", password="bench-icc", role=Role.ICC)  # noqa: S106
    users = {}
    for iso3 in iso3s:
        users[iso3] = User.objects.create_user(
            f"sub-{iso3.lower()}", role=Role.SUBMITTER, state_id=iso3
        )
    sites = list(LaunchSite.objects.values_list("id", "state_id", "kinds"))
    rng = random.Random(2002)
    now = datetime.now(UTC).replace(microsecond=0)
    launching = ["USA", "RUS", "FRA", "IND", "JPN", "GBR", "KOR", "UKR", "BRA", "ITA", "DEU", "ESP"]
    launching = [s for s in launching if s in users]
    t0 = time.perf_counter()
    for i in range(n_notifications):
        iso3 = launching[i % len(launching)] if i % 4 else rng.choice(iso3s)
        own = [s for s in sites if s[1] == iso3]
        site = rng.choice(own or sites)
        category = "BM" if "BM" in site[2] and rng.random() < 0.4 else "SLV"
        generic = rng.choice(
            ["SRBM", "MRBM", "ICBM", "SLBM"]
            if category == "BM"
            else ["SLV-small", "SLV-medium", "SLV-heavy"]
        )
        opens = now - timedelta(days=rng.uniform(40, 20 * 365))
        body = {
            "category": category,
            "generic_class": generic,
            "vehicle_name": f"Vehicle {i % 50}",
            "window": {
                "opens": opens.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "closes": (opens + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
            "launch_area": {"site_id": site[0]},
            "planned_direction": {"azimuth_deg": float(rng.randrange(360))},
            "remarks": "Synthetic benchmark data.",
        }
        report = (
            None
            if rng.random() < 0.1
            else {
                "launched_at": (opens + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "outcome": "success",
            }
        )
        notification_import(
            actor=icc,
            data=ImportIn.model_validate(
                {
                    "state": iso3,
                    "first_submitted_at": (opens - timedelta(days=5)).strftime(
                        "%Y-%m-%dT%H:%M:%SZ"
                    ),
                    "notification": body,
                    "launch_report": report,
                    "source": "benchmark",
                }
            ),
        )
    t1 = time.perf_counter()
    # Declarations: the most recent years first, across all subscribing states.
    made = 0
    for year in range(now.year - 1, 2004, -1):
        for iso3 in iso3s:
            if made >= n_declarations:
                break
            declaration_submit(
                actor=users[iso3],
                data=DeclarationIn.model_validate(
                    {
                        "year": year,
                        "space_launch_vehicles": {
                            "policy": "Synthetic.",
                            "launches": [
                                {"generic_class": "SLV-medium", "count": rng.randrange(0, 20)}
                            ],
                        },
                    }
                ),
            )
            made += 1
    t2 = time.perf_counter()
    # A few upcoming windows, and states that keep up with their inbox.
    for iso3 in launching[:6]:
        opens = now + timedelta(days=rng.uniform(1, 29))
        notification_submit(
            actor=users[iso3],
            data=PLNIn.model_validate(
                {
                    "category": "SLV",
                    "generic_class": "SLV-medium",
                    "window": {
                        "opens": opens.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "closes": (opens + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    },
                    "launch_area": {
                        "site_id": next(s[0] for s in sites if s[1] == iso3)
                        if any(s[1] == iso3 for s in sites)
                        else sites[0][0]
                    },
                    "planned_direction": {"azimuth_deg": 90.0},
                }
            ),
        )
    last = Event.objects.count()
    for iso3 in launching[:5]:
        acknowledgements_record(actor=users[iso3], up_to=last)
    return {
        "states": len(iso3s),
        "events": last,
        "load_notifications_s": t1 - t0,
        "load_declarations_s": t2 - t1,
        "user": users["FRA"],
        "icc": icc,
    }


def icc_client():
    from django.test import Client
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from hcoc.accounts.models import User

    device = TOTPDevice.objects.create(
        user=User.objects.get(username="icc"), name="bench", confirmed=True
    )
    client = Client()
    r = client.post(
        "/accounts/login/",
        {"username": "icc", "password": "bench-icc", "code": f"{totp(device.bin_key):06d}"},
    )
    assert r.status_code == 302, r.content[:500]
    return client


def measure(client, url: str, repeat: int, warm: int = 3) -> dict:
    """`warm` renders first, untimed, then `repeat` timed; the status is the last render's."""
    for _ in range(warm):
        client.get(url)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        r = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
    status = r.status_code
    times.sort()
    return {
        "url": url,
        "status": status,
        "median_ms": statistics.median(times),
        "p95_ms": times[int(len(times) * 0.95) - 1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--notifications", type=int, default=10_000)
    parser.add_argument("--declarations", type=int, default=2_500)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="20 notifications, 10 declarations, every page once: that it runs",
    )
    args = parser.parse_args()
    if args.smoke:
        args.notifications, args.declarations, args.repeat = 20, 10, 1
    pg_db = fresh_database(args.db, "hcoc_bench_pages")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    import psutil
    from django.conf import settings
    from django.test import Client

    from hcoc.declarations.models import Declaration
    from hcoc.notifications.models import Notification

    settings.ALLOWED_HOSTS.append("testserver")
    print(
        f"loading {args.notifications} notifications and {args.declarations} declarations into {args.db} ...",
        flush=True,
    )
    info = load(args.notifications, args.declarations)
    print(
        f"loaded: {info['states']} subscribing states, {info['events']} feed events; "
        f"imports {info['load_notifications_s']:.0f} s, declarations {info['load_declarations_s']:.0f} s",
        flush=True,
    )
    state = Client()
    state.force_login(info["user"])
    icc = icc_client()
    ref = (
        Notification.objects.filter(state_id="FRA")
        .order_by("-id")
        .values_list("reference", flat=True)
        .first()
    )
    decl = (
        Declaration.objects.filter(state_id="FRA").order_by("-year").first()
        or Declaration.objects.order_by("-year").first()
    )
    pages = [
        (state, "/"),
        (state, "/inbox"),
        (state, "/notifications/"),
        (state, "/notifications/?state=USA&category=SLV"),
        (state, f"/notifications/{ref}"),
        (state, "/notifications/new"),
        (state, "/declarations/"),
        (state, f"/declarations/{decl.state_id}/{decl.year}"),
        (state, f"/declarations/new?year={decl.year}"),
        (state, "/registry"),
        (state, "/account"),
        (icc, "/icc/"),
    ]
    # --smoke renders each page once, as its help says (no warm-up: its times are not read).
    warm = 0 if args.smoke else 3
    rows = [measure(client, url, args.repeat, warm) for client, url in pages]
    rss = psutil.Process().memory_info().rss / 2**20
    peak = getattr(psutil.Process().memory_full_info(), "uss", 0) / 2**20
    print(f"\n{'page':50} {'status':>6} {'median ms':>10} {'p95 ms':>8}")
    for r in rows:
        print(f"{r['url']:50} {r['status']:>6} {r['median_ms']:>10.1f} {r['p95_ms']:>8.1f}")
    import resource

    print(
        f"\npeak RSS of the process (loader + server + client in one): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB "
        f"(now {rss:.0f} MiB RSS, {peak:.0f} MiB USS)"
    )
    worst = max(r["median_ms"] for r in rows if r["status"] == 200)
    print(f"slowest page median: {worst:.1f} ms (target < 150 ms)")
    if pg_db:
        from django.db import connections

        connections.close_all()
        pg_drop(pg_db)


if __name__ == "__main__":
    main()
