"""Read a notification and the inbox; a problem answer is an exception of its own type.

HCOC_URL=... HCOC_TOKEN=... python read.py FRA-PLN-2026-0001
"""

import os
import sys

from hcoc_client import Client, NotFound

with Client(os.environ["HCOC_URL"], os.environ["HCOC_TOKEN"]) as client:
    n = client.notification_get(sys.argv[1])
    print(f"{n.reference}: {n.status}, {n.category} {n.generic_class}, window {n.window}")
    inbox = client.inbox_page()
    print(f"inbox: {len(inbox.items)} items, {inbox.unacknowledged} not acknowledged")
    try:
        client.notification_get(sys.argv[1] + "9")
    except NotFound as e:
        print(f"not found: {e.detail}")
