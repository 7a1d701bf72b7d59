"""A national node in process (issue 26, part 2): its settings as `hcoc node` makes them
(settings.py, HCOC_NODE=1) for Django's test client, and its copy filled as a verification run
fills it, here from the exchange's own feed items in the same test database, so that what the
node shows can be compared with what the exchange shows of the same item. (The node's whole
path, with the exchange and the verifier as processes, is tests/node/test_node_follows.py.)"""

import json

from django.conf import settings

from hcoc.exchange.models import Event
from hcoc.node import services

_TEMPLATES = settings.TEMPLATES[0]
# settings.py for a node: the exchange's context processors and its limits, idempotency records
# and signature checks left out; the rest (LanguageMiddleware, CSP, CSRF) as on the exchange.
NODE_SETTINGS = {
    "TEMPLATES": [
        {
            **_TEMPLATES,
            "OPTIONS": {
                **_TEMPLATES["OPTIONS"],
                "context_processors": [
                    p
                    for p in _TEMPLATES["OPTIONS"]["context_processors"]
                    if p.startswith("django.")
                ],
            },
        }
    ],
    "ROOT_URLCONF": "hcoc.node.urls",
    "NODE_STATE": "JPN",
    "NODE_API_TOKEN": "node-secret",
    "MIDDLEWARE": [
        m
        for m in settings.MIDDLEWARE
        if m.split(".")[1] not in ("ratelimit", "idempotency", "ledger")
    ],
}


def exchange_items(*seqs: int) -> list[dict]:
    """The exchange's feed items of these seqs, as its feed serves them (their log leaves' text)."""
    return [json.loads(e.item) for e in Event.objects.filter(seq__in=seqs).order_by("seq")]


def node_store(items: list[dict]) -> None:
    """Keep `items` in the node's copy as a verification run that checked them keeps them (the
    verifier itself is not run here: tests/node/test_node_follows.py runs it)."""
    last = max(i["seq"] for i in items)
    services.verified_store(
        keys={"origin": "o", "vkey": "v", "keys": []},
        vkey="v",
        resume={"size": last + 1, "next_seq": last + 1},
        entries=[],
        items=[services.item_row(i) for i in items],
        # A checkpoint of that size (its text only: nothing here checks its signature).
        notes=[(last + 1, f"o\n{last + 1}\nAAAA\n\n\u2014 o sig\n")],
    )
