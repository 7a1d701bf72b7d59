"""Geography of notifications, Django-free: shapes on the WGS 84 ellipsoid in normal form
(geodesy), the corridor (corridor), coordinates people read and type (coords), the navigational
warning text (notam), the affected states (states), and all of it for one notification in one
call (notification.notification_geometry). docs/geography.md explains the model."""
