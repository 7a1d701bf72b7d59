"""The review before a declaration is sent through the pages (the API sends at once).

What was reviewed travels with the confirmation, signed with the site's key and salted with the
user (django.core.signing): the form's fields as entered (to go back and edit them, and to send
them), the hash of the body they make, the crosscheck it was reviewed against, and a single-use
nonce. A changed token is refused, and the body is sent only if it still hashes as reviewed, so
only what was reviewed can be sent; nothing is stored before confirming.

Also here: the declaration and its crosscheck in words, as the review page shows them.
"""

import hashlib

from django.core import signing
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hcoc.lib.canonical import canonical_dumps
from hcoc.lib.vocabulary import GENERIC_CLASSES
from hcoc.sites.selectors import site_details

from .forms import SECTION_LABEL

SALT = "hcoc.declarations.review"
# A review left open longer than this is shown again (with the exchange's figures of the
# moment) before it can be confirmed.
MAX_AGE = 6 * 3600


def body_hash(body: dict) -> str:
    """The body's fingerprint (SHA-256 of its canonical JSON): the token carries the fields
    once, not the body a second time (policies may be 20,000 characters each)."""
    return hashlib.sha256(canonical_dumps(body).encode()).hexdigest()


def review_sign(
    *, user, fields: dict, body: dict, rows: list[dict], nonce: str, supersedes: int
) -> str:
    """The token the review page carries to its confirmation; `supersedes` is the version that
    was current when it was reviewed (0: none), which the confirmation may replace, once."""
    return signing.dumps(
        {
            "fields": fields,
            "body_sha256": body_hash(body),
            "rows": rows,
            "nonce": nonce,
            "supersedes": supersedes,
        },
        salt=f"{SALT}:{user.pk}",
        compress=True,
    )


def review_open(token: str, *, user) -> tuple[dict, bool]:
    """(what was reviewed, whether it has expired). Raises signing.BadSignature when the token
    was changed, or signed for another user."""
    salt = f"{SALT}:{user.pk}"
    try:
        return signing.loads(token, salt=salt, max_age=MAX_AGE), False
    except signing.SignatureExpired:
        # Authentic but old: its fields may be shown again, never sent as they are.
        return signing.loads(token, salt=salt), True


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
