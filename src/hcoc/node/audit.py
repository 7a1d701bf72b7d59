"""What the node checks beyond one verification run: that what the exchange serves now is what
it served before. An entry or item the node verified earlier that the exchange now serves
otherwise (rewritten) or no more (deleted, withheld) is a finding, named in words."""

import json
import re

from hcoc.ledger import verifier
from hcoc.lib.timeutil import shown_utc
from hcoc.states.names import names_of

from . import services
from .models import Item, VerifiedEntry

PREFIX = "The exchange's log does not verify: "


SPLIT_VIEW = re.compile(r"split view: two checkpoints of size (\d+)")


def in_words(problem: str, verified: int = 0) -> str:
    """A verifier's problem (which names its entry) as a finding. A split view names sizes, not
    entries, so the finding names them: the node verified every entry below `verified` itself.
    A second history longer than that differs among the entries after them; one of a size the
    node verified whole differs among the entries of that size, each of which the node holds."""
    found = SPLIT_VIEW.search(problem)
    if found:
        size = int(found[1])
        first = verified if size > verified else 0
        last = size - 1
        which = f"entry {last} belongs" if last == first else f"entries {first} to {last} belong"
        mine = (
            f"verified the log up to entry {verified - 1}" if verified else "verified no entry yet"
        )
        problem += (
            f"; this node {mine}, so {which} to two different histories, one of them shown to "
            "other states"
        )
    return PREFIX + problem


def describe(item: Item | None, names: dict[str, str]) -> str:
    """'a notification submitted by France, FRA-2026-0001, 2026-12-07 08:49 UTC'."""
    if item is None:
        return "a log entry"
    what = item.kind.replace(".", " ").replace("_", " ")
    who = names.get(item.state, item.state)
    subject = f", {item.subject}" if item.subject else ""
    return f"{what} by {who}{subject}, {shown_utc(item.at)}"


def run(up) -> int:
    """Compare the whole stored copy with what the exchange serves now; returns new findings."""
    source = verifier.HttpSource(up.url, up.token, timeout=60)
    items = {i.seq: i for i in Item.objects.all()}
    names = names_of({i.state for i in items.values()})
    found = 0
    stored = {e.index: e for e in VerifiedEntry.objects.all()}
    size = max(stored) + 1 if stored else 0
    served: set[int] = set()
    for entry in source.entries(size, 0):
        index = entry.get("index")
        mine = stored.get(index)
        if mine is None:
            continue
        served.add(index)
        if entry.get("leaf") != mine.leaf:
            what = describe(items.get(mine.seq), names) if mine.seq else "a log entry"
            found += services.finding_record(
                f"Entry {index} ({what}) was rewritten: the exchange now serves other content "
                f"for it than the entry this node verified on {shown_utc(mine.stored_at)}."
            )
    for index in sorted(set(stored) - served):
        mine = stored[index]
        what = describe(items.get(mine.seq), names) if mine.seq else "a log entry"
        found += services.finding_record(
            f"Entry {index} ({what}) is no longer served by the exchange: it was deleted or "
            "withheld."
        )
    last = max(items) if items else 0
    seen: set[int] = set()
    for served_item in source.feed(0):
        seq = served_item.get("seq")
        if not isinstance(seq, int) or seq > last:
            break
        seen.add(seq)
        mine = items.get(seq)
        if mine is not None and verifier_item(mine) != served_item:
            found += services.finding_record(
                f"Item {seq} ({describe(mine, names)}) was rewritten: the exchange's feed now "
                "shows other content than the item this node verified."
            )
    for seq in sorted(set(items) - seen):
        found += services.finding_record(
            f"Item {seq} ({describe(items[seq], names)}) is no longer in the exchange's feed: "
            "it was deleted or withheld."
        )
    return found


def verifier_item(item: Item) -> dict:
    return json.loads(item.text)
