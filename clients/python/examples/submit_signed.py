"""Submit a pre-launch notification, signed with the state's system key, and check its receipt.

    HCOC_URL=https://exchange.example HCOC_TOKEN=... HCOC_KEY_FILE=fra-system.pem \
    HCOC_KEY_ID=FRA-2026-1 HCOC_LOG_VKEY='hcoc-exchange+...' python submit_signed.py

Prints one line of JSON: the notification's reference and seq, and the size of the signed
checkpoint its receipt proves inclusion in."""

import json
import os
from datetime import UTC, datetime, timedelta

from hcoc_client import PLN, Area, Client, Direction, ImpactArea, LatLon, SigningKey, Window


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


key = SigningKey.from_file(os.environ["HCOC_KEY_FILE"], os.environ["HCOC_KEY_ID"])
opens = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
pln = PLN(
    category="SLV",
    generic_class="SLV-medium",
    vehicle_name="Ariane 6",
    window=Window(opens=rfc3339(opens), closes=rfc3339(opens + timedelta(hours=6))),
    launch_area=Area(site_id="FRA-KOUROU"),
    planned_direction=Direction(azimuth_deg=90.0),
    impact_areas=[ImpactArea(kind="stage", center=LatLon(lat=10.0, lon=-40.0), radius_km=100)],
    range_km=3000,
    apogee_km=200,
    remarks="Submitted with hcoc-client.",
)

with Client(os.environ["HCOC_URL"], os.environ["HCOC_TOKEN"], key=key) as client:
    notification = client.notification_submit(pln)
    # Pin the log's key: HCOC_LOG_VKEY is what the ICC publishes (compare it once).
    vkey = os.environ.get("HCOC_LOG_VKEY") or client.log_keys().vkey
    checkpoint = client.verify_receipt(notification.receipts[0], vkey)
    print(
        json.dumps(
            {
                "reference": notification.reference,
                "seq": notification.seq,
                "checkpoint_size": checkpoint.size,
            }
        )
    )
