"""Follow the exchange's live stream from a saved cursor and acknowledge what came.

    HCOC_URL=... HCOC_TOKEN=... HCOC_KEY_FILE=jpn-system.pem HCOC_KEY_ID=JPN-2026-1 \
    HCOC_CURSOR=var/feed.cursor python follow_and_acknowledge.py [UNTIL_SEQ]

Prints each item as it comes; with UNTIL_SEQ, stops once it has that item and acknowledges every
item up to it (signed). Run it again with the same cursor: it goes on after the last item it
printed, reconnecting with Last-Event-ID whenever the connection drops."""

import os
import sys

from hcoc_client import Client, FileCursor, SigningKey

until = int(sys.argv[1]) if len(sys.argv) > 1 else None
cursor = FileCursor(os.environ["HCOC_CURSOR"])
key = SigningKey.from_file(os.environ["HCOC_KEY_FILE"], os.environ["HCOC_KEY_ID"])

with Client(os.environ["HCOC_URL"], os.environ["HCOC_TOKEN"], key=key) as client:
    last = cursor.load()
    if until is None or last < until:
        for item in client.follow(cursor):
            print(f"item {item.seq}: {item.kind} {item.subject} from {item.state}", flush=True)
            last = item.seq
            if until is not None and item.seq >= until:
                cursor.save(item.seq)  # processed: the loop ends before the follower saves it
                break
    if until is not None:
        result = client.acknowledge(up_to=until)
        vkey = os.environ.get("HCOC_LOG_VKEY") or client.log_keys().vkey
        for receipt in result.receipts:
            client.verify_receipt(receipt, vkey)
        print(f"acknowledged {result.acknowledged} item(s) up to {until} as {result.state}")
