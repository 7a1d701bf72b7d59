"""The language an e-mail to a state's address is written in (issue 27): the recipient's own.

A message of the exchange to a state (the ICC's chase, a disabled webhook, a declaration's
reminder) goes to addresses, some of them the state's users, some its points of contact, who
have no account and so no language of their own. A user reads their own choice (`User.language`,
the language switch); a point of contact reads the language the state's users chose most (a
ministry's desk reads what its staff read), English where none chose one.
"""

from collections import Counter
from collections.abc import Iterable

from django.conf import settings

from hcoc.accounts.models import User


def state_language(state_id: str | None) -> str:
    """The language the state's active users chose most (ties: the first in
    settings.LANGUAGES); English (settings.LANGUAGE_CODE) where none chose one."""
    if not state_id:
        return settings.LANGUAGE_CODE
    chosen = Counter(
        User.objects.filter(state_id=state_id, is_active=True)
        .exclude(language="")
        .values_list("language", flat=True)
    )
    offered = [code for code, _name in settings.LANGUAGES]
    ranked = sorted(
        (code for code in chosen if code in offered),
        key=lambda code: (-chosen[code], offered.index(code)),
    )
    return ranked[0] if ranked else settings.LANGUAGE_CODE


def addresses_by_language(addresses: Iterable[str], state_id: str | None) -> dict[str, list[str]]:
    """{language: sorted addresses}: each address in its reader's language; a user's own choice
    where an active user (of `state_id`, or of the ICC where it is None) has the address, else
    the state's (`state_language`)."""
    wanted = sorted(set(addresses))
    own = dict(
        User.objects.filter(state_id=state_id, is_active=True, email__in=wanted)
        .exclude(language="")
        .values_list("email", "language")
    )
    offered = {code for code, _name in settings.LANGUAGES}
    default = state_language(state_id) if any(a not in own for a in wanted) else ""
    out: dict[str, list[str]] = {}
    for address in wanted:
        language = own.get(address, default)
        out.setdefault(language if language in offered else settings.LANGUAGE_CODE, []).append(
            address
        )
    return out
