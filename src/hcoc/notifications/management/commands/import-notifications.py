import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from pydantic import ValidationError

from hcoc.accounts.services import user_by_username
from hcoc.lib.errors import DomainError
from hcoc.lib.problems import field_path
from hcoc.notifications.schemas import ImportIn
from hcoc.notifications.services import notification_import


def _loc(loc) -> str:
    return field_path(("body", "payload", *loc))


class Command(BaseCommand):
    help = "Historical import: `hcoc import-notifications FILE.jsonl --as ICCUSER`, one POST /imports/notifications body per line."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--as", dest="username", required=True, help="the ICC user importing")

    def handle(self, *args, **o):
        if not o["file"].exists():
            raise CommandError(f"{o['file']}: no such file")
        try:
            actor = user_by_username(o["username"])
        except DomainError as e:
            raise CommandError(e.detail) from e
        stored = rejected = 0
        with open(o["file"], encoding="utf-8") as f:
            for number, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    data = ImportIn.model_validate(json.loads(line))
                    n = notification_import(actor=actor, data=data)
                except json.JSONDecodeError as e:
                    reason = f"not JSON ({e.msg})"
                except ValidationError as e:
                    reason = "; ".join(f"{_loc(x['loc'])}: {x['msg']}" for x in e.errors())
                except DomainError as e:
                    reason = "; ".join(f"{p.field}: {p.message}" for p in e.errors) or e.detail
                else:
                    stored += 1
                    self.stdout.write(f"line {number}: stored as {n.reference}")
                    continue
                rejected += 1
                self.stderr.write(f"line {number}: REJECTED: {reason}")
        self.stdout.write(f"{stored} stored, {rejected} rejected")
        if rejected:
            raise SystemExit(1)
