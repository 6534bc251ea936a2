"""World tier map: projection, committed boundaries, coverage and reproducible drawing."""

import csv
import json
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from tipreport.charts import world_map
from tipreport.charts.style import TIER_COLORS as COLORS
from tipreport.paths import DATA_DIR, WORLD_MAP
from tipreport.paths import WORLD_MAP_SOURCE as SOURCE

SMALL_PLACES = ["SGP", "BHR", "MLT", "HKG", "MAC", "CUW", "SXM", "ABW"]


@pytest.fixture(scope="module")
def committed():
    return json.loads(WORLD_MAP.read_text(encoding="utf-8"))["features"]


def rings(feature):
    geometry = feature["geometry"]
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [ring for polygon in polygons for ring in polygon]


# --- projection -------------------------------------------------------------------------------


def test_equal_earth_maps_the_origin_to_the_origin():
    assert world_map.equal_earth(0.0, 0.0) == (0.0, 0.0)


def test_equal_earth_is_symmetric():
    lon, lat = np.array([10.0, 75.0, 179.0]), np.array([5.0, 42.0, 89.0])
    x, y = world_map.equal_earth(lon, lat)
    xm, ym = world_map.equal_earth(-lon, -lat)
    np.testing.assert_allclose(xm, -x)
    np.testing.assert_allclose(ym, -y)


def test_equal_earth_y_increases_with_latitude():
    lat = np.linspace(-90, 90, 721)
    for lon in (-180.0, 0.0, 100.0):
        assert np.all(np.diff(world_map.equal_earth(np.full_like(lat, lon), lat)[1]) > 0)


def test_equal_earth_extent_matches_the_published_formula():
    a1, a2, a3, a4 = 1.340264, -0.081106, 0.000893, 0.003796
    x, _ = world_map.equal_earth(180.0, 0.0)
    assert x == pytest.approx(2 * math.sqrt(3) * math.pi / (3 * a1))  # ≈ 2.7068
    theta = math.pi / 3  # arcsin(sqrt(3)/2 · sin 90°)
    _, y = world_map.equal_earth(0.0, 90.0)
    assert y == pytest.approx(a1 * theta + a2 * theta**3 + a3 * theta**7 + a4 * theta**9)  # ≈ 1.3174


def test_equal_earth_preserves_area():
    """A 30° × 20° cell at 40–60° N covers Δλ·(sin φ1 − sin φ0) on the unit sphere."""
    edge = np.linspace(0, 1, 400)
    lon = np.concatenate([10 + 30 * edge, np.full(400, 40.0), 40 - 30 * edge, np.full(400, 10.0)])
    lat = np.concatenate([np.full(400, 40.0), 40 + 20 * edge, np.full(400, 60.0), 60 - 20 * edge])
    x, y = world_map.equal_earth(lon, lat)
    area = 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    expected = math.radians(30) * (math.sin(math.radians(60)) - math.sin(math.radians(40)))
    assert area == pytest.approx(expected, rel=1e-3)


# --- committed boundaries ---------------------------------------------------------------------


def test_committed_map_has_two_properties_and_unique_codes(committed):
    assert all(set(f["properties"]) == {"iso3", "name"} for f in committed)
    codes = [f["properties"]["iso3"] for f in committed if f["properties"]["iso3"]]
    assert len(codes) == len(set(codes))
    assert all(len(code) == 3 and code.isupper() for code in codes)


def test_committed_map_has_kosovo_and_the_small_places_but_no_antarctica(committed):
    by_code = {f["properties"]["iso3"]: f for f in committed}
    assert by_code["XKX"]["properties"]["name"] == "Kosovo"
    for code in SMALL_PLACES:
        assert rings(by_code[code]), code
    assert "ATA" not in by_code
    assert not any("antarctica" in f["properties"]["name"].lower().split() for f in committed)
    assert min(point[1] for f in committed for ring in rings(f) for point in ring) > world_map.equal_earth(0, -60)[1]


def test_committed_map_coordinates_are_projected_closed_rings_on_the_grid(committed):
    """Committed already projected (Equal Earth, unit sphere) on a fixed grid: drawing needs no projection."""
    x_max, y_max = world_map.equal_earth(180, 0)[0], world_map.equal_earth(0, 90)[1]
    for feature in committed:
        for ring in rings(feature):
            assert len(ring) >= 4 and ring[0] == ring[-1], feature["properties"]
            assert all(round(value, world_map.GRID_DECIMALS) == value for point in ring for value in point), feature["properties"]
            assert all(a != b for a, b in zip(ring, ring[1:])), feature["properties"]
            assert all(abs(x) <= x_max and abs(y) <= y_max for x, y in ring), feature["properties"]


def test_shared_borders_stay_shared(committed):
    """France and Spain, Canada and the United States share border vertices, point for point."""
    def points(code):
        return {tuple(p) for f in committed if f["properties"]["iso3"] == code for r in rings(f) for p in r}

    for a, b in (("FRA", "ESP"), ("CAN", "USA"), ("KHM", "THA")):
        assert len(points(a) & points(b)) >= 10, (a, b)


def test_rings_have_the_orientation_geojson_asks_for(committed):
    """Exterior rings counter-clockwise (positive area), holes clockwise; Lesotho is a hole in South Africa."""
    for feature in committed:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for polygon in polygons:
            assert world_map._signed_area(polygon[0]) > 0, feature["properties"]
            assert all(world_map._signed_area(hole) < 0 for hole in polygon[1:]), feature["properties"]
    south_africa = next(f for f in committed if f["properties"]["iso3"] == "ZAF")["geometry"]["coordinates"]
    assert max(len(polygon) for polygon in south_africa) == 2, "South Africa's mainland has one hole: Lesotho"


def test_area_and_centroid_of_a_hand_made_ring():
    ring = [[0.0, 0.0], [2.0, 0.0], [2.0, 1.0], [0.0, 1.0], [0.0, 0.0]]
    assert world_map._signed_area(ring) == 2.0
    assert world_map._signed_area(ring[::-1]) == -2.0
    assert world_map._centroid(ring) == (1.0, 0.5)


def test_centroid_of_a_tiny_island_far_from_the_origin_loses_no_digits():
    """A 2e-4-wide square at x ≈ 1.77 (Singapore's size and place): the naive shoelace cancels ~8 digits."""
    x, y, side = 1.7702, 0.0235, 0.0002
    ring = [[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]
    assert world_map._centroid(ring) == pytest.approx((x + side / 2, y + side / 2), rel=1e-15, abs=0)
    assert world_map._signed_area(ring) == pytest.approx(side * side, rel=1e-9)


def test_committed_map_is_small_and_deterministically_formatted(committed):
    raw = WORLD_MAP.read_bytes()
    assert len(raw) < 1_600_000
    assert raw.endswith(b"}\n") and b"\n" not in raw[:-1] and b", " not in raw
    keys = [(f["properties"]["iso3"], f["properties"]["name"]) for f in committed]
    assert keys == sorted(keys)


def test_every_country_in_the_data_is_on_the_map_or_an_expected_miss(committed):
    with (DATA_DIR / "countries.csv").open(encoding="utf-8", newline="") as f:
        codes = {row["iso3"] for row in csv.DictReader(f) if not row["successors"]}  # former governments: not on today's map
    on_map = {f["properties"]["iso3"] for f in committed}
    assert codes - on_map == set(world_map.EXPECTED_MISSES)
    readme = (DATA_DIR / "maps" / "README.md").read_text(encoding="utf-8")
    for code in world_map.EXPECTED_MISSES:
        assert f"`{code}`" in readme, f"{code} must be explained in data/maps/README.md"


@pytest.mark.skipif(not SOURCE.exists(), reason="shared/reference/maps is not beside the repository")
def test_rebuilding_from_natural_earth_gives_the_committed_bytes(tmp_path):
    summary = world_map.build_world_map(SOURCE, tmp_path / "world.geojson")
    assert (tmp_path / "world.geojson").read_bytes() == WORLD_MAP.read_bytes()
    assert summary["features_in"] == 241
    assert summary["dropped"] == ["Antarctica"]
    assert summary["merged"] == {"AUS": ["Australia", "Ashmore and Cartier Is."]}
    assert len(summary["unmatched"]) == 4


@pytest.mark.skipif(not SOURCE.exists(), reason="shared/reference/maps is not beside the repository")
def test_build_refuses_when_the_kosovo_override_does_not_match(tmp_path):
    source = json.loads(SOURCE.read_text(encoding="utf-8"))
    source["features"] = [f for f in source["features"] if f["properties"]["name"] != "Kosovo"]
    (tmp_path / "source.geojson").write_text(json.dumps(source), encoding="utf-8")
    with pytest.raises(ValueError, match="Kosovo"):
        world_map.build_world_map(tmp_path / "source.geojson", tmp_path / "world.geojson")


def test_no_ring_crosses_the_antimeridian(committed):
    """Russia and Fiji straddle ±180°: they must be cut, not joined by an edge across the map."""
    half_width = world_map.equal_earth(180, 0)[0]
    for feature in committed:
        for ring in rings(feature):
            assert all(abs(a[0] - b[0]) < half_width for a, b in zip(ring, ring[1:])), feature["properties"]
    for code, northmost in (("RUS", 72), ("FJI", -20)):  # |x| at ±179° shrinks towards the poles
        xs = [p[0] for f in committed if f["properties"]["iso3"] == code for r in rings(f) for p in r]
        edge = world_map.equal_earth(179, northmost)[0]
        assert min(xs) < -edge and max(xs) > edge, code


# --- drawing ----------------------------------------------------------------------------------


def draw(tiers, highlight=()):
    fig, ax = plt.subplots(figsize=(7.2, 3.6))
    coverage = world_map.draw_tier_map(ax, tiers, highlight, colors=COLORS, not_ranked_color="#eeeeee")
    return fig, ax, coverage


def test_draw_tier_map_accounts_for_every_ranked_country():
    tiers = {"KHM": "Tier 3", "SGP": "Tier 1", "FRA": "Tier 1", "ZZZ": "Tier 2"}
    fig, ax, coverage = draw(tiers, highlight=["KHM"])
    plt.close(fig)
    assert coverage.not_on_map == ("ZZZ",)
    assert coverage.shown == ("FRA", "KHM", "SGP")
    assert coverage.as_markers == ("SGP",)
    for code in tiers:
        assert (code in coverage.shown) + (code in coverage.not_on_map) == 1, code
    assert set(coverage.as_markers) <= set(coverage.shown)


def test_draw_tier_map_colours_by_tier():
    fig, ax, _ = draw({"KHM": "Tier 3", "SGP": "Tier 1"}, highlight=["KHM"])
    plt.close(fig)
    fills, outlines = ax.collections[0], ax.collections[1]
    codes = sorted(code for code, _, _ in world_map.load_world_map())
    faces = [matplotlib.colors.to_hex(c) for c in fills.get_facecolors()]
    assert faces[codes.index("KHM")] == COLORS["Tier 3"]
    assert faces[codes.index("FRA")] == "#eeeeee"
    assert len(outlines.get_paths()) == 1
    markers = ax.collections[2]
    assert [matplotlib.colors.to_hex(c) for c in markers.get_facecolors()] == [COLORS["Tier 1"]]
    x, y = markers.get_offsets()[0]
    assert (x, y) == pytest.approx(world_map.equal_earth(103.8, 1.35), abs=0.01)  # Singapore
    assert not ax.axison


def test_every_committed_map_credits_natural_earth_in_its_source_line():
    import json

    from tipreport.paths import FIGURES_DIR

    sidecars = [json.loads(p.read_text(encoding="utf-8")) for p in FIGURES_DIR.glob("*map*.json")]
    assert sidecars
    assert all(world_map.CREDIT in record["source"] for record in sidecars)


def test_draw_tier_map_refuses_to_highlight_a_country_not_on_the_map():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="ZZZ"):
        world_map.draw_tier_map(ax, {}, ["ZZZ"], colors=COLORS, not_ranked_color="#eeeeee")
    plt.close(fig)
