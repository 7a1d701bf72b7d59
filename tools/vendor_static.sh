#!/usr/bin/env bash
# Re-vendor the front-end files from the npm registry (no CDN at run time). Each package's
# licence is copied beside its files. Run from the repository root; needs npm.
set -euo pipefail
dest=src/hcoc/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fetch() {  # package@version  files...
  local spec=$1; shift
  local name=${spec%@*}
  (cd "$work" && npm pack --silent "$spec" >/dev/null)
  local tgz=("$work"/*.tgz)
  mkdir -p "$work/x" "$dest/$name"
  tar -xzf "${tgz[0]}" -C "$work/x"
  for f in "$@"; do cp "$work/x/package/$f" "$dest/$name/"; done
  cp "$work/x/package/LICENSE"* "$dest/$name/" 2>/dev/null || cp "$work/x/package/license"* "$dest/$name/"
  echo "$spec" > "$dest/$name/VERSION"
  rm -rf "$work/x" "${tgz[0]}"
}
fetch htmx.org@2.0.4 dist/htmx.min.js
fetch htmx-ext-sse@2.2.4 dist/sse.min.js
fetch leaflet@1.9.4 dist/leaflet.js dist/leaflet.css
fetch world-atlas@2.0.2 countries-110m.json
fetch topojson-client@3.1.0 dist/topojson-client.min.js
# The Noto fonts for Arabic, Chinese and the PDFs (issue 27): only the slices and weights used.
python3 tools/vendor_fonts.py
