from typing import Literal

from ninja import Query, Router, Status

from hcoc.ui.doors import ICC_ONLY, SUBMITTERS

from . import selectors, services
from .exports import feature_collection
from .places import notam_for
from .readmodel import notification_read_model
from .schemas import (
    AmendmentIn,
    CancellationIn,
    GeoJSONOut,
    ImportIn,
    LaunchReportIn,
    NotamOut,
    NotificationOut,
    NotificationPage,
    NotificationVersionOut,
    PLNIn,
    Rfc3339,
    UnnotifiedLaunchIn,
)

router = Router(tags=["notifications"])
# Operations that answer read models leave out what a version does not carry
# (`national_reference`, `amendment_reason`), so they answer exactly what the feed published.


def _out(n):
    return notification_read_model(n, n.versions.get(version=n.current_version))


@router.post(
    "/notifications",
    operation_id="notification_submit",
    auth=SUBMITTERS,
    response={201: NotificationOut},
    exclude_unset=True,
    summary="Submit a pre-launch notification",
)
def submit(request, payload: PLNIn):
    return Status(201, _out(services.notification_submit(actor=request.auth, data=payload)))


@router.post(
    "/notifications/{reference}/amendments",
    operation_id="notification_amend",
    auth=SUBMITTERS,
    response={201: NotificationOut},
    exclude_unset=True,
    summary="Amend: the full new content becomes the next version",
)
def amend(request, reference: str, payload: AmendmentIn):
    return Status(
        201,
        _out(services.notification_amend(actor=request.auth, reference=reference, data=payload)),
    )


@router.post(
    "/notifications/{reference}/cancellation",
    operation_id="notification_cancel",
    auth=SUBMITTERS,
    response={201: NotificationOut},
    exclude_unset=True,
    summary="Cancel",
)
def cancel(request, reference: str, payload: CancellationIn):
    n = services.notification_cancel(actor=request.auth, reference=reference, reason=payload.reason)
    return Status(201, _out(n))


@router.post(
    "/notifications/{reference}/launch-report",
    operation_id="notification_report_launch",
    auth=SUBMITTERS,
    response={201: NotificationOut},
    exclude_unset=True,
    summary="Report the launch",
)
def report_launch(request, reference: str, payload: LaunchReportIn):
    n = services.notification_report_launch(actor=request.auth, reference=reference, data=payload)
    return Status(201, _out(n))


@router.post(
    "/unnotified-launches",
    operation_id="unnotified_launch_report",
    auth=SUBMITTERS,
    response={201: NotificationOut},
    exclude_unset=True,
    summary="Report a launch made without prior notification",
)
def unnotified(request, payload: UnnotifiedLaunchIn):
    return Status(201, _out(services.unnotified_launch_report(actor=request.auth, data=payload)))


@router.post(
    "/imports/notifications",
    operation_id="notification_import",
    auth=ICC_ONLY,
    response={201: NotificationOut},
    exclude_unset=True,
    summary="Historical import (ICC only)",
    tags=["imports"],
)
def import_notification(request, payload: ImportIn):
    return Status(201, _out(services.notification_import(actor=request.auth, data=payload)))


@router.get(
    "/notifications/{reference}",
    operation_id="notification_get",
    response=NotificationOut,
    exclude_unset=True,
    summary="Read a notification",
)
def get(request, reference: str):
    return selectors.notification_get_for(actor=request.auth, reference=reference)


@router.get(
    "/notifications/{reference}/notam",
    operation_id="notification_notam_get",
    response=NotamOut,
    summary="A notification as NOTAM / NAVAREA-style text",
)
def notam(request, reference: str):
    n = selectors.notification_get_for(actor=request.auth, reference=reference)
    return {"reference": n["reference"], "version": n["version"], "text": notam_for(n)}


@router.get(
    "/notifications/{reference}/geojson",
    operation_id="notification_geojson_get",
    response=GeoJSONOut,
    summary="A notification's launch area, corridor and impact areas as GeoJSON",
)
def geojson(request, reference: str):
    n = selectors.notification_get_for(actor=request.auth, reference=reference)
    return feature_collection([n])


@router.get(
    "/notifications/{reference}/versions",
    operation_id="notification_version_list",
    response=list[NotificationVersionOut],
    exclude_unset=True,
    summary="Every version of a notification",
)
def versions(request, reference: str):
    return selectors.notification_versions_for(actor=request.auth, reference=reference)


@router.get(
    "/notifications",
    operation_id="notification_list",
    response=NotificationPage,
    exclude_unset=True,
    summary="List notifications",
)
def list_(
    request,
    state: str | None = None,
    category: Literal["BM", "SLV"] | None = None,
    generic_class: str | None = None,
    status: Literal["notified", "cancelled", "launched", "unreported"] | None = None,
    window_from: Rfc3339 | None = None,
    window_to: Rfc3339 | None = None,
    limit: int = Query(100, ge=1, le=1000),
    cursor: str | None = None,
):
    return selectors.notification_list_for(
        actor=request.auth,
        state=state,
        category=category,
        generic_class=generic_class,
        status=status,
        window_from=window_from,
        window_to=window_to,
        limit=limit,
        cursor=cursor,
    )
