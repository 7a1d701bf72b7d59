"""A real `hcoc serve` (gunicorn with uvicorn workers, as `make run` starts it) on the suite's own
test database, and a reader of Server-Sent Events: for tests of the live stream, which only an
ASGI server holds open (Django's test server ends it once caught up)."""

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from time import monotonic
from urllib.parse import quote

import httpx
from django.db import connection

from . import answers, free_port


def database_url(name: str | None = None) -> str:
    """The suite's own test database, for a process of its own (a server, the worker, a command)
    to share; with `name`, another database on the same PostgreSQL server (a restore's target)."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{name or s['NAME']}"
    host = s.get("HOST") or "127.0.0.1"
    user = quote(s.get("USER") or "postgres")
    user += f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else ""
    return f"postgres://{user}@{host}:{s.get('PORT') or 5432}/{name or s['NAME']}"


@dataclass
class Server:
    port: int
    env: dict
    workers: int = 1
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self):
        """Where the server writes its log: HCOC_SERVE_LOG (a file, appended) when a test run
        wants to read it, else nowhere."""
        path = os.environ.get("HCOC_SERVE_LOG")
        return open(path, "ab") if path else subprocess.DEVNULL  # noqa: SIM115 (the server's)

    def start(self) -> "Server":
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hcoc.cli", "serve", "--port", str(self.port)]
            + ["--workers", str(self.workers)]
            # The stream's tests compare what is stored; the delivery worker (webhooks, e-mail
            # alerts) that `hcoc serve` starts beside the server would write its cursors.
            + ["--no-deliver"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            start_new_session=True,
        )
        if answers(self.url + "/api/v1/states/AUT", within=30, every=0.05, proc=self.proc):
            return self
        self.kill()
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        """SIGKILL the whole server (master and workers), as a crash."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)


def serve(**settings: str) -> Server:
    """A started server; `settings` are environment variables for it (HCOC_...)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "HCOC_RATE_LIMIT_API": "0",
        "HCOC_RATE_LIMIT_API_ADDRESS": "0",
        **settings,
    }
    return Server(port=free_port(), env=env).start()


@dataclass
class Event:
    id: str | None = None
    event: str | None = None
    data: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.data)


def events(response: httpx.Response) -> Iterator[Event]:
    """The events of a `text/event-stream` answer as they come (WHATWG HTML, "Server-sent
    events": a blank line ends an event; `:` starts a comment). Comment-only blocks (heartbeats)
    come as events with comments and no data."""
    current = Event()
    for line in response.iter_lines():
        if line == "":
            if current.data or current.comments or current.id or current.event:
                yield current
            current = Event()
        elif line.startswith(":"):
            current.comments.append(line[1:].strip())
        else:
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "data":
                current.data.append(value)
            elif name in ("id", "event"):
                setattr(current, name, value)


# How long `items()` waits for what a test asked of a stream: a lost item fails its test here,
# naming what is missing, instead of hanging it among heartbeats until the test's timeout.
ITEMS_WITHIN = 30.0


def items(source: Iterator[Event], count: int, *, within: float = ITEMS_WITHIN) -> list[Event]:
    """The next `count` events of `source` (one `events(response)` per answer: lines read are
    gone) that carry data, heartbeats skipped. Fails, saying how many came and after which id
    the rest are missing, when they have not all come within `within` seconds (checked at each
    event: a silent stream is bounded by its client's read timeout, also reported), or when the
    stream ends first."""
    out: list[Event] = []
    deadline = monotonic() + within

    def missing(why: str) -> AssertionError:
        ids = ", ".join(e.id or "(no id)" for e in out) or "none"
        last = f"after id {out[-1].id}" if out else "from the start"
        return AssertionError(
            f"{why}: {len(out)} of {count} items came (ids: {ids}); "
            f"{count - len(out)} missing {last}"
        )

    if count == 0:
        return out
    try:
        for event in source:
            if event.data:
                out.append(event)
                if len(out) == count:
                    return out
            if monotonic() > deadline:
                raise missing(f"the stream did not give them within {within:g} s")
    except httpx.TimeoutException as timeout:
        raise missing(f"a read of the stream timed out ({timeout})") from timeout
    raise missing("the stream ended")
