from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hcoc.accounts.services import user_by_username
from hcoc.compliance.report import report_data, report_pdf, report_xlsx
from hcoc.lib.errors import DomainError


class Command(BaseCommand):
    help = "The report for the Regular Meeting: `hcoc report YEAR --as USER [--out DIR]` writes hcoc-compliance-YEAR.xlsx and .pdf."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument(
            "--as", dest="username", required=True, help="whose access rules apply (the ICC)"
        )
        parser.add_argument("--out", type=Path, default=Path("."))

    def handle(self, *args, **o):
        try:
            data = report_data(actor=user_by_username(o["username"]), year=o["year"])
        except DomainError as e:
            problems = "; ".join(f"{p.field}: {p.message}" for p in e.errors)
            raise CommandError(problems or e.detail) from e
        o["out"].mkdir(parents=True, exist_ok=True)
        for suffix, make in (("xlsx", report_xlsx), ("pdf", report_pdf)):
            path = o["out"] / f"hcoc-compliance-{o['year']}.{suffix}"
            path.write_bytes(make(data))
            self.stdout.write(str(path))
