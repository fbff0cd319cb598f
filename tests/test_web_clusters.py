"""Grid clustering for the map, against a point-by-point reference."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pytest

from web.clusters import CELL_PX, TILE_PX, grid_clusters


def naive_clusters(lat: list[float], lon: list[float], zoom: int) -> dict[tuple[int, int], list]:
    """Cell of every point by the Web Mercator formulas, one point at a time."""
    world_px = TILE_PX * 2**zoom
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, (la, lo) in enumerate(zip(lat, lon, strict=True)):
        phi = math.radians(la)
        x = (lo + 180) / 360 * world_px
        y = (1 - math.asinh(math.tan(phi)) / math.pi) / 2 * world_px
        cells[(math.floor(x / CELL_PX), math.floor(y / CELL_PX))].append(i)
    return cells


@pytest.mark.parametrize("zoom", [0, 3, 6, 9, 14])
def test_grid_clusters_match_the_point_by_point_reference(zoom: int) -> None:
    rng = np.random.default_rng(zoom)
    lat = rng.uniform(36.9, 42.5, 2000).tolist()
    lon = rng.uniform(-91.5, -87.5, 2000).tolist()
    clusters = grid_clusters(lat, lon, zoom=zoom)
    expected = naive_clusters(lat, lon, zoom)
    assert sorted(c.members for c in clusters) == sorted(tuple(m) for m in expected.values())
    for cluster in clusters:
        assert cluster.lat == pytest.approx(np.mean([lat[i] for i in cluster.members]))
        assert cluster.lon == pytest.approx(np.mean([lon[i] for i in cluster.members]))


def test_far_apart_points_stay_single_and_close_ones_merge() -> None:
    lat, lon = [40.2, 40.2001, 45.0], [-89.5, -89.5001, -100.0]
    clusters = grid_clusters(lat, lon, zoom=5)
    assert sorted(c.members for c in clusters) == [(0, 1), (2,)]
    assert grid_clusters([], [], zoom=5) == []
