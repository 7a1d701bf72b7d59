"""Geometry checks for launch and impact areas (shapely; Django-free)."""

from shapely.geometry import Polygon
from shapely.validation import explain_validity


def polygon_problem(points: list[tuple[float, float]]) -> str | None:
    """Return why ``points`` (lon, lat) do not form a valid simple polygon, or None if they do.

    A ring may be given closed (last point = first) or open; both mean the same polygon.
    """
    if len(points) >= 2 and points[0] == points[-1]:
        points = points[:-1]
    if len(points) < 3:
        return "a polygon needs at least 3 distinct points"
    if len(set(points)) != len(points):
        return "a polygon must not repeat a point"
    poly = Polygon(points)
    if poly.convex_hull.area == 0:  # collinear; a bow-tie also has area 0 but is not on a line
        return "the points of a polygon must not all lie on one line"
    if not poly.is_valid:
        return f"not a simple polygon ({explain_validity(poly)})"
    return None
