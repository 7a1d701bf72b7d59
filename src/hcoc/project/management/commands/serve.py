import os
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

# The ASGI server (docs/decisions/0006): gunicorn supervising uvicorn workers, each serving the
# sync pages and API in threads and holding the live streams open on its event loop; the
# worker is uvicorn_worker's with deadlines on reading a request (hcoc.project.serving).
ASGI = ["hcoc.asgi:application", "--worker-class", "hcoc.project.serving.Worker"]
# The former server: sync workers, one request at a time each; no live stream (it ends at once).
WSGI = ["hcoc.wsgi:application"]


class Command(BaseCommand):
    help = "Serve the exchange on 127.0.0.1:$PORT (default 8000): gunicorn with uvicorn workers."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument(
            "--no-deliver", action="store_true", help="do not start the `hcoc deliver` worker"
        )
        parser.add_argument(
            "--server",
            choices=["asgi", "wsgi"],
            default="asgi",
            help="asgi (default): uvicorn workers, live streams; wsgi: gunicorn's sync workers, "
            "for comparison (streams then end once caught up)",
        )

    def handle(self, *args, **o):
        # gunicorn's control socket defaults to one path for the whole host
        # (~/.gunicorn/gunicorn.ctl): a second server took it over and the first one's exit
        # removed it. Each server has its own, under its state directory, named by its address.
        control = settings.VAR_DIR / "run" / f"gunicorn-{o['host']}-{o['port']}.ctl"
        control.parent.mkdir(parents=True, exist_ok=True)
        # Links in e-mails (the worker's alerts) and the printed enrolment links are built from
        # HCOC_SITE_URL, whose default names $PORT: the port served on, for the server and the
        # worker it starts (both read their settings from this environment).
        os.environ["PORT"] = str(o["port"])
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            *(ASGI if o["server"] == "asgi" else WSGI),
            "--bind",
            f"{o['host']}:{o['port']}",
            "--workers",
            str(o["workers"]),
            # Open streams never end by themselves: on a stop or restart, wait this long for
            # requests in flight, then close the streams (clients resume with Last-Event-ID).
            "--graceful-timeout",
            "5",
            "--access-logfile",
            "-",
            "--control-socket",
            str(control),
        ]
        if not o["no_deliver"]:
            # Live delivery (webhooks, e-mail alerts) beside the server; it stops when this
            # process (the server, after the exec below) is gone.
            subprocess.Popen(  # noqa: S603 (our own interpreter and command)
                [sys.executable, "-m", "hcoc.cli", "deliver", "--parent", str(os.getpid())]
            )
        self.stdout.write(f"HCoC Exchange on http://{o['host']}:{o['port']}/  (Ctrl-C to stop)")
        os.execv(argv[0], argv)  # noqa: S606
