from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hcoc.accounts.services import user_by_username
from hcoc.lib.errors import DomainError
from hcoc.registry.services import registry_import


class Command(BaseCommand):
    help = "Load an authoritative registry list: `hcoc registry import FILE.csv --as ICCUSER` (columns iso3,name,status[,subscribed_on,founding,source,notes])."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import")
        imp.add_argument("file", type=Path)
        imp.add_argument("--as", dest="username", required=True)

    def handle(self, *args, **o):
        if not o["file"].exists():
            raise CommandError(f"{o['file']}: no such file")
        try:
            results = registry_import(actor=user_by_username(o["username"]), path=o["file"])
        except DomainError as e:
            raise CommandError(
                "; ".join(f"{p.field}: {p.message}" for p in e.errors) or e.detail
            ) from e
        bad = [r for r in results if not r.ok]
        for r in results:
            stream = self.stdout if r.ok else self.stderr
            stream.write(
                f"line {r.line} {r.iso3 or '?'}: {'ok, ' if r.ok else 'REJECTED: '}{r.message}"
            )
        self.stdout.write(f"{len(results) - len(bad)} stored, {len(bad)} rejected")
        if bad:
            raise SystemExit(1)
