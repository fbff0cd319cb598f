"""Great-circle geometry on a spherical Earth.

Distances are haversine great-circle distances on a sphere of mean radius 6,371.0088 km.
The spatial index works on 3-D unit vectors, whose straight-line (chord) distance grows
monotonically with the great-circle distance, so a Euclidean KD-tree answers nearest-site
questions on the sphere exactly.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

EPSG_4326 = "EPSG:4326"
EARTH_RADIUS_KM = 6371.0088
KM_PER_MI = 1.609344
EARTH_RADIUS_MI = EARTH_RADIUS_KM / KM_PER_MI


def haversine_mi(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> NDArray:
    """Great-circle distance in miles; broadcasts like numpy."""
    phi1, lam1, phi2, lam2 = (np.radians(np.asarray(v, dtype=float))
                              for v in (lat1, lon1, lat2, lon2))
    a = (np.sin((phi2 - phi1) / 2) ** 2
         + np.cos(phi1) * np.cos(phi2) * np.sin((lam2 - lam1) / 2) ** 2)
    return 2 * EARTH_RADIUS_MI * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def unit_vectors(lat: ArrayLike, lon: ArrayLike) -> NDArray:
    """(n, 3) array of unit vectors for points given in degrees."""
    phi = np.radians(np.asarray(lat, dtype=float))
    lam = np.radians(np.asarray(lon, dtype=float))
    cos_phi = np.cos(phi)
    return np.stack([cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)], axis=-1)


def chord_for_mi(distance_mi: float) -> float:
    """Chord length on the unit sphere that matches a great-circle distance in miles."""
    angle = min(distance_mi / EARTH_RADIUS_MI, math.pi)
    return 2.0 * math.sin(angle / 2.0)


def valid_lat_lon(lat: float, lon: float) -> bool:
    return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180
