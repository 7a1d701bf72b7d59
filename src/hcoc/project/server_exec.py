"""`hcoc serve`'s whole work: name the server's control socket, start `hcoc deliver` beside it,
and become gunicorn (its workers load the exchange). It needs the settings, not Django's apps:
`hcoc` runs it before Django is set up (hcoc.cli), as setting the apps up, and the system
checks a management command runs first, took 1.5 CPU-seconds here, thrown away at the exec
(every server the test suite and the benchmarks start paid them). The management command
`serve` (hcoc.project.management.commands.serve) calls the same function, for `call_command`.
"""

import argparse
import os
import subprocess
import sys

from django.conf import settings  # the settings module only, read lazily: no apps, no checks

# The ASGI server (docs/decisions/0006): gunicorn supervising uvicorn workers, each serving the
# sync pages and API in threads and holding the live streams open on its event loop; the
# worker is uvicorn_worker's with deadlines on reading a request (hcoc.project.serving).
ASGI = ["hcoc.asgi:application", "--worker-class", "hcoc.project.serving.Worker"]
# The former server: sync workers, one request at a time each; no live stream (it ends at once).
WSGI = ["hcoc.wsgi:application"]

HELP = "Serve the exchange on 127.0.0.1:$PORT (default 8000): gunicorn with uvicorn workers."


def add_arguments(parser: argparse.ArgumentParser) -> None:
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


def main(argv: list[str]) -> None:
    """`hcoc serve ARGS`, before Django is set up."""
    parser = argparse.ArgumentParser(prog="hcoc serve", description=HELP)
    add_arguments(parser)
    o = vars(parser.parse_args(argv))
    serve(o["host"], o["port"], o["workers"], o["no_deliver"], o["server"], sys.stdout.write)


def serve(host: str, port: int, workers: int, no_deliver: bool, server: str, say) -> None:
    # gunicorn's control socket defaults to one path for the whole host
    # (~/.gunicorn/gunicorn.ctl): a second server took it over and the first one's exit
    # removed it. Each server has its own, under its state directory, named by its address.
    control = settings.VAR_DIR / "run" / f"gunicorn-{host}-{port}.ctl"
    control.parent.mkdir(parents=True, exist_ok=True)
    # Links in e-mails (the worker's alerts) and the printed enrolment links are built from
    # HCOC_SITE_URL, whose default names $PORT: the port served on, for the server and the
    # worker it starts (both read their settings from this environment).
    os.environ["PORT"] = str(port)
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        *(ASGI if server == "asgi" else WSGI),
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        # Open streams never end by themselves: on a stop or restart, wait this long for
        # requests in flight, then close the streams (clients resume with Last-Event-ID).
        "--graceful-timeout",
        "5",
        "--access-logfile",
        "-",
        "--control-socket",
        str(control),
    ]
    if not no_deliver:
        # Live delivery (webhooks, e-mail alerts) beside the server; it stops when this
        # process (the server, after the exec below) is gone.
        subprocess.Popen(  # noqa: S603 (our own interpreter and command)
            [sys.executable, "-m", "hcoc.cli", "deliver", "--parent", str(os.getpid())]
        )
    say(f"HCoC Exchange on http://{host}:{port}/  (Ctrl-C to stop)\n")
    sys.stdout.flush()
    os.execv(argv[0], argv)  # noqa: S606
