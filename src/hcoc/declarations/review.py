"""The review before a declaration is sent through the pages (the API sends at once): the
declaration and its crosscheck in words, as the review page shows them. How what was reviewed
travels to the confirmation, and is sent only as reviewed and once, is the pages' one review
mechanism (ui.review)."""

import hashlib

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hcoc.lib.canonical import canonical_dumps
from hcoc.lib.vocabulary import GENERIC_CLASSES
from hcoc.sites.selectors import site_details

from .forms import SECTION_LABEL


def body_hash(body: dict) -> str:
    """The body's fingerprint (SHA-256 of its canonical JSON): whether the fields a review
    carried still make the body it showed."""
    return hashlib.sha256(canonical_dumps(body).encode()).hexdigest()


def has_differences(rows: list[dict]) -> bool:
    return any(r["difference"] for r in rows)


def difference_sentences(rows: list[dict], year: int) -> list[str]:
    """Each class whose declared launches differ from the exchange's launch reports, in a
    sentence: "You declare 3 launches of class X; the exchange holds 2 launch reports of that
    class for 2025: a difference of 1." """
    out = []
    for r in rows:
        if not r["difference"]:
            continue
        c, declared, reported = r["generic_class"], r["declared"], r["reported"]
        if declared:
            you = ngettext(
                "You declare %(n)d launch of class %(c)s",
                "You declare %(n)d launches of class %(c)s",
                declared,
            ) % {"n": declared, "c": c}
        else:
            you = _("You declare no launches of class %(c)s") % {"c": c}
        if reported:
            held = ngettext(
                "the exchange holds %(n)d launch report of that class for %(y)d",
                "the exchange holds %(n)d launch reports of that class for %(y)d",
                reported,
            ) % {"n": reported, "y": year}
        else:
            held = _("the exchange holds no launch reports of that class for %(y)d") % {"y": year}
        sentence = _("%(you)s; %(held)s: a difference of %(d)d.") % {
            "you": you,
            "held": held,
            "d": r["difference"],
        }
        if r["notified_only"]:
            sentence += " " + ngettext(
                "It also holds %(n)d notification of that class with no launch report.",
                "It also holds %(n)d notifications of that class with no launch report.",
                r["notified_only"],
            ) % {"n": r["notified_only"]}
        out.append(sentence)
    return out


def in_words(content: dict) -> list[dict]:
    """The declaration's sections as the review page says them: policy, launch sites by name,
    systems, and the launches of each class in a sentence."""
    ids = {
        s["site_id"]
        for name in SECTION_LABEL
        for s in (content.get(name) or {}).get("launch_sites", [])
    }
    sites = site_details(ids)
    out = []
    for name, label in SECTION_LABEL.items():
        part = content.get(name)
        if not part:
            continue
        launches = []
        for row in part.get("launches", []):
            c, n = row["generic_class"], row["count"]
            text = ngettext("%(n)d launch of class %(c)s", "%(n)d launches of class %(c)s", n) % {
                "n": n,
                "c": c,
            }
            launches.append(f"{text} ({GENERIC_CLASSES[c][1]})" if c in GENERIC_CLASSES else text)
        out.append(
            {
                "name": name,
                "label": label,
                "policy": part.get("policy") or "",
                "sites": [
                    f"{sites[s['site_id']]['name']} ({s['site_id']})"
                    if s["site_id"] in sites
                    else s["site_id"]
                    for s in part.get("launch_sites", [])
                ],
                "systems": [
                    f"{s['generic_class']}: {s['name']}" if s.get("name") else s["generic_class"]
                    for s in part.get("systems", [])
                ],
                "launches": launches,
            }
        )
    return out
