"""Build data/hcoc_states.csv from the research file data/research/hcoc_states.csv.

The research file's `subscriber`/`non_subscriber` become `subscribing`/`not_subscribing`;
`unknown` stays unknown (never guessed). Its sources are kept in the `source` column.

    python tools/build_registry_data.py data/research/hcoc_states.csv data/hcoc_states.csv
"""

import csv
import sys

STATUS = {"subscriber": "subscribing", "non_subscriber": "not_subscribing", "unknown": "unknown"}
FIELDS = ["iso3", "name", "status", "subscribed_on", "founding", "source", "notes"]


def main(src: str, dst: str) -> None:
    with open(src, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with open(dst, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        for r in sorted(rows, key=lambda r: r["iso3"]):
            w.writerow(
                {
                    "iso3": r["iso3"].strip(),
                    "name": r["name"].strip(),
                    "status": STATUS[r["status"].strip()],
                    "subscribed_on": r["subscribed_on"].strip(),
                    "founding": r["founding"].strip(),
                    "source": r["source_url"].strip(),
                    "notes": r["notes"].strip(),
                }
            )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
