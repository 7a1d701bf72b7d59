"""`hcoc node`: run a state's national node (docs/node.md); `hcoc node export FILE` and
`hcoc node import FILE` carry its verified copy across an air gap."""

import logging
import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.servers.basehttp import run
from django.core.wsgi import get_wsgi_application

from hcoc.sites.services import sites_load_catalogue
from hcoc.states.services import registry_load_defaults

from ... import bundle
from ...upstream import Follower, Upstream


class Command(BaseCommand):
    help = (
        "Run a state's national node: follow the exchange, verify every entry, keep its own copy "
        "and serve it (docs/node.md). `export FILE` / `import FILE`: signed bundles for an air gap."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", nargs="?", choices=["run", "export", "import"], default="run")
        parser.add_argument("file", nargs="?", help="the bundle to write (export) or read (import)")
        parser.add_argument("--upstream", help="the exchange, e.g. https://exchange.example")
        parser.add_argument("--token", help="an API token of one of the state's users")
        parser.add_argument("--key", help="the state's system key file (PEM, `hcoc keygen`)")
        parser.add_argument("--key-id", help="its key id, as its root certified it")
        parser.add_argument("--state", help="the state's code, e.g. FRA")
        parser.add_argument("--vkey", help="the log's key (pin it: from the ICC, out of band)")
        parser.add_argument("--db", help="DATABASE_URL of the node's own database")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8100")))

    def handle(self, *args, **o):
        if not settings.NODE:
            raise CommandError("run it as `hcoc node` (the node's own settings)")
        logging.basicConfig(level=logging.INFO, stream=sys.stderr)
        call_command("migrate", verbosity=0, interactive=False)
        registry_load_defaults()  # the states' names the pages show
        sites_load_catalogue()  # the sites' names and places the pages and maps show
        if o["action"] == "export":
            if not (o["file"] and o["key"] and o["key_id"]):
                raise CommandError("give the file to write, --key and --key-id (it is signed)")
            count = bundle.export(o["file"], key_file=o["key"], key_id=o["key_id"])
            self.stdout.write(f"wrote {count} verified entries to {o['file']}, signed")
            return
        if o["action"] == "import":
            if not o["file"]:
                raise CommandError("give the bundle to read")
            result = bundle.import_(o["file"], vkey=o["vkey"])
            for line in result.problems:
                self.stderr.write(f"FAIL  {line}")
            if not result.ok:
                raise CommandError("the bundle does not verify: nothing was stored")
            self.stdout.write(f"verified and stored {result.stored} new item(s)")
            return
        if not o["state"]:
            raise CommandError("give --state (and --upstream, --token, --key, --key-id)")
        if o["upstream"] and not o["token"]:
            raise CommandError("give --token with --upstream")
        # Without --upstream: a node across an air gap, serving what `import` verified.
        o["upstream"] and Follower(
            Upstream(
                url=o["upstream"],
                token=o["token"],
                key_file=o["key"],
                key_id=o["key_id"],
                vkey=o["vkey"],
            )
        ).start()
        following = f"following {o['upstream']}" if o["upstream"] else "from imported bundles"
        self.stdout.write(
            f"HCoC node of {o['state']} on http://{o['host']}:{o['port']}/, {following}"
        )
        self.stdout.flush()
        run(o["host"], o["port"], get_wsgi_application(), threading=True)
