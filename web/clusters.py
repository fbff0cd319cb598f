"""Grid clustering of map points, so a zoomed-out map draws hundreds of circles, not 17,000.

Points are binned into square cells of ``cell_px`` screen pixels in Web Mercator at the
map's zoom level (the projection Leaflet draws in); a cell holding one point stays that
point, a cell holding several becomes one cluster at its members' mean position.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

TILE_PX = 256
CELL_PX = 64
MAX_MERCATOR_LAT = 85.05112878


class Cluster(NamedTuple):
    lat: float
    lon: float
    members: tuple[int, ...]  # positions in the input arrays


def grid_clusters(lat: ArrayLike, lon: ArrayLike, *, zoom: int,
                  cell_px: int = CELL_PX) -> list[Cluster]:
    """Clusters of the points, ordered by cell (west to east, then north to south)."""
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    if lat.size == 0:
        return []
    x_px, y_px = mercator_px(lat, lon, zoom)
    cells_per_side = math.ceil(TILE_PX * 2**zoom / cell_px) + 1
    cell = (np.floor(x_px / cell_px).astype(np.int64) * cells_per_side
            + np.floor(y_px / cell_px).astype(np.int64))
    keys, group, counts = np.unique(cell, return_inverse=True, return_counts=True)
    mean_lat = np.bincount(group, weights=lat) / counts
    mean_lon = np.bincount(group, weights=lon) / counts
    members = np.split(np.argsort(group, kind="stable"), np.cumsum(counts)[:-1])
    return [Cluster(float(mean_lat[g]), float(mean_lon[g]), tuple(members[g].tolist()))
            for g in range(len(keys))]


def mercator_px(lat: ArrayLike, lon: ArrayLike, zoom: int) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator pixel coordinates (origin top-left of the world) at a zoom level."""
    world_px = TILE_PX * 2**zoom
    phi = np.radians(np.clip(np.asarray(lat, dtype=float), -MAX_MERCATOR_LAT, MAX_MERCATOR_LAT))
    x_px = (np.asarray(lon, dtype=float) + 180.0) / 360.0 * world_px
    y_px = (1.0 - np.log(np.tan(phi) + 1.0 / np.cos(phi)) / math.pi) / 2.0 * world_px
    return x_px, y_px
