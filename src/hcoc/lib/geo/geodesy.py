"""Areas on the WGS 84 ellipsoid, and their normal form for maps and intersections.

Every shape is computed on the ellipsoid (`pyproj.Geod`, Karney's geodesics) and then written in
the lon/lat plane as valid GeoJSON: split at 180 deg into a MultiPolygon where it crosses, and
closed along the map's top or bottom edge where it holds a pole (normal_form; the tests check it
against the `antimeridian` package, which does the same 50 times slower).

Two rules make that unambiguous:
- Edges are geodesics, densified so that no edge is longer than MAX_EDGE_KM: a straight segment
  in the lon/lat plane then stays within tens of metres of the geodesic it stands for (except
  within a few km of a pole, where lon/lat itself breaks down).
- A polygon as a state sends it (lon/lat vertices, any winding) is the SMALLER of the two
  regions its ring bounds on the ellipsoid, and each edge is the shorter geodesic between its
  ends: (10 N, 178 E) -> (10 N, 178 W) is 4 degrees wide, not 356. Circles and corridors are
  built counter-clockwise, so their inside is known and never guessed.
"""

import math
from collections.abc import Sequence

import numpy as np
import shapely
import shapely.affinity
from pyproj import Geod
from shapely.geometry import MultiPolygon, Polygon

GEOD = Geod(ellps="WGS84")
# The ellipsoid's area: four lunes of 90 degrees of longitude, each a quarter of it.
EARTH_AREA_M2 = 4 * GEOD.polygon_area_perimeter([0, 90, 90, 0], [-90, -90, 90, 90])[0]
MAX_EDGE_KM = 25.0  # a 25 km chord bows at most ~70 m from its geodesic at 80 deg latitude
# Near a pole 25 km spans many degrees of longitude, and a straight line in lon/lat is then far
# from the geodesic: no edge spans more than 1 degree of longitude either.
MAX_EDGE_LON_DEG = 1.0
CIRCLE_MIN_POINTS = 180  # 2 degrees apart: the polygon is within 0.02 % of the circle's area

LonLat = tuple[float, float]


def wrap_lon(lon):
    """Longitudes into [-180, 180) (arrays or floats)."""
    return (np.asarray(lon) + 180.0) % 360.0 - 180.0


def as_ring(points) -> np.ndarray:
    """(lon, lat) points as an (n, 2) array, open (a closing repeat of the first point dropped)."""
    ring = np.asarray(points, dtype=float).reshape(-1, 2)
    if len(ring) > 1 and (ring[0] == ring[-1]).all():
        ring = ring[:-1]
    return ring


def densify(points, *, max_edge_km: float = MAX_EDGE_KM) -> np.ndarray:
    """The ring (closed or open) with points added along each geodesic edge longer than
    `max_edge_km` or wider than MAX_EDGE_LON_DEG, so that none is. Returns an open ring as an
    (n, 2) array."""
    ring = as_ring(points)
    lons, lats = ring[:, 0], ring[:, 1]
    nxt = np.roll(np.arange(len(ring)), -1)
    distance_km = np.asarray(GEOD.inv(lons, lats, lons[nxt], lats[nxt])[2]) / 1000.0
    lon_span = np.abs(wrap_lon(lons[nxt] - lons))
    pieces = np.maximum(distance_km / max_edge_km, lon_span / MAX_EDGE_LON_DEG)
    between = np.ceil(pieces).astype(int) - 1
    chunks, done = [], 0
    for i in np.nonzero(between > 0)[0]:
        chunks.append(ring[done : i + 1])
        added = GEOD.npts(lons[i], lats[i], lons[nxt[i]], lats[nxt[i]], int(between[i]))
        chunks.append(np.array(added, dtype=float).reshape(-1, 2))
        done = i + 1
    chunks.append(ring[done:])
    return np.concatenate(chunks)


def distances_km(start: LonLat, points) -> np.ndarray:
    """Geodesic distances in km from `start` to each (lon, lat) of `points`, an (n, 2) array."""
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    n = len(points)
    metres = GEOD.inv(np.full(n, start[0]), np.full(n, start[1]), points[:, 0], points[:, 1])[2]
    return np.asarray(metres) / 1000.0


def signed_area_m2(points) -> float:
    """The area of the smaller region the ring bounds, positive when the ring runs
    counter-clockwise around it (geographiclib's convention, in (-A/2, A/2])."""
    ring = as_ring(points)
    return GEOD.polygon_area_perimeter(ring[:, 0], ring[:, 1])[0]


def _pole_vertices_opened(ring: np.ndarray) -> np.ndarray:
    """A vertex on a pole (a sector's apex there) has no longitude of its own: in the plane it
    is the map's top or bottom edge. Each becomes two vertices on that edge, at the longitudes
    of the vertices before and after it, so that the edges in and out are meridians, as on the
    ellipsoid (as one vertex with some longitude, a 1-degree sector from the South Pole came
    out 1.3 % too small)."""
    at_pole = np.abs(ring[:, 1]) >= 90.0
    if not at_pole.any() or at_pole.all():
        return ring
    out = []
    for k, (lon, lat) in enumerate(ring):
        if at_pole[k]:
            out += [(ring[k - 1, 0], lat), (ring[(k + 1) % len(ring), 0], lat)]
        else:
            out.append((lon, lat))
    return np.array(out)


def unwrapped(points) -> tuple[np.ndarray, int]:
    """The ring (open) with each edge going the short way in longitude, so that longitudes may
    leave [-180, 180] but never jump; and its winding number round the polar axis (0: clear of
    the poles; +1 / -1: round the North / South Pole, running east / west). A vertex on a pole,
    and an edge over one, run along the map's edge there."""
    ring = _pole_vertices_opened(as_ring(points))
    lon, lat = ring[:, 0], ring[:, 1]
    step = np.diff(lon, append=lon[0])
    step = (step + 180.0) % 360.0 - 180.0  # the short way round
    flat = float(wrap_lon(lon[0])) + np.concatenate([[0.0], np.cumsum(step[:-1])])
    xy = np.column_stack([flat, lat])
    # An edge over a pole (its ends on opposite meridians: 180 degrees of longitude apart) runs
    # in the plane up its meridian to the map's edge, along it, and down, as on the ellipsoid.
    # As a straight segment it cut across the plane below the pole, and could cross an edge
    # that passed near the pole, not over it (which stays straight: nearer its geodesic).
    over = np.nonzero(np.abs(np.abs(step) - 180.0) < 1e-6)[0]
    if len(over):
        pole = np.where(lat[over] + lat[(over + 1) % len(lat)] > 0, 90.0, -90.0)
        route = np.stack(
            [np.column_stack([flat[over], pole]), np.column_stack([flat[over] + step[over], pole])],
            axis=1,
        )
        xy = np.insert(xy, np.repeat(over + 1, 2), route.reshape(-1, 2), axis=0)
    return xy, round(float(step.sum()) / 360.0)


def with_crossings(xy: np.ndarray, every: float = 360.0, offset: float = 180.0) -> np.ndarray:
    """The unwrapped ring (open, edges under 180 degrees of longitude) with a vertex added where
    an edge's geodesic crosses each meridian `offset` + k x `every` (in unwrapped longitudes).

    Shapely cuts the plane at a meridian where the straight segment crosses it; near a pole that
    point is tens of metres off the geodesic, and a thin shape cut there (a sector a few hundred
    metres wide, 85 degrees south, across 180 degrees) lost or gained several per cent of its
    area. With the geodesic's own crossing as a vertex, the cut falls on it. Found by bisection
    along the edge's geodesic (longitude is monotonic along an edge this short). Edges wider
    than 10 degrees of longitude are left alone: after `densify` only an edge over a pole is (its
    longitude jumps there, it has no crossing to find)."""
    nxt = np.roll(xy, -1, axis=0)
    # the closing edge, the short way (round a pole the first vertex is a turn away)
    nxt[-1, 0] = xy[-1, 0] + wrap_lon(xy[0, 0] - xy[-1, 0])
    lo, hi = np.minimum(xy[:, 0], nxt[:, 0]), np.maximum(xy[:, 0], nxt[:, 0])
    first = np.floor((lo - offset) / every) + 1  # the first cut meridian east of `lo`
    meridian = offset + first * every
    ordinary = (hi - lo <= 10.0) & (np.abs(xy[:, 1]) < 90.0) & (np.abs(nxt[:, 1]) < 90.0)
    # a vertex within a hair of the meridian is its own crossing (a second one would be a
    # near-duplicate point)
    crossing = ordinary & (meridian > lo + 1e-9) & (meridian < hi - 1e-9)
    if not crossing.any():
        return xy
    i = np.nonzero(crossing)[0]
    a, b, m = xy[i], nxt[i], meridian[i]
    azimuth, _, distance = GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    near, far = np.zeros(len(i)), np.asarray(distance, dtype=float)
    east = b[:, 0] > a[:, 0]
    for _ in range(48):  # 48 halvings: well under a millimetre, whatever the edge's length
        mid = (near + far) / 2
        lon, lat, _ = GEOD.fwd(a[:, 0], a[:, 1], azimuth, mid)
        lon = a[:, 0] + wrap_lon(np.asarray(lon) - a[:, 0])
        before = np.where(east, lon < m, lon > m)
        near, far = np.where(before, mid, near), np.where(before, far, mid)
    _, lat, _ = GEOD.fwd(a[:, 0], a[:, 1], azimuth, (near + far) / 2)
    return np.insert(xy, i + 1, np.column_stack([m, lat]), axis=0)


def unwrapped_shape(xy: np.ndarray, winding: int) -> Polygon:
    """The unwrapped ring as one polygon of the plane, NOT made valid (so a check can ask whether
    it is): itself, or for a ring round a pole, three turns closed along the pole's edge."""
    if winding == 0:
        return shapely.polygons(xy)
    period = 360.0 * winding
    pole = 90.0 if winding > 0 else -90.0
    turns = [xy + (k * period, 0.0) for k in (-1, 0, 1)] + [xy[:1] + (2 * period, 0.0)]
    curve = np.concatenate(turns)
    return shapely.polygons(np.concatenate([curve, [(curve[-1, 0], pole), (curve[0, 0], pole)]]))


def normal_form(points) -> Polygon | MultiPolygon:
    """A counter-clockwise ring (its inside on the left, on the ellipsoid; open or closed, edges
    short) in the lon/lat plane: split at 180 deg, closed over a pole it holds, valid.

    The ring is unwrapped (each edge goes the short way in longitude, so longitudes may leave
    [-180, 180]). Its winding number about the polar axis then says what it bounds: 0, a region
    away from both poles (or, if it runs clockwise in the plane, the rest of the Earth: both
    poles); +1 (eastward, inside on the left = north), the region holding the North Pole, closed
    along the top edge of the map; -1, the South Pole, along the bottom (_pole_cap). The shape in unwrapped
    longitudes is then cut into 360-degree windows, each moved back into [-180, 180].
    """
    xy, winding = unwrapped(points)
    xy = with_crossings(xy)  # the cuts at 180 degrees fall on the geodesics
    if winding == 0:
        shape = _valid(shapely.polygons(xy))
        # clockwise by its signed area: GEOS's is_ccw reads the turn at the ring's highest
        # point, which an edge run along the map's edge (over a pole) leaves ambiguous
        x, y = xy[:, 0], xy[:, 1]
        complement = float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y)) < 0
    elif abs(winding) == 1:
        shape = _pole_cap(xy, winding)
        complement = False
    else:
        raise ValueError("the ring winds round a pole more than once")
    pieces = []
    for west in (-540.0, -180.0, 180.0):
        window = shapely.box(west, -90.0, west + 360.0, 90.0)
        piece = shapely.intersection(shape, window)
        if not piece.is_empty:
            pieces.append(shapely.affinity.translate(piece, xoff=-(west + 180.0)))
    plane = _polygons(shapely.union_all(pieces))
    if complement:
        plane = _polygons(shapely.difference(shapely.box(-180.0, -90.0, 180.0, 90.0), plane))
    return plane


def _pole_cap(xy: np.ndarray, winding: int):
    """The region between a ring round a pole (unwrapped: it ends 360 degrees from where it
    started) and that pole's edge of the map, as one 360-degree-wide window of the plane.

    Closing one turn of the ring straight down (or up) to the pole is not enough: a ring that
    doubles back in longitude crosses that closing line, and the polygon crosses itself. So the
    ring is laid three times end to end, closed along the pole's edge, and only the middle turn
    is kept: it is exact as long as no turn doubles back by more than 360 degrees."""
    period = 360.0 * winding
    three = _valid(unwrapped_shape(xy, winding))
    west, east = sorted((xy[0, 0], xy[0, 0] + period))
    return shapely.intersection(three, shapely.box(west, -90.0, east, 90.0))


def _valid(geom):
    return geom if geom.is_valid else shapely.make_valid(geom)


def _polygons(geom) -> Polygon | MultiPolygon:
    """The areas of a result (an intersection may add lines or points along a cut)."""
    polygons = [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and not g.is_empty]
    polygons = [p for g in polygons for p in shapely.get_parts(g)]
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)


def polygon_area(points: Sequence[LonLat]) -> Polygon | MultiPolygon:
    """A polygon as a state sent it (lon, lat vertices, closed or open, any winding): the smaller
    region its geodesic edges bound, in normal form."""
    ring = densify(points)
    if signed_area_m2(ring) < 0:
        ring = ring[::-1]
    return normal_form(ring)


def circle_ring(center: LonLat, radius_km: float) -> np.ndarray:
    """The geodesic circle's ring, counter-clockwise (azimuths decreasing)."""
    lon, lat = center
    circumference = 2 * math.pi * radius_km
    n = max(CIRCLE_MIN_POINTS, math.ceil(circumference / MAX_EDGE_KM))
    azimuths = np.linspace(360.0, 0.0, n, endpoint=False)
    lons, lats, _ = GEOD.fwd(
        np.full(n, lon), np.full(n, lat), azimuths, np.full(n, radius_km * 1000.0)
    )
    return np.column_stack([lons, lats])


def circle_area(center: LonLat, radius_km: float) -> Polygon | MultiPolygon:
    """Every point within `radius_km` (geodesic) of `center`, in normal form."""
    return normal_form(densify(circle_ring(center, radius_km)))


def geodesic_area_m2(geom) -> float:
    """The ellipsoidal area of a (Multi)Polygon in the lon/lat plane, each edge read as a
    geodesic. The plane is cut into four 90-degree lunes first: each piece is then smaller than a
    quarter of the Earth and counter-clockwise, so geographiclib's signed area is never ambiguous
    (a shape closed along the map's edge over a pole has a ring that, read whole, is not). Each
    cut falls at the geodesic's own crossing of the lune's edge (with_crossings)."""
    geom = MultiPolygon(
        [
            Polygon(
                with_crossings(np.asarray(p.exterior.coords)[:-1], 90.0, 0.0),
                [with_crossings(np.asarray(r.coords)[:-1], 90.0, 0.0) for r in p.interiors],
            )
            for p in shapely.get_parts(geom)
        ]
    )
    total = 0.0
    for west in (-180.0, -90.0, 0.0, 90.0):
        piece = shapely.intersection(geom, shapely.box(west, -90.0, west + 90.0, 90.0))
        for part in shapely.get_parts(piece):
            if part.geom_type != "Polygon" or part.is_empty:
                continue
            total += GEOD.geometry_area_perimeter(shapely.geometry.polygon.orient(part, 1.0))[0]
    return total


def n_vector(lon: float, lat: float) -> np.ndarray:
    """The unit normal of the ellipsoid at (lon, lat): averaging these finds a centre that does
    not care about 180 deg or the poles."""
    phi, lam = math.radians(lat), math.radians(lon)
    return np.array([math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)])


def from_n_vector(v: np.ndarray) -> LonLat:
    x, y, z = v / np.linalg.norm(v)
    return math.degrees(math.atan2(y, x)), math.degrees(math.atan2(z, math.hypot(x, y)))


def ring_centre(points: Sequence[LonLat]) -> LonLat:
    """The area-weighted centre of a polygon given as a state sent it (smaller region): a fan of
    triangles from the first vertex, each weighted by its signed area on the unit sphere of
    normals. Good to well under a km for launch areas (hundreds of km across)."""
    ring = densify(points)
    if signed_area_m2(ring) < 0:
        ring = ring[::-1]
    vectors = [n_vector(lon, lat) for lon, lat in ring]
    origin = vectors[0]
    total = np.zeros(3)
    for a, b in zip(vectors[1:-1], vectors[2:], strict=True):
        weight = np.dot(origin, np.cross(a, b)) / 2.0  # signed: concave polygons subtract
        total += weight * (origin + a + b)
    if np.linalg.norm(total) < 1e-15:  # degenerate: fall back to the vertices' mean
        total = np.sum(vectors, axis=0)
    return from_n_vector(total)
