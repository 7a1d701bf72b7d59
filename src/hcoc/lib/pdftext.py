"""Text for reportlab's Paragraph, which reads its argument as markup (<b>, <font>, <img>, <a>,
<link>, entities): anything a person typed must go through `paragraph_text` first, or it can
break the whole PDF (a 500 for every reader), make the server open a file of its own (<img>)
or become a live link (<a href="javascript:...">). No Django here."""

from xml.sax.saxutils import escape


def paragraph_text(value: object) -> str:
    """`value` as text that reportlab prints exactly as it is: &, < and > escaped."""
    return escape("" if value is None else str(value))
