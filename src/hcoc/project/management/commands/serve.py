import os
import subprocess
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the exchange with gunicorn on 127.0.0.1:$PORT (default 8000)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument(
            "--no-deliver", action="store_true", help="do not start the `hcoc deliver` worker"
        )

    def handle(self, *args, **o):
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "hcoc.wsgi:application",
            "--bind",
            f"{o['host']}:{o['port']}",
            "--workers",
            str(o["workers"]),
            "--access-logfile",
            "-",
        ]
        if not o["no_deliver"]:
            # Live delivery (webhooks, e-mail alerts) beside the server; it stops when this
            # process (the server, after the exec below) is gone.
            subprocess.Popen(  # noqa: S603 (our own interpreter and command)
                [sys.executable, "-m", "hcoc.cli", "deliver", "--parent", str(os.getpid())]
            )
        self.stdout.write(f"HCoC Exchange on http://{o['host']}:{o['port']}/  (Ctrl-C to stop)")
        os.execv(argv[0], argv)  # noqa: S606
