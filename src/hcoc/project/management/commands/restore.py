"""`hcoc restore FILE`: bring back a backup made by `hcoc backup`."""

from pathlib import Path

import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hcoc.project.backup import BackupError, describe, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `hcoc backup` into the configured database, or into "
        "--into DATABASE_URL. Refuses a database that already holds one unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a file written by `hcoc backup`")
        parser.add_argument(
            "--into",
            metavar="DATABASE_URL",
            help="restore into this database instead of the configured one "
            "(a PostgreSQL database that does not exist is created)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="overwrite a database that already holds tables",
        )

    def handle(self, *args, file, into, force, **options):
        db = dj_database_url.parse(into) if into else settings.DATABASES["default"]
        try:
            done = restore(Path(file), db, force=force)
        except BackupError as e:
            raise CommandError(str(e)) from None
        created = " (created)" if done.created else ""
        self.stdout.write(
            f"restored {done.path} ({done.engine} backup, {done.bytes:,} bytes) into "
            f"{describe(db)}{created} in {done.seconds:.1f} s: {done.snapshot}"
        )
        self.stdout.write(
            "Serve it with the same keys as the backed-up exchange (HCOC_LEDGER_KEY_DIR), run "
            "`hcoc migrate` if the code is newer than the backup, then check it with "
            "`hcoc verify --url URL --token TOKEN`."
        )
