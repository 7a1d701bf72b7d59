"""Where the verifier reads the log from: the exchange's API, or a bundle file."""

import gzip
import re
import urllib.parse
import urllib.request
from collections.abc import Iterator

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; json is the fallback
    orjson = None

from .common import BUNDLE_FORMAT, PAGE, _b64, _loads

# ---- sources --------------------------------------------------------------------------------


class HttpSource:
    """Reads the log from the exchange's API (GET /api/v1/log/... with a subscriber's token)."""

    stubs_below_start = False  # entries(size, start) serves entries from `start` on only

    def __init__(self, url: str, token: str, timeout: float = 60):
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"not an http(s) address: {url}")
        self.base = url.rstrip("/") + "/api/v1"
        self.token = token
        self.timeout = timeout

    def get(self, path: str, **params) -> bytes:
        query = ("?" + urllib.parse.urlencode(params)) if params else ""
        request = urllib.request.Request(  # noqa: S310 (http/https only, checked above)
            self.base + path + query, headers={"Authorization": f"Bearer {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            return response.read()

    def json(self, path: str, **params):
        return _loads(self.get(path, **params))

    def keys(self) -> dict:
        return self.json("/log/keys")

    def checkpoints(self, after_size: int = 0) -> Iterator[str]:
        after = after_size
        while True:
            page = self.json("/log/checkpoints", after_size=after, limit=PAGE)
            for cp in page["checkpoints"]:
                yield cp["note"]
                after = cp["size"]
            if not page["more"]:
                return

    def latest_checkpoint(self) -> str:
        return self.get("/log/checkpoint").decode()

    def entries(self, size: int, start: int = 0) -> Iterator[dict]:
        while start < size:
            batch = self.json("/log/entries", start=start, end=min(size, start + PAGE) - 1)
            if not batch["entries"]:
                return
            yield from batch["entries"]
            start = batch["entries"][-1]["index"] + 1

    def feed(self, after: int = 0) -> Iterator[dict]:
        while True:
            page = self.json("/feed", after=after, limit=PAGE)
            yield from page["items"]
            after = page["last_seq"]
            if not page["more"]:
                return

    def consistency(self, old: int, new: int) -> list[bytes]:
        data = self.json("/log/proof/consistency", **{"from": old, "to": new})
        return [_b64(h) for h in data["hashes"]]


_KINDS = ("checkpoint", "entry", "feed")
_PREFIXES = {kind: b'{"' + kind.encode() + b'"' for kind in _KINDS}
# What `hcoc export-bundle` writes first on an entry's and a feed item's line: read without
# parsing the line when it is to be skipped (any other spelling is parsed: slower, still right).
_ENTRY_INDEX = re.compile(rb'\{"entry": ?\{"index": ?(\d+)[,}]')
_FEED_SEQ = re.compile(rb'\{"feed": ?\{"seq": ?(\d+)[,}]')


class BundleSource:
    """Reads a bundle written by `hcoc export-bundle` (JSON lines, gzip when named .gz).

    Each reading streams the file once and parses only its own kind of line (the kind is told by
    the line's prefix). Below `start`, entries are only counted (their indexes read from the
    prefix): the verifier checks their numbering, not their content.

    The checkpoints are read from the top of the file down to the first line of another kind
    (where `hcoc export-bundle` puts them all), so that their reading does not stream the whole
    file. The reading of the entries notices any checkpoint further down (`late_checkpoints`);
    the verifier then runs again with `all_checkpoints` set, which reads every line for them."""

    # entries(size, start) serves first {"skipped": count, "misnumbered": [(index, position)]}
    # for the entries below `start`: counted, their indexes checked, nothing else read
    stubs_below_start = True

    def __init__(self, path: str):
        self.path = path
        with self._open() as f:
            header = _loads(f.readline())
        if header.get("format") != BUNDLE_FORMAT:
            raise ValueError(f"{path} is not an {BUNDLE_FORMAT} bundle")
        self.header = header
        self.all_checkpoints = False
        self.late_checkpoints = 0

    def _open(self):
        if str(self.path).endswith(".gz"):
            return gzip.open(self.path, "rb")
        return open(self.path, "rb")  # noqa: SIM115

    def _lines(self, kind: str) -> Iterator[tuple[bytes, dict | None]]:
        """(line, parsed record or None) for each line of `kind`: a line with the usual prefix
        comes unparsed, any other line is parsed here to see what it holds."""
        mine = _PREFIXES[kind]
        checkpoint = _PREFIXES["checkpoint"]
        others = tuple(p for k, p in _PREFIXES.items() if k not in (kind, "checkpoint"))
        leading = kind == "checkpoint" and not self.all_checkpoints  # stop at another kind
        watch = kind == "entry" and not self.all_checkpoints  # count checkpoints further down
        past = False  # a line of another kind than checkpoint was seen
        with self._open() as f:
            f.readline()
            for line in f:
                if line.startswith(mine):
                    past = past or kind != "checkpoint"
                    yield line, None
                elif line.startswith(checkpoint):
                    if watch and past:
                        self.late_checkpoints += 1
                elif line.startswith(others):
                    if leading:
                        return
                    past = True
                elif line.strip():
                    record = _loads(line)
                    if kind in record:
                        yield line, record
                    if watch and past and "checkpoint" in record:
                        self.late_checkpoints += 1
                    if record.keys() - {"checkpoint"}:
                        if leading:
                            return
                        past = True

    def _records(self, kind: str) -> Iterator:
        for line, record in self._lines(kind):
            yield (record or _loads(line))[kind]

    def keys(self) -> dict:
        return {k: self.header[k] for k in ("origin", "vkey", "keys")}

    def checkpoints(self, after_size: int = 0) -> Iterator[str]:
        return self._records("checkpoint")  # all of them: split views among them are checked

    def latest_checkpoint(self) -> str | None:
        return None  # the bundle's checkpoints include the latest at export time

    def entries(self, size: int, start: int = 0) -> Iterator[dict]:
        lines = self._lines("entry")
        if start:
            count, misnumbered = 0, []
            for line, record in lines:
                found = _ENTRY_INDEX.match(line) if record is None else None
                index = int(found[1]) if found else (record or _loads(line))["entry"].get("index")
                if index != count and len(misnumbered) < 1000:
                    misnumbered.append((index, count))
                count += 1
                if count == start:
                    break
            yield {"skipped": count, "misnumbered": misnumbered}
        for line, record in lines:
            yield (record or _loads(line))["entry"]

    def feed(self, after: int = 0) -> Iterator[dict]:
        for line, record in self._lines("feed"):
            if after:
                found = _FEED_SEQ.match(line) if record is None else None
                if found is None:
                    record = record or _loads(line)
                    seq = record["feed"].get("seq") if isinstance(record["feed"], dict) else None
                else:
                    seq = int(found[1])
                if isinstance(seq, int) and seq <= after:
                    continue
            yield (record or _loads(line))["feed"]

    def consistency(self, old: int, new: int) -> None:
        return None
