"""`hcoc backup FILE`: a consistent copy of the database, taken while the exchange runs."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hcoc.project.backup import BackupError, backup, describe

SECRETS_NOT_INCLUDED = (
    "not in the backup: the log's signing key (a file in {dir}); keep a copy of it separately"
)


class Command(BaseCommand):
    help = (
        "Copy the database to FILE while the exchange runs: SQLite's online backup, or "
        "pg_dump --format=custom on PostgreSQL. The exchange's keys are not included."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file to write")
        parser.add_argument("--force", action="store_true", help="replace FILE if it exists")

    def handle(self, *args, file, force, **options):
        db = settings.DATABASES["default"]
        try:
            done = backup(db, Path(file), force=force)
        except BackupError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(
            f"backed up {describe(db)} to {done.path}: {done.engine} backup, "
            f"{done.bytes:,} bytes in {done.seconds:.1f} s; at that moment: {done.snapshot}"
        )
        self.stdout.write(SECRETS_NOT_INCLUDED.format(dir=settings.LEDGER_KEY_DIR))
