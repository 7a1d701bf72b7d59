import csv
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .models import LaunchSite


def sites_load_catalogue(path: Path | None = None) -> int:
    """Load (or refresh) the launch-site catalogue from the shipped data file."""
    path = path or settings.DATA_DIR / "launch_sites.csv"
    count = 0
    with open(path, newline="", encoding="utf-8") as f, transaction.atomic():
        for row in csv.DictReader(f):
            LaunchSite.objects.update_or_create(
                id=row["id"],
                defaults={
                    "name": row["name"],
                    "state_id": row["state"],
                    "territory": row.get("territory", ""),
                    "lat": float(row["lat"]),
                    "lon": float(row["lon"]),
                    "kinds": row["kinds"],
                    "site_kind": row.get("site_kind") or "launch_site",
                    "source": row.get("source", ""),
                },
            )
            count += 1
    return count
