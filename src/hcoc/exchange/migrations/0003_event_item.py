"""Each event's feed item stored once as its canonical JSON (Event.item), so /feed and /inbox
join stored texts instead of parsing, validating and serialising every item again.

The backfill writes, for every event already published, exactly the text its log leaf embeds
(selectors.event_as_item with the payload as stored, RFC 8785): an item published before keeps
its bytes, its full geometry included."""

from django.db import migrations, models

from hcoc.lib.canonical import Canonical, canonical_dumps_embedding
from hcoc.lib.timeutil import rfc3339

BATCH = 2000


def item_text(e) -> str:
    # The historical model has no methods: the same fields as selectors.event_as_item.
    return canonical_dumps_embedding(
        {
            "seq": e.seq,
            "kind": str(e.kind),
            "at": rfc3339(e.at),
            "state": e.state_id,
            "subject": e.subject,
            "version": e.version,
            "payload": Canonical(e.payload),
        }
    )


def backfill(apps, schema_editor):
    Event = apps.get_model("exchange", "Event")
    after = 0
    while True:
        rows = list(Event.objects.filter(seq__gt=after).order_by("seq")[:BATCH])
        if not rows:
            return
        for e in rows:
            e.item = item_text(e)
        Event.objects.bulk_update(rows, ["item"], batch_size=BATCH)
        after = rows[-1].seq


class Migration(migrations.Migration):
    dependencies = [("exchange", "0002_event_kinds_meetings_invitations_circular")]

    operations = [
        migrations.AddField(
            model_name="event",
            name="item",
            field=models.TextField(
                default="",
                help_text="The feed item as RFC 8785 canonical JSON, as /feed serves it and the "
                "log leaf embeds it",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
    ]
