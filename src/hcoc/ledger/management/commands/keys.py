"""`hcoc keys list|confirm`: the states' keys from the server's command line.

The server's operator can list the keys and, as the ICC, record the diplomatic note that confirms
a state's root (`confirm`); nothing here registers, replaces or revokes a state's key: the state
does that with its root (`hcoc key ...` on its own machine, then the API or the signing page)."""

from django.core.management.base import BaseCommand, CommandError

from hcoc.accounts.models import User
from hcoc.ledger import services, trust
from hcoc.ledger.models import StateKey
from hcoc.lib.errors import DomainError


class Command(BaseCommand):
    help = "List the states' keys; record the note confirming a state's root (as the ICC)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list")
        c = sub.add_parser("confirm", help="record the note confirming a root's fingerprint")
        c.add_argument("state")
        c.add_argument("key_id")
        c.add_argument("fingerprint", help="as the note quotes it (quote it if it has spaces)")
        c.add_argument("--note", required=True, help="the note's reference")
        c.add_argument("--as", dest="icc_user", help="ICC user to record as the actor")

    def handle(self, *args, action, **opts):
        if action == "list":
            for k in StateKey.objects.order_by("state_id", "key_id"):
                status = f"revoked {k.revoked_at:%Y-%m-%d}" if k.revoked_at else "valid"
                vouched = k.certified_by or k.note_reference or "-"
                self.stdout.write(
                    f"{k.key_id}\t{k.state_id}\t{k.kind}\t{status}\t{vouched}\t"
                    f"{trust.fingerprint(bytes(k.public_key))}"
                )
            return
        icc = User.objects.icc().filter(is_active=True)
        if opts.get("icc_user"):
            icc = icc.filter(username=opts["icc_user"])
        actor = icc.order_by("pk").first()
        if actor is None:
            raise CommandError("no ICC user to act as (create one, or give --as)")
        try:
            key = services.root_confirm(
                actor=actor,
                state_iso3=opts["state"].upper(),
                key_id=opts["key_id"],
                fingerprint=opts["fingerprint"],
                note_reference=opts["note"],
            )
        except DomainError as e:
            raise CommandError(f"{e.detail} {[p.as_dict() for p in e.errors or []]}") from None
        self.stdout.write(f"confirmed: {key.key_id} ({key.state_id}) by note {key.note_reference}")
