"""The text of a PDF the exchange makes (reportlab: standard fonts, Flate and ASCII85 streams),
read without a PDF library: enough to check what a report says, not a general PDF reader.

pages_text(content) -> one string per page, in page order (each page's text operators' strings
joined by spaces).
visible_text(content) -> what poppler's `pdftotext` extracts; fonts(content) -> each font as
poppler's `pdffonts` lists it.
"""

import base64
import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
_STREAM = re.compile(rb"<<(.*?)>>\s*stream\r?\n(.*?)\s*endstream", re.S)
_STRING = re.compile(rb"\(((?:\\.|[^\\()])*)\)\s*Tj|\[(.*?)\]\s*TJ", re.S)
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.S)
_PLAIN = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(raw: bytes) -> str:
    def one(m):
        c = m.group(1)
        if c[:1].isdigit():
            return bytes([int(c, 8)])
        return _PLAIN.get(c, c)

    return _ESCAPE.sub(one, raw).decode("cp1252")


def _decoded(head: bytes, body: bytes) -> bytes:
    if b"ASCII85Decode" in head:
        body = base64.a85decode(body.strip(), adobe=True)
    if b"FlateDecode" in head:
        body = zlib.decompress(body)
    return body


def _text(stream: bytes) -> str:
    parts = []
    for single, array in _STRING.findall(stream):
        if array:
            parts.append(
                "".join(_unescape(s) for s in re.findall(rb"\(((?:\\.|[^\\()])*)\)", array))
            )
        else:
            parts.append(_unescape(single))
    return " ".join(parts)


def pages_text(content: bytes) -> list[str]:
    objects = {int(n): body for n, body in _OBJECT.findall(content)}
    streams = {}
    for n, body in objects.items():
        m = _STREAM.search(body)
        if m:
            streams[n] = _text(_decoded(m.group(1), m.group(2)))
    pages = []
    for n in sorted(objects):
        body = objects[n]
        if re.search(rb"/Type\s*/Page\b", body):
            refs = re.search(rb"/Contents\s*(\[[^\]]*\]|\d+ 0 R)", body)
            ids = [int(i) for i in re.findall(rb"(\d+) 0 R", refs.group(1))] if refs else []
            pages.append(" ".join(streams.get(i, "") for i in ids))
    return pages


def _poppler(tool: str) -> None:
    """Skip without poppler's `tool`, unless HCOC_REQUIRE_BROWSER=1 (`make test`, which
    installs poppler-utils with the browser) makes that a failure."""
    import os
    import shutil

    import pytest

    if shutil.which(tool) is None:
        message = f"{tool} (Debian's poppler-utils) is not installed"
        if os.environ.get("HCOC_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{message}; HCOC_REQUIRE_BROWSER=1 does not allow skipping")
        pytest.skip(message)


def fonts(content: bytes, tmp_path) -> list[tuple[str, bool, bool]]:
    """Each font of the PDF as poppler's `pdffonts` lists it: (name, embedded, subset); a subset's
    name carries its tag (ABCDEF+NotoSansSC-Regular). `tmp_path`: pdffonts reads only a file."""
    import subprocess

    _poppler("pdffonts")
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    done = subprocess.run(  # noqa: S603
        ["pdffonts", str(path)],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,
    )
    out = []
    for row in done.stdout.splitlines()[2:]:  # after the heading and its rule
        cells = row.split()
        # name, type (one or two words), encoding, emb, sub, uni, object, generation
        out.append((cells[0], cells[-5] == "yes", cells[-4] == "yes"))
    return out


def visible_text(content: bytes) -> str:
    """The text a reader gets out of the PDF, as poppler's `pdftotext` extracts it: only what
    lies on the page (a line that runs off the page loses its end here, as in any viewer), which
    `pages_text` cannot tell. Skips without pdftotext, unless HCOC_REQUIRE_BROWSER=1 (`make test`,
    which installs it with the browser) makes that a failure."""
    import subprocess

    _poppler("pdftotext")
    done = subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", "-", "-"],  # noqa: S607
        input=content,
        capture_output=True,
        check=True,
    )
    return done.stdout.decode()
