from django.core.management.base import BaseCommand

from hcoc.meetings.services import silence_procedures_conclude


class Command(BaseCommand):
    help = (
        "Regular Meetings: `hcoc meetings conclude` decides every silence procedure whose "
        "deadline has come (run it every few minutes, or daily)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("conclude")

    def handle(self, *args, **o):
        decided = silence_procedures_conclude()
        for d in decided:
            self.stdout.write(f"{d.reference} ({d.proposal.reference}): {d.outcome}")
        self.stdout.write(f"{len(decided)} silence procedure(s) concluded")
