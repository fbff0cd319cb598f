"""Build the shipped state and county outlines from the npm package us-atlas.

    python geodata/build.py [OUTPUT_DIR]      (``make geodata``; default: this folder)

Reads ``node_modules/us-atlas/counties-10m.json`` (put there by ``npm ci``), decodes its
TopoJSON and writes ``us-counties.geojson`` and ``us-states.geojson``. The output is
deterministic: features sorted by FIPS, coordinates rounded to ``DECIMALS`` places, rings
wound as RFC 7946 asks, fixed JSON formatting. Building twice gives byte-identical files.
"""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from locator.geodata import USPS_BY_FIPS

REPO = Path(__file__).resolve().parents[1]
SOURCE_PACKAGE = REPO / "node_modules" / "us-atlas"
SOURCE_VERSION = "3.0.1"
OUTPUT_FILES = ("us-counties.geojson", "us-states.geojson")
# The source is quantized to steps of ~0.0036 degrees of longitude and ~0.00086 of latitude;
# four decimals (0.0001 degrees) keep every distinct source position distinct.
DECIMALS = 4

Position = tuple[float, float]
Ring = list[Position]


def main(argv: Sequence[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    out_dir = Path(args[0]) if args else Path(__file__).resolve().parent
    out_dir.mkdir(parents=True, exist_ok=True)
    topology = load_topology(SOURCE_PACKAGE)
    decoder = TopologyDecoder(topology)
    counties, states = (topology["objects"][name]["geometries"] for name in ("counties", "states"))
    write_feature_collection(out_dir / "us-counties.geojson",
                             county_features(counties, states, decoder))
    write_feature_collection(out_dir / "us-states.geojson", state_features(states, decoder))
    return 0


def load_topology(package_dir: Path) -> dict:
    """The counties topology, after checking it is the pinned version of the package."""
    manifest = package_dir / "package.json"
    if not manifest.is_file():
        raise SystemExit(f"{package_dir} is missing: run `npm ci` (or `make node`) first")
    version = json.loads(manifest.read_text(encoding="utf-8"))["version"]
    if version != SOURCE_VERSION:
        raise SystemExit(f"us-atlas {version} found, the build expects {SOURCE_VERSION}")
    return json.loads((package_dir / "counties-10m.json").read_text(encoding="utf-8"))


class TopologyDecoder:
    """Turns the polygon geometries of a quantized TopoJSON topology into GeoJSON ones."""

    def __init__(self, topology: dict) -> None:
        scale, translate = topology["transform"]["scale"], topology["transform"]["translate"]
        self.quantum: Position = (scale[0], scale[1])
        self.arcs = [decode_arc(arc, scale, translate) for arc in topology["arcs"]]

    def geometry(self, geometry: dict) -> dict:
        """A Polygon or MultiPolygon; a LineString along the outline when every ring collapsed.

        The line keeps such an area (in us-atlas 3.0.1, only Falls Church city, VA) locatable
        without inventing an outline for it.
        """
        parts = self.polygons(geometry)
        if not parts:
            line = list(dict.fromkeys(self.ring(polygon_arcs(geometry)[0][0])))
            return {"type": "LineString", "coordinates": line}
        if len(parts) == 1:
            return {"type": "Polygon", "coordinates": parts[0]}
        return {"type": "MultiPolygon", "coordinates": parts}

    def polygons(self, geometry: dict) -> list[list[Ring]]:
        """Polygons as lists of rings (outer first), collapsed rings left out.

        A polygon whose outer ring collapsed is left out with its holes.
        """
        result = []
        for part in polygon_arcs(geometry):
            outer, *holes = (self.ring(ring) for ring in part)
            if not collapsed(outer):
                result.append([wound(outer, outer=True)]
                              + [wound(hole, outer=False) for hole in holes if not collapsed(hole)])
        return result

    def ring(self, indexes: Iterable[int]) -> Ring:
        """Join arcs into one closed ring; a negative index ``~i`` means arc ``i`` reversed."""
        ring: Ring = []
        for index in indexes:
            points = self.arcs[index] if index >= 0 else self.arcs[~index][::-1]
            # Consecutive arcs share their joining position; keep it once.
            ring.extend(points[1:] if ring else points)
        if ring[0] != ring[-1]:
            ring.append(self._closing_position(ring))
        if any(abs(b[0] - a[0]) > 180 for a, b in itertools.pairwise(ring)):
            raise ValueError(f"ring starting at {ring[0]} crosses the antimeridian")
        return ring

    def _closing_position(self, ring: Ring) -> Position:
        """The start position, to close a ring that ends one quantization step short of it.

        One ring of the merged states (Illinois, at the Ohio River) ends a step away from
        where it starts; a wider gap would be a decoding error, not rounding in the source.
        """
        gap = [abs(a - b) for a, b in zip(ring[0], ring[-1], strict=True)]
        if gap[0] > 1.5 * self.quantum[0] or gap[1] > 1.5 * self.quantum[1]:
            raise ValueError(f"ring starting at {ring[0]} ends at {ring[-1]}: not closed")
        return ring[0]


def decode_arc(arc: list[list[int]], scale: list[float], translate: list[float]) -> Ring:
    """Absolute lon/lat positions, rounded to ``DECIMALS`` places.

    A quantized arc is a start position followed by integer deltas; ``transform`` maps the
    running integer sums to degrees.
    """
    x = y = 0
    positions = []
    for dx, dy in arc:
        x += dx
        y += dy
        positions.append((round(x * scale[0] + translate[0], DECIMALS),
                          round(y * scale[1] + translate[1], DECIMALS)))
    return positions


def polygon_arcs(geometry: dict) -> list[list[list[int]]]:
    """The arc indexes of each polygon's rings, for a Polygon or a MultiPolygon."""
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    raise ValueError(f"unexpected geometry type {geometry['type']!r}")


def collapsed(ring: Ring) -> bool:
    """Simplification shrank some small areas to a point or a line: rings without area."""
    return len(ring) < 4 or signed_area(ring) == 0


def wound(ring: Ring, *, outer: bool) -> Ring:
    """RFC 7946 winding: outer rings counterclockwise, holes clockwise."""
    counterclockwise = signed_area(ring) > 0
    return ring if counterclockwise == outer else ring[::-1]


def signed_area(ring: Ring) -> float:
    """Twice the planar (shoelace) area in square degrees; positive when counterclockwise."""
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(ring))


def state_features(states: list[dict], decoder: TopologyDecoder) -> list[dict]:
    features = []
    for state in sorted(states, key=lambda g: g["id"]):
        properties = {"fips": state["id"], "abbr": usps_abbreviation(state["id"]),
                      "name": state["properties"]["name"]}
        features.append(feature(properties, decoder.geometry(state)))
    return features


def county_features(counties: list[dict], states: list[dict],
                    decoder: TopologyDecoder) -> list[dict]:
    state_names = {s["id"]: s["properties"]["name"] for s in states}
    features = []
    for county in sorted(counties, key=lambda g: g["id"]):
        state_fips = county["id"][:2]
        properties = {"fips": county["id"], "name": county["properties"]["name"],
                      "state_fips": state_fips, "state": usps_abbreviation(state_fips),
                      "state_name": state_names[state_fips]}
        features.append(feature(properties, decoder.geometry(county)))
    return features


def usps_abbreviation(state_fips: str) -> str:
    try:
        return USPS_BY_FIPS[state_fips]
    except KeyError:
        raise SystemExit(f"no USPS abbreviation for state FIPS {state_fips}: add it to "
                         "locator.geodata.USPS_BY_FIPS") from None


def feature(properties: dict, geometry: dict) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def write_feature_collection(path: Path, features: list[dict]) -> None:
    """One feature per line, so a rebuild from a new vintage gives a readable diff."""
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8", newline="\n")


if __name__ == "__main__":
    sys.exit(main())
