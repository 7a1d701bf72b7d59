"""`hcoc export-bundle FILE`: everything a verifier needs, in one file (JSON lines; gzip when the
name ends in .gz): the log's key, the state keys, every checkpoint with its cosignatures, every
entry and every feed item. `hcoc verify --bundle FILE` checks it offline."""

import gzip
import json

from django.core.management.base import BaseCommand

from hcoc.exchange.models import Event
from hcoc.exchange.selectors import event_as_item
from hcoc.ledger import services
from hcoc.ledger.client import b64
from hcoc.ledger.keys import log_signer
from hcoc.ledger.models import Checkpoint, LogEntry, StateKey
from hcoc.ledger.selectors import checkpoint_note, key_as_dict
from hcoc.ledger.verifier import BUNDLE_FORMAT


def bundle_write(path: str) -> dict:
    """The sections in this order, one record a line: header, checkpoints, entries, feed. The
    verifier reads the checkpoints from the top and tells lines apart by their first bytes
    (`{"entry": {"index": N`, `{"feed": {"seq": N`), so keep these shapes; a bundle spelled
    otherwise still verifies, only slower."""
    latest = services.checkpoint_current()
    opener = gzip.open if path.endswith(".gz") else open
    counts = {"entries": 0, "checkpoints": 0, "feed": 0}
    with opener(path, "wt", encoding="utf-8") as f:
        header = {
            "format": BUNDLE_FORMAT,
            "origin": log_signer().name,
            "vkey": log_signer().vkey(),
            "keys": [key_as_dict(k) for k in StateKey.objects.order_by("state_id", "key_id")],
        }
        f.write(json.dumps(header) + "\n")
        for cp in Checkpoint.objects.filter(size__lte=latest.size).order_by("size").iterator():
            f.write(json.dumps({"checkpoint": checkpoint_note(cp)}) + "\n")
            counts["checkpoints"] += 1
        entries = LogEntry.objects.filter(index__lt=latest.size).order_by("index")
        for e in entries.only("index", "seq", "leaf", "leaf_hash").iterator(chunk_size=2000):
            record = {"index": e.index, "seq": e.seq, "leaf": e.leaf}
            record["leaf_hash"] = b64(bytes(e.leaf_hash))
            f.write(json.dumps({"entry": record}) + "\n")
            counts["entries"] += 1
        last_seq = (
            LogEntry.objects.filter(index__lt=latest.size, seq__isnull=False)
            .order_by("-index")
            .values_list("seq", flat=True)
            .first()
            or 0
        )
        for event in Event.objects.filter(seq__lte=last_seq).order_by("seq").iterator(2000):
            f.write(json.dumps({"feed": event_as_item(event)}) + "\n")
            counts["feed"] += 1
    counts["size"] = latest.size
    return counts


class Command(BaseCommand):
    help = "Write the log, its checkpoints, keys and the feed into one file for `hcoc verify`."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        counts = bundle_write(file)
        self.stdout.write(
            f"wrote {file}: {counts['entries']} entries (tree size {counts['size']}), "
            f"{counts['checkpoints']} checkpoints, {counts['feed']} feed items"
        )
