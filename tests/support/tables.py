"""The figures a page's table shows, read from its HTML: rows marked `data-state` (or another
attribute), cells marked `data-figure`.

page_table(html) -> {state (or "totals"): {figure: the text shown in its cell}}
"""

import re


def page_table(html: str, row_key: str = "data-state") -> dict[str, dict[str, str]]:
    out = {}
    for key, row in re.findall(rf'<tr {row_key}="([^"]+)">(.*?)</tr>', html, re.S):
        cells = re.findall(r'data-figure="([^"]+)">(.*?)</td>', row, re.S)
        out[key] = {k: " ".join(re.sub(r"<[^>]+>", " ", v).split()) for k, v in cells}
    return out
