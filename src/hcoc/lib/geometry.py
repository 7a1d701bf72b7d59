"""Geometry checks for launch and impact areas (shapely; Django-free).

A polygon is judged as the exchange reads it (docs/geography.md): edges are geodesics, each the
short way round, so a polygon across 180 degrees or round a pole is as valid as any other; it is
checked in the geodesic normal form's unwrapped plane (hcoc.lib.geo.geodesy), not in the flat
lon/lat plane where such a polygon would seem to cross the whole map.
"""

import numpy as np
from shapely.geometry import MultiPoint
from shapely.validation import explain_validity

from hcoc.lib.geo.geodesy import densify, n_vector, unwrapped, unwrapped_shape
from hcoc.lib.marking import gettext


def _on_one_great_circle(points: list[tuple[float, float]]) -> bool:
    """All points on one geodesic (the sphere's "one line"): their normals span a plane."""
    vectors = np.array([n_vector(lon, lat) for lon, lat in points])
    crosses = np.cross(vectors[0], vectors[1:])
    axis = crosses[np.argmax(np.linalg.norm(crosses, axis=1))]
    if np.linalg.norm(axis) < 1e-12:  # every point on the first one or its antipode
        return True
    return bool(np.all(np.abs(vectors @ (axis / np.linalg.norm(axis))) < 1e-9))


def polygon_problem(points: list[tuple[float, float]]) -> str | None:
    """Return why ``points`` (lon, lat) do not form a valid simple polygon, or None if they do.

    A ring may be given closed (last point = first) or open; both mean the same polygon.
    """
    if len(points) >= 2 and points[0] == points[-1]:
        points = points[:-1]
    if len(points) < 3:
        return gettext("a polygon needs at least 3 distinct points")
    if len(set(points)) != len(points):
        return gettext("a polygon must not repeat a point")
    # One line on the ellipsoid (a geodesic), or one line as people draw them on a map (a
    # polygon of no width there is a mistake even where the geodesics give it a sliver; a ring
    # round a pole along one parallel is a cap, not a line).
    flat, round_pole = unwrapped(points)
    if _on_one_great_circle(points) or (not round_pole and MultiPoint(flat).convex_hull.area == 0):
        return gettext("the points of a polygon must not all lie on one line")
    xy, winding = unwrapped(densify(points))
    if abs(winding) > 1:
        return gettext("not a simple polygon (it winds round a pole more than once)")
    shape = unwrapped_shape(xy, winding)
    if not shape.is_valid:
        return gettext("not a simple polygon (%(why)s)") % {"why": explain_validity(shape)}
    return None
