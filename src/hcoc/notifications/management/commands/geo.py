from django.core.management.base import BaseCommand

from hcoc.notifications.services import version_geometries_recompute


class Command(BaseCommand):
    help = (
        "Geography of notifications (docs/geography.md): `hcoc geo recompute [--missing]` "
        "computes and stores the corridor, shapes and affected states of every version."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        recompute = sub.add_parser("recompute")
        recompute.add_argument(
            "--missing",
            action="store_true",
            help="only versions that have no geometry yet (after the upgrade that added it)",
        )

    def handle(self, *args, **o):
        changes = []

        def changed(reference, version, before, after):
            was = "not computed" if before is None else (", ".join(before) or "nobody")
            changes.append(f"  {reference} v{version}: {was} -> {', '.join(after) or 'nobody'}")

        count = version_geometries_recompute(
            only_missing=o["missing"],
            progress=lambda n: self.stderr.write(f"{n} versions ...") if n % 1000 == 0 else None,
            changed=changed,
        )
        self.stdout.write(f"{count} notification versions recomputed")
        if changes:
            self.stdout.write(f"the states concerned changed for {len(changes)} of them:")
            self.stdout.write("\n".join(changes))
