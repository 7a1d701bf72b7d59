"""Meeting documents judged by their content, never by their name (Django-free).

Accepted: PDF (starts with `%PDF-`), ODT (a ZIP whose first entry is `mimetype`, stored, holding
application/vnd.oasis.opendocument.text) and DOCX (a ZIP with `[Content_Types].xml` and
`word/document.xml`). Nothing is ever opened, rendered or executed beyond this inspection.
"""

import io
import re
import unicodedata
import zipfile

PDF = "application/pdf"
ODT = "application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSION = {PDF: ".pdf", ODT: ".odt", DOCX: ".docx"}


def content_type_of(data: bytes) -> str | None:
    """The document's content type, or None when it is none of the accepted kinds."""
    if data.startswith(b"%PDF-"):
        return PDF
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            names = {i.filename for i in infos}
            if infos and infos[0].filename == "mimetype":
                # Read at most the length of the expected text: a zip bomb cannot inflate here.
                with z.open(infos[0]) as f:
                    if f.read(len(ODT) + 1) == ODT.encode():
                        return ODT
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        return None
    return None


def safe_name(name: str, content_type: str) -> str:
    """A file name safe for a Content-Disposition header and any file system: no path, no
    control or quote characters, ASCII only, at most 100 characters, with the right extension."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9._ -]+", "_", name).strip(" .") or "document"
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return (stem[:90].strip(" .") or "document") + EXTENSION[content_type]
