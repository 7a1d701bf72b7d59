"""Where a feed item's subject is read: every app that writes items into the feed registers the
page of its kinds from its AppConfig.ready(), so the exchange, below those apps, links to their
pages without importing them.

    links.register(EventKind.MEETING_DECISION, page=lambda item, user: reverse(...))

A page function may answer None for a user who may not see the subject (a restricted
invitation); the item then shows the registered `withheld` text instead of a link.
"""

from collections.abc import Callable
from dataclasses import dataclass

from hcoc.accounts.models import User

Page = Callable[[dict, User], str | None]


@dataclass(frozen=True)
class SubjectPage:
    page: Page
    withheld: str = ""


_pages: dict[str, SubjectPage] = {}


def register(*kinds: str, page: Page, withheld: str = "") -> None:
    for kind in kinds:
        _pages[kind] = SubjectPage(page, withheld)


def subject_link(item: dict, user: User) -> tuple[str | None, str]:
    """(href, "") when the user may open the item's subject; (None, why not) when it may not;
    (None, "") for a kind no app registered."""
    found = _pages.get(item["kind"])
    if found is None:
        return None, ""
    href = found.page(item, user)
    return (href, "") if href else (None, found.withheld)
