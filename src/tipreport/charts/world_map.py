"""World choropleth of TIP tier placements, drawn offline with matplotlib only.

The boundaries are Natural Earth admin-0 (50m), reduced by :func:`build_world_map`
to ``data/maps/world_50m.geojson`` (see ``data/maps/README.md``). Countries are
joined on ISO 3166-1 alpha-3 codes, never on names; the only name-based match is
the documented Kosovo override.

Byte-identical on every CPU: no arithmetic whose result depends on the CPU lies
between the committed file and a figure's coordinates.

- The map is projected (Equal Earth) once, when the file is built, and committed
  on a fixed grid of ``GRID_DECIMALS`` decimals. Drawing only parses those
  decimals (correctly rounded by Python, the same everywhere); numpy's SIMD
  ``arcsin``/``power``, whose last bit follows the CPU's AVX-512/AVX2 path, never
  run at drawing time. The build itself uses :mod:`math`, one IEEE operation at a
  time; a last-bit difference there could only move a value sitting exactly on a
  half-grid point, and the rebuild test would show it.
- Areas and centroids (which cancel about seven digits on tiny islands, so the
  last bit would reach the PDF's 10 printed digits) use :func:`math.fsum`: an
  exactly rounded sum, so the result does not depend on summation order, unlike
  ``np.dot``, which OpenBLAS sums in a CPU-specific order.
- Rounding to a fixed grid keeps shared borders shared: the same vertex of two
  neighbours lands on the same grid point.

Step 3 of 4, charts: may import tipreport.paths, tipreport.fileops, tipreport.data_in, tipreport.analysis and other tipreport.charts modules; never outputs."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pycountry
from matplotlib.collections import PathCollection
from matplotlib.path import Path as MplPath

from tipreport.paths import WORLD_MAP, WORLD_MAP_SOURCE

#: Features that have no ISO numeric id but are a ranked country. Kosovo has no
#: ISO 3166-1 numeric code; XKX is the user-assigned alpha-3 code the data uses.
NAME_OVERRIDES = {"Kosovo": "XKX"}
#: Natural Earth features left out of the map (ISO numeric id → reason).
DROPPED_IDS = {"010": "Antarctica: no government to rank, and it would take up the bottom of the map"}
#: Codes in data/countries.csv with no feature on the map, and why.
EXPECTED_MISSES = {
    "ANT": "Netherlands Antilles, dissolved in 2010: the map shows today's Curaçao (CUW), "
    "Sint Maarten (SXM), and Bonaire, Sint Eustatius and Saba within the Netherlands (NLD)",
}
CREDIT = "boundaries: Natural Earth"  # every map's source line must include it

#: Equal Earth coefficients (Šavrič, Patterson & Jenny 2018).
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2
#: Source coordinates are rounded to this many decimals of a degree (about 1 km)...
LONLAT_DECIMALS = 2
#: ...and the projected ones (unit sphere; 1e-4 is about 0.6 km) to this many.
GRID_DECIMALS = 4

#: Ranked countries smaller than this projected area (unit sphere; about
#: 12,000 km²) also get a circle marker, so they stay visible.
SMALL_AREA = 3e-4
MARKER_SIZE = 9  # points²
EDGE_COLOR = "white"
OUTLINE_COLOR = "#222222"


@dataclass(frozen=True)
class MapCoverage:
    """Where each ranked country ended up. ``as_markers`` is a subset of ``shown``."""

    shown: tuple[str, ...]
    as_markers: tuple[str, ...]
    not_on_map: tuple[str, ...]


def _cross_terms(ring) -> tuple[float, float, list[float], list[tuple[float, float]]]:
    """The ring's first point and, relative to it, each edge's cross product and end points.

    Working relative to the first point keeps the products small, so less cancels.
    Each value comes from single IEEE operations in Python (no FMA contraction,
    no vector kernel), so it is the same on every CPU.
    """
    x0, y0 = float(ring[0][0]), float(ring[0][1])
    points = [(float(x) - x0, float(y) - y0) for x, y in ring]
    cross = [xa * yb - xb * ya for (xa, ya), (xb, yb) in zip(points[:-1], points[1:])]
    return x0, y0, cross, points


def _signed_area(ring) -> float:
    """Shoelace area of a closed ring; positive when counter-clockwise (exactly rounded sum)."""
    return math.fsum(_cross_terms(ring)[2]) / 2


def _round_ring(ring, exterior: bool, decimals: int) -> list | None:
    """Round to ``decimals``, drop consecutive duplicates, orient as RFC 7946; None if < 4 points."""
    out: list[list[float]] = []
    for x, y in ring:
        point = [round(float(x), decimals) + 0.0, round(float(y), decimals) + 0.0]  # + 0.0 turns -0.0 into 0.0
        if point != (out[-1] if out else None):
            out.append(point)
    if len(out) < 4:
        return None
    return out if (_signed_area(out) >= 0) == exterior else out[::-1]


def _project_ring(ring: list, exterior: bool) -> list | None:
    """Project a rounded lon/lat ring to Equal Earth and round it to the fixed grid."""
    return _round_ring([_equal_earth_point(lon, lat) for lon, lat in ring], exterior, GRID_DECIMALS)


def _clip(xy: np.ndarray) -> np.ndarray:
    """Clip a closed ring to -180° ≤ lon ≤ 180° (Sutherland–Hodgman, one half-plane at a time)."""
    for x0, sign in ((-180.0, -1), (180.0, 1)):
        out = []
        for p, q in zip(xy[:-1], xy[1:]):
            p_in, q_in = sign * (p[0] - x0) <= 0, sign * (q[0] - x0) <= 0
            if p_in:
                out.append(p)
            if p_in != q_in:
                out.append([x0, p[1] + (x0 - p[0]) * (q[1] - p[1]) / (q[0] - p[0])])
        if not out:
            return np.empty((0, 2))
        xy = np.array([*out, out[0]])
    return xy


def _cut_antimeridian(ring: list) -> dict[int, np.ndarray]:
    """The ring's parts on each side of ±180° longitude, keyed by the shift that brought them in range.

    The source rings are spherical (they cross the antimeridian without a cut), so
    longitudes are first made continuous, then each copy shifted by -360, 0, +360 is clipped.
    """
    xy = np.array(ring, dtype=float)
    xy[:, 0] = np.unwrap(xy[:, 0], period=360)
    if xy[:, 0].min() >= -180 and xy[:, 0].max() <= 180:
        return {0: xy}
    if xy[-1, 0] != xy[0, 0]:
        raise ValueError("a ring that encircles a pole cannot be cut at the antimeridian")
    parts = {shift: _clip(xy + [shift, 0]) for shift in (-360, 0, 360)}
    return {shift: part for shift, part in parts.items() if len(part)}


def _polygons(geometry: dict) -> list[list]:
    """The feature's polygons, cut at the antimeridian, rounded, projected; vanished rings are dropped."""
    coords = geometry["coordinates"]
    polygons = []
    for rings in [coords] if geometry["type"] == "Polygon" else coords:
        by_shift: dict[int, list] = {}
        for i, ring in enumerate(rings):
            for shift, part in _cut_antimeridian(ring).items():
                rounded = _round_ring(part, i == 0, LONLAT_DECIMALS)
                rounded = rounded and _project_ring(rounded, i == 0)
                if rounded and (i == 0 or shift in by_shift):
                    by_shift.setdefault(shift, []).append(rounded)
        polygons.extend(by_shift[shift] for shift in sorted(by_shift))
    return polygons


def _iso3(feature: dict) -> str:
    """Alpha-3 code for a feature's ISO numeric id (Kosovo by override), or "" if unknown."""
    numeric = feature.get("id")
    if not numeric:
        return NAME_OVERRIDES.get(feature["properties"]["name"], "")
    country = pycountry.countries.get(numeric=str(numeric).zfill(3))
    return country.alpha_3 if country else ""


def _lonlat_area(polygons: list) -> float:
    """Projected area (exteriors positive, holes negative): only to rank merged parts."""
    return math.fsum(_signed_area(ring) for polygon in polygons for ring in polygon)


def build_world_map(source: Path = WORLD_MAP_SOURCE, target: Path = WORLD_MAP) -> dict:
    """Reduce the Natural Earth 50m GeoJSON to ``{iso3, name}`` features, projected to Equal Earth.

    Coordinates: rounded to ``LONLAT_DECIMALS`` in degrees, projected, and committed
    on the grid of ``GRID_DECIMALS`` (unit sphere), so drawing needs no projection.

    Features sharing a code (Australia and Ashmore and Cartier Is.) are merged under
    the name of the larger one. Output is deterministic. Returns a summary.
    """
    features = json.loads(Path(source).read_text(encoding="utf-8"))["features"]
    overridden = [f["properties"]["name"] for f in features if not f.get("id") and _iso3(f)]
    if overridden != list(NAME_OVERRIDES):
        raise ValueError(f"name overrides {NAME_OVERRIDES} matched {overridden}")
    kept: dict[tuple[str, str], list] = {}
    dropped, unmatched = [], []
    for feature in features:
        name, iso3 = feature["properties"]["name"], _iso3(feature)
        polygons = [] if feature.get("id") in DROPPED_IDS else _polygons(feature["geometry"])
        if not polygons:
            dropped.append(name)
            continue
        if not iso3:
            unmatched.append(name)
        if (iso3, name) in kept:
            raise ValueError(f"two features named {name!r} with code {iso3!r}")
        kept[(iso3, name)] = polygons
    merged = {}
    for iso3 in sorted({code for code, _ in kept if code}):
        names = sorted((n for code, n in kept if code == iso3), key=lambda n: -_lonlat_area(kept[(iso3, n)]))
        if len(names) > 1:
            merged[iso3] = names
            kept[(iso3, names[0])] = [p for n in names for p in kept.pop((iso3, n))]
    out = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"iso3": iso3, "name": name},
         "geometry": {"type": "MultiPolygon", "coordinates": polygons} if len(polygons) > 1
         else {"type": "Polygon", "coordinates": polygons[0]}}
        for (iso3, name), polygons in sorted(kept.items())
    ]}
    text = json.dumps(out, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    Path(target).write_text(text, encoding="utf-8")
    return {"features_in": len(features), "features_out": len(out["features"]), "dropped": sorted(dropped),
            "merged": merged, "unmatched": sorted(unmatched), "bytes": len(text.encode("utf-8"))}


def _equal_earth_point(lon: float, lat: float) -> tuple[float, float]:
    """Equal Earth for one point, with :mod:`math` (one IEEE operation at a time, no SIMD)."""
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    t8 = t6 * t2
    x = 2 * math.sqrt(3) * lam * math.cos(theta) / (3 * (9 * A4 * t8 + 7 * A3 * t6 + 3 * A2 * t2 + A1))
    y = theta * (A4 * t8 + A3 * t6 + A2 * t2 + A1)
    return x, y


def equal_earth(lon, lat):
    """Equal Earth projection of longitude/latitude in degrees onto the unit sphere's plane.

    Scalars give a tuple of floats; arrays give a tuple of arrays (computed point by
    point with :mod:`math`, not with numpy's CPU-dispatched ufuncs).
    """
    if np.ndim(lon) == 0 and np.ndim(lat) == 0:
        return _equal_earth_point(float(lon), float(lat))
    lon, lat = np.broadcast_arrays(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    points = [_equal_earth_point(a, b) for a, b in zip(lon.ravel().tolist(), lat.ravel().tolist())]
    return (np.array([x for x, _ in points]).reshape(lon.shape), np.array([y for _, y in points]).reshape(lon.shape))


@lru_cache(maxsize=4)
def _load(path: str) -> tuple:
    """The features at ``path`` (already projected); immutable so the cache can be shared."""
    features = []
    for feature in json.loads(Path(path).read_text(encoding="utf-8"))["features"]:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        rings = []
        for ring in (ring for polygon in polygons for ring in polygon):
            xy = np.array(ring, dtype=float)  # parsing only: no arithmetic
            xy.flags.writeable = False
            rings.append(xy)
        features.append((feature["properties"]["iso3"], feature["properties"]["name"], tuple(rings)))
    return tuple(features)


def load_world_map(path: Path | None = None) -> list[tuple[str, str, tuple[np.ndarray, ...]]]:
    """Features of the committed world map as ``(iso3, name, rings)``, rings in Equal Earth coordinates.

    Exterior rings run counter-clockwise and holes clockwise. Cached per path; the
    arrays are read-only.
    """
    return list(_load(str(path or WORLD_MAP)))


def _centroid(ring) -> tuple[float, float]:
    """Area centroid of a closed ring, from exactly rounded sums relative to its first point."""
    x0, y0, cross, points = _cross_terms(ring)
    six_area = 3 * math.fsum(cross)
    cx = math.fsum((xa + xb) * c for (xa, _), (xb, _), c in zip(points[:-1], points[1:], cross)) / six_area
    cy = math.fsum((ya + yb) * c for (_, ya), (_, yb), c in zip(points[:-1], points[1:], cross)) / six_area
    return x0 + cx, y0 + cy


def draw_tier_map(ax, tiers: Mapping[str, str], highlight: Iterable[str] = (), *, colors: Mapping[str, str],
                  not_ranked_color: str, small_area: float = SMALL_AREA) -> MapCoverage:
    """Fill each country by its tier (``tiers``: iso3 → tier, ``colors``: tier → colour).

    Ranked countries smaller than ``small_area`` also get a circle marker at the
    centroid of their largest ring; ``highlight`` countries get a dark outline.
    Every key of ``tiers`` ends up in exactly one of ``shown`` / ``not_on_map``.
    """
    features = sorted(load_world_map(), key=lambda feature: feature[:2])
    highlight = set(highlight)
    on_map = {iso3 for iso3, _, _ in features if iso3}
    if highlight - on_map:
        raise ValueError(f"cannot highlight countries that are not on the map: {sorted(highlight - on_map)}")
    paths, faces, outlines, markers = [], [], [], []
    for iso3, _, rings in features:
        ranked = bool(iso3) and iso3 in tiers
        path = MplPath.make_compound_path(*(MplPath(ring, closed=True) for ring in rings))
        paths.append(path)
        faces.append(colors[tiers[iso3]] if ranked else not_ranked_color)
        if iso3 in highlight:
            outlines.append(path)
        if ranked and math.fsum(map(_signed_area, rings)) < small_area:
            markers.append((iso3, _centroid(max(rings, key=_signed_area))))
    ax.add_collection(PathCollection(paths, facecolors=faces, edgecolors=EDGE_COLOR, linewidths=0.2), autolim=False)
    ax.add_collection(PathCollection(outlines, facecolors="none", edgecolors=OUTLINE_COLOR, linewidths=0.9,
                                     zorder=2), autolim=False)
    if markers:
        ax.scatter([x for _, (x, _) in markers], [y for _, (_, y) in markers], s=MARKER_SIZE,
                   c=[colors[tiers[iso3]] for iso3, _ in markers], edgecolors=OUTLINE_COLOR,
                   linewidths=[0.9 if iso3 in highlight else 0.3 for iso3, _ in markers], zorder=3)
    points = np.vstack([ring for _, _, rings in features for ring in rings])
    ax.set_xlim(points[:, 0].min(), points[:, 0].max())
    ax.set_ylim(points[:, 1].min(), points[:, 1].max())
    ax.set_aspect("equal")
    ax.set_axis_off()
    return MapCoverage(shown=tuple(sorted(set(tiers) & on_map)),
                       as_markers=tuple(sorted(iso3 for iso3, _ in markers)),
                       not_on_map=tuple(sorted(set(tiers) - on_map)))
