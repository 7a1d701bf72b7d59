"""Vendor the Noto fonts (SIL OFL 1.1) from Fontsource's npm packages (issue 27): only the weights
and slices the exchange uses, each package's LICENSE and VERSION beside them. Run from the
repository root (tools/vendor_static.sh runs it); needs npm.

    python tools/vendor_fonts.py

What each package gives (src/hcoc/static/vendor/<package>/):

- noto-sans-sc: the Chinese (simplified) slices of weight 400, the numbered ones Google Fonts
  cuts by how often each character is used, and `font-face.css`, their @font-face rules with
  each slice's unicode-range, so a browser fetches only the slices a page's characters fall in.
  No 700: it would double the 2.5 MB the slices weigh; browsers embolden the 400 for headings.
- noto-sans-arabic: the Arabic slice, weights 400 and 700, and their `font-face.css`.
- noto-sans: its Latin and Cyrillic slices, 400 and 700, for the PDFs only (hcoc.lib.pdfscripts:
  reportlab's Helvetica has no Cyrillic, and the Arabic and Chinese PDFs need Latin letters and
  digits in the same font); the pages keep the reader's own system font for these scripts.

The font files sit under their package's version (`noto-sans-sc/5.3.1/...`): a new version is a
new address, so the exchange lets browsers keep a font file for a year without asking again
(WHITENOISE_IMMUTABLE_FILE_TEST in settings.py).
"""

import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "src" / "hcoc" / "static" / "vendor"

# package, version, the stylesheets whose @font-face rules are kept (none: PDF only), and which
# font files to keep (a pattern on the file's name).
PACKAGES = [
    ("noto-sans-sc", "5.3.1", ["400.css"], r"noto-sans-sc-\d+-400-normal\.woff2"),
    (
        "noto-sans-arabic",
        "5.3.0",
        ["400.css", "700.css"],
        r"noto-sans-arabic-arabic-(400|700)-normal\.woff2",
    ),
    ("noto-sans", "5.3.0", [], r"noto-sans-(latin|cyrillic)-(400|700)-normal\.woff2"),
]
FACE = re.compile(r"@font-face\s*{[^}]*}", re.S)
SOURCE = re.compile(r"src:[^;]*url\(\./files/([^)]+\.woff2)\)[^;]*;")


def unpack(spec: str, into: Path) -> Path:
    """The npm package `spec` (name@version) unpacked into `into`; its root directory."""
    subprocess.run(["npm", "pack", "--silent", spec], cwd=into, check=True, capture_output=True)  # noqa: S603,S607
    (tgz,) = into.glob("*.tgz")
    with tarfile.open(tgz) as archive:
        archive.extractall(into, filter="data")
    return into / "package"


def faces(css: str, keep: re.Pattern, version: str) -> list[str]:
    """The @font-face rules of `css` whose woff2 file is kept, pointing at the versioned copy
    (woff2 only: every browser the exchange supports reads it)."""
    out = []
    for rule in FACE.findall(css):
        m = SOURCE.search(rule)
        if m and keep.fullmatch(m.group(1)):
            out.append(SOURCE.sub(f"src: url({version}/{m.group(1)}) format('woff2');", rule))
    return out


def vendor(name: str, version: str, stylesheets: list[str], pattern: str) -> int:
    keep = re.compile(pattern)
    dest = VENDOR / name
    shutil.rmtree(dest, ignore_errors=True)
    (dest / version).mkdir(parents=True)
    with tempfile.TemporaryDirectory() as work:
        package = unpack(f"@fontsource/{name}@{version}", Path(work))
        files = sorted(p for p in (package / "files").iterdir() if keep.fullmatch(p.name))
        for path in files:
            shutil.copy(path, dest / version / path.name)
        shutil.copy(package / "LICENSE", dest / "LICENSE")
        rules = [
            r for css in stylesheets for r in faces((package / css).read_text(), keep, version)
        ]
    (dest / "VERSION").write_text(f"@fontsource/{name}@{version}\n")
    if rules:
        head = f"/* @fontsource/{name}@{version} (SIL OFL 1.1: LICENSE), tools/vendor_fonts.py */\n"
        (dest / "font-face.css").write_text(head + "\n".join(rules) + "\n")
    size = sum(p.stat().st_size for p in (dest / version).iterdir())
    print(f"{name}@{version}: {len(files)} files, {size / 1e6:.2f} MB, {len(rules)} @font-face")
    return size


if __name__ == "__main__":
    total = sum(vendor(*package) for package in PACKAGES)
    print(f"fonts: {total / 1e6:.2f} MB")
    sys.exit(0)
