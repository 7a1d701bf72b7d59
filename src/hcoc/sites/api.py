from ninja import Router

from hcoc.states.access import require_exchange_reader

from .models import LaunchSite
from .schemas import SiteOut

router = Router(tags=["sites"])


@router.get(
    "/sites", operation_id="site_list", response=list[SiteOut], summary="The launch-site catalogue"
)
def list_sites(request):
    require_exchange_reader(request.auth)
    return [
        {
            "id": s.id,
            "name": s.name,
            "state": s.state_id,
            "territory": s.territory,
            "lat": s.lat,
            "lon": s.lon,
            "kinds": s.kind_list,
            "site_kind": s.site_kind,
        }
        for s in LaunchSite.objects.order_by("id")
    ]
