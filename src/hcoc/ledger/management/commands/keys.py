"""`hcoc keys register|revoke|custodial|list`: the ICC's key registry from the command line
(the same services as the API)."""

from django.core.management.base import BaseCommand, CommandError

from hcoc.accounts.models import Role, User
from hcoc.ledger import services
from hcoc.ledger.models import StateKey
from hcoc.lib.errors import DomainError


class Command(BaseCommand):
    help = "Register, revoke and list the states' signing keys (as the ICC)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        r = sub.add_parser("register")
        r.add_argument("state")
        r.add_argument("key_id")
        r.add_argument("public_key", help="base64 Ed25519 public key (from `hcoc keygen`)")
        v = sub.add_parser("revoke")
        v.add_argument("state")
        v.add_argument("key_id")
        v.add_argument("--reason", required=True)
        c = sub.add_parser("custodial")
        c.add_argument("state")
        sub.add_parser("list")
        for p in (r, v, c):
            p.add_argument("--as", dest="icc_user", help="ICC user to record as the actor")

    def handle(self, *args, action, **opts):
        if action == "list":
            for k in StateKey.objects.order_by("state_id", "key_id"):
                status = f"revoked {k.revoked_at:%Y-%m-%d}" if k.revoked_at else "valid"
                self.stdout.write(f"{k.key_id}\t{k.state_id}\t{k.kind}\t{status}")
            return
        icc = User.objects.filter(role=Role.ICC, is_active=True)
        if opts.get("icc_user"):
            icc = icc.filter(username=opts["icc_user"])
        actor = icc.order_by("pk").first()
        if actor is None:
            raise CommandError("no ICC user to act as (create one, or give --as)")
        try:
            if action == "register":
                key = services.key_register(
                    actor=actor,
                    state_iso3=opts["state"].upper(),
                    key_id=opts["key_id"],
                    public_key=opts["public_key"],
                )
            elif action == "revoke":
                key = services.key_revoke(
                    actor=actor,
                    state_iso3=opts["state"].upper(),
                    key_id=opts["key_id"],
                    reason=opts["reason"],
                )
            else:
                key = services.custodial_key_create(actor=actor, state_iso3=opts["state"].upper())
        except DomainError as e:
            raise CommandError(f"{e.detail} {[p.as_dict() for p in e.errors or []]}") from None
        self.stdout.write(f"{action}: {key.key_id} ({key.state_id}, {key.kind})")
