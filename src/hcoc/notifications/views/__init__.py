"""The notification pages: thin views over the same services and selectors as the API."""

from .detail import cancel, detail, report
from .exports import calendar_feed, calendar_page, detail_geojson, detail_kml, detail_pdf
from .listing import notification_list
from .submit import amend, draft_remove, new, validate_fragment

__all__ = [
    "amend",
    "calendar_feed",
    "calendar_page",
    "detail_geojson",
    "detail_kml",
    "detail_pdf",
    "cancel",
    "detail",
    "draft_remove",
    "new",
    "notification_list",
    "report",
    "validate_fragment",
]
