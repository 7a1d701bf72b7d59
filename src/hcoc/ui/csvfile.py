"""The one CSV writer of the pages' downloads (the notifications list, an item's
acknowledgements): every cell goes through `safe_cell`, so a spreadsheet never runs another
state's text as a formula (CSV injection)."""

import csv

from django.http import HttpResponse

# A spreadsheet reads a cell as a formula when its first character, after any blanks (a space,
# a tab, a line break), is one of these; a tab or a carriage return first is risky by itself.
FORMULA_STARTS = ("=", "+", "-", "@")
BLANKS = " \t\r\n"


def safe_cell(value) -> str:
    """`value` as CSV text a spreadsheet shows and never runs: quoted with a leading ' when it
    could start a formula. Numbers (never typed by a person) are written as they are."""
    text = "" if value is None else str(value)
    if isinstance(value, str):
        risky = text[:1] in ("\t", "\r") or text.lstrip(BLANKS)[:1] in FORMULA_STARTS
        if risky:
            return "'" + text
    return text


class CsvDownload:
    """An attachment `filename` with a header row; `row(values)` writes every cell safely."""

    def __init__(self, filename: str, header):
        self.response = HttpResponse(content_type="text/csv; charset=utf-8")
        self.response["Content-Disposition"] = f'attachment; filename="{filename}"'
        self._writer = csv.writer(self.response)
        self._writer.writerow(header)

    def row(self, values) -> None:
        self._writer.writerow([safe_cell(v) for v in values])
