from django.core.management.base import BaseCommand

from hcoc.project.server_exec import HELP, add_arguments, serve


class Command(BaseCommand):
    """`hcoc serve` itself runs hcoc.project.server_exec before Django is set up (hcoc.cli);
    this command is the same for `call_command("serve")` and `hcoc help serve`."""

    help = HELP
    requires_system_checks = []  # the server's workers load the apps; this process execs

    def add_arguments(self, parser):
        add_arguments(parser)

    def handle(self, *args, **o):
        serve(o["host"], o["port"], o["workers"], o["no_deliver"], o["server"], self.stdout.write)
