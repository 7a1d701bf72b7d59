from django.core.management.base import BaseCommand

from hcoc.declarations.reminders import reminders_due
from hcoc.declarations.services import reminders_send


class Command(BaseCommand):
    help = "Reminders of missing declarations: `hcoc reminders send [--dry-run]` (run it daily)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send")
        send.add_argument("--dry-run", action="store_true", help="show what would go; send nothing")

    def handle(self, *args, **o):
        planned = reminders_due() if o["dry_run"] else reminders_send()
        verb = "would send" if o["dry_run"] else "sent"
        for p in planned:
            to = ", ".join(p.recipients) or "(nobody to write to: recorded)"
            self.stdout.write(f"{verb} {p.kind} {p.state}/{p.year} due {p.due_on} to {to}")
        self.stdout.write(f"{len(planned)} reminder(s) {verb}")
