from datetime import date

from django.core.management.base import BaseCommand, CommandError

from hcoc.accounts.services import user_by_username
from hcoc.lib.errors import DomainError
from hcoc.registry.services import subscription_record


class Command(BaseCommand):
    help = "Record a subscription from a diplomatic note: `hcoc subscription add ISO3 --note REF --received DATE --effective DATE --as ICCUSER`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add")
        add.add_argument("iso3")
        add.add_argument("--note", required=True, help="reference of the diplomatic note")
        add.add_argument("--received", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
        add.add_argument("--effective", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
        add.add_argument("--as", dest="username", required=True, help="the ICC user recording it")

    def handle(self, *args, **o):
        try:
            sub = subscription_record(
                actor=user_by_username(o["username"]),
                iso3=o["iso3"].upper(),
                note_reference=o["note"],
                note_received_on=o["received"],
                effective_on=o["effective"],
            )
        except DomainError as e:
            problems = "; ".join(f"{p.field}: {p.message}" for p in e.errors)
            raise CommandError(f"{e.detail}{' (' + problems + ')' if problems else ''}") from e
        self.stdout.write(
            f"{sub.state_id} subscribing from {sub.effective_on}; disseminated as seq {sub.seq}"
        )
