"""The one door for annual declarations: each submission is a new version, announced in the feed."""

from django.db import transaction
from django.utils import timezone

from hcoc.accounts.access import acting_state
from hcoc.exchange.models import EventKind
from hcoc.exchange.services import event_record, seq_reserve
from hcoc.lib.canonical import canonical_dumps
from hcoc.lib.errors import Problems
from hcoc.lib.vocabulary import category_of
from hcoc.sites.models import LaunchSite

from .models import Declaration, DeclarationVersion
from .readmodel import declaration_read_model
from .schemas import DeclarationIn

SECTION_CATEGORY = {"ballistic_missiles": "BM", "space_launch_vehicles": "SLV"}
FIRST_YEAR = 2002  # the Code was launched in November 2002


def _check(data: DeclarationIn, problems: Problems, *, this_year: int) -> None:
    if not FIRST_YEAR <= data.year < this_year:
        problems.add("year", f"must be a past calendar year, {FIRST_YEAR} to {this_year - 1}")
    sections = {n: getattr(data, n) for n in SECTION_CATEGORY}
    if not data.nil and all(s is None for s in sections.values()):
        problems.add(
            "ballistic_missiles",
            "a declaration that is not nil needs ballistic_missiles or space_launch_vehicles",
        )
    site_paths: list[tuple[str, str]] = []
    for name, section in sections.items():
        if section is None:
            continue
        category = SECTION_CATEGORY[name]
        seen: set[str] = set()
        for i, row in enumerate(section.launches):
            path = f"{name}.launches[{i}]"
            if category_of(row.generic_class) != category:
                problems.add(
                    f"{path}.generic_class",
                    f"{row.generic_class!r} is not a generic class of category {category}",
                )
            elif row.generic_class in seen:
                problems.add(
                    f"{path}.generic_class",
                    f"{row.generic_class} appears more than once in this section",
                )
            seen.add(row.generic_class)
            if data.nil and row.count > 0:
                problems.add(f"{path}.count", "a nil declaration declares no launches")
        for i, row in enumerate(getattr(section, "systems", [])):
            if category_of(row.generic_class) != category:
                problems.add(
                    f"{name}.systems[{i}].generic_class",
                    f"{row.generic_class!r} is not a generic class of category {category}",
                )
        site_paths += [
            (f"{name}.launch_sites[{i}].site_id", s.site_id)
            for i, s in enumerate(section.launch_sites)
        ]
    known = set(
        LaunchSite.objects.filter(id__in=[s for _, s in site_paths]).values_list("id", flat=True)
    )
    for path, site in site_paths:
        if site not in known:
            problems.add(path, f"unknown site {site!r}; see GET /api/v1/sites")


def declaration_content(data: DeclarationIn) -> dict:
    return data.model_dump(mode="json", exclude={"on_behalf_of"})


def declaration_submit(*, actor, data: DeclarationIn) -> Declaration:
    state, by_icc = acting_state(actor, data.on_behalf_of)
    now = timezone.now()
    problems = Problems()
    _check(data, problems, this_year=now.year)
    problems.raise_if_any()
    content = declaration_content(data)
    with transaction.atomic():
        seq = seq_reserve()
        d, created = Declaration.objects.get_or_create(
            state=state, year=data.year, defaults={"current_version": 1, "first_submitted_at": now}
        )
        if not created:
            d.current_version += 1
            d.save(update_fields=["current_version"])
        v = DeclarationVersion.objects.create(
            declaration=d,
            version=d.current_version,
            content=canonical_dumps(content),
            submitted_at=now,
            submitted_by=actor,
            entered_by_icc=by_icc,
            seq=seq,
        )
        event_record(
            seq=seq,
            kind=EventKind.DECLARATION_SUBMITTED,
            at=now,
            state_id=state.iso3,
            subject=f"{state.iso3}/{d.year}",
            version=v.version,
            payload=declaration_read_model(d, v),
            actor_id=actor.pk,
        )
    return d
