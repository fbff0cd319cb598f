"""Coverage reports as files planners open elsewhere: CSV, GeoJSON and GeoPackage.

Area outlines come from the shipped offline geodata (counties and states; a region is the
union of its counties). GeoJSON follows RFC 7946: longitude before latitude, WGS84, and
polygons wound counter-clockwise. The GeoPackage holds one layer, ``coverage``, in EPSG:4326,
which QGIS and ArcGIS open directly. Nothing here needs the web app, so the CLI and the web
layer write the same files.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TextIO

import numpy as np
import shapely

from locator import geodata
from locator.coverage import CoverageReport, CoverageRow, Geography, ProgramMatrix
from locator.geo import EPSG_4326
from locator.sites import Kind
from locator.suggest import SuggestResult
from locator.whatif import WhatIfResult

GPKG_LAYER = "coverage"
SUGGESTIONS_LAYER = "suggestions"


def flat_row(row: CoverageRow) -> dict[str, object]:
    """One row with a column per kind of site, for CSV and GeoPackage (no nesting)."""
    nested = row.to_json()
    flat: dict[str, object] = {key: nested[key] for key in ("area_id", "name", "population",
                                                            "sites")}
    flat.update({f"sites_{kind.value}": row.sites_by_kind.get(kind.value, 0) for kind in Kind})
    flat.update({key: value for key, value in nested.items()
                 if key not in flat and key not in _LISTS})
    for key in _LISTS[1:]:
        flat[key] = ";".join(nested[key])  # type: ignore[arg-type]
    return flat


_LISTS = ("sites_by_kind", "gap_reasons", "covered_only_on")


def write_csv(report: CoverageReport, file: TextIO) -> None:
    rows = [flat_row(row) for row in report.rows]
    columns = list(flat_row(report.total))
    writer = csv.DictWriter(file, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)


def report_geojson(report: CoverageReport) -> dict[str, object]:
    """A FeatureCollection with one feature per area; figures are the feature properties."""
    outlines = area_outlines(report)
    features = [
        {"type": "Feature", "id": row.area_id,
         "geometry": _geometry_json(outlines.get(row.area_id)), "properties": row.to_json()}
        for row in report.rows
    ]
    metadata = {key: value for key, value in report.to_json().items() if key != "rows"}
    return {"type": "FeatureCollection", "metadata": metadata, "features": features}


def write_geojson(report: CoverageReport, file: TextIO) -> None:
    json.dump(report_geojson(report), file, ensure_ascii=False)
    file.write("\n")


def write_gpkg(report: CoverageReport, path: Path | str) -> None:
    """Write the report's rows, with area outlines, as the ``coverage`` layer of a GeoPackage."""
    # Imported here: geopandas (with pandas) takes longer to import than a county report
    # takes to compute, and only this writer needs it.
    import geopandas

    outlines = area_outlines(report)
    frame = geopandas.GeoDataFrame(
        [flat_row(row) for row in report.rows],
        geometry=[outlines.get(row.area_id) for row in report.rows], crs=EPSG_4326,
    )
    frame.to_file(path, driver="GPKG", layer=GPKG_LAYER, engine="pyogrio")


def gpkg_bytes(report: CoverageReport) -> bytes:
    """The GeoPackage as bytes, for a download (GDAL writes only to files: use a temporary one)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "coverage.gpkg"
        write_gpkg(report, path)
        return path.read_bytes()


def suggestions_geojson(result: SuggestResult) -> dict[str, object]:
    """Suggested sites as points, ranked, with the residents each newly brings in reach."""
    summary = {k: v for k, v in result.to_json().items() if k != "suggestions"}
    return {"type": "FeatureCollection", "metadata": summary, "features": [
        {"type": "Feature", "id": row["id"],
         "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
         "properties": row}
        for row in (s.to_json() for s in result.suggestions)
    ]}


def write_suggestions_csv(result: SuggestResult, file: TextIO) -> None:
    rows = result.to_json()["suggestions"]
    columns = ["rank", "id", "name", "lat", "lon", "county_fips", "pool", "newly_covered",
               "covered_so_far"]
    writer = csv.DictWriter(file, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)  # type: ignore[arg-type]


def write_whatif_csv(result: WhatIfResult, file: TextIO) -> None:
    rows = [row.to_json() for row in (*result.rows, result.total)]
    writer = csv.DictWriter(file, fieldnames=list(rows[-1]), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)


def write_program_matrix_csv(matrix: ProgramMatrix, file: TextIO) -> None:
    """One row per area; per program its sites, mean distance and shares within each threshold."""
    columns = ["area_id", "name", "population"]
    for program in matrix.programs:
        columns += [f"{program}_sites", f"{program}_mean_distance_mi"]
        columns += [f"{program}_{t.share_key}" for t in matrix.reports[0].thresholds]
    writer = csv.writer(file, lineterminator="\n")
    writer.writerow(columns)
    for i, area in enumerate(matrix.reports[0].rows):
        cells: list[object] = [area.area_id, area.name, area.population]
        for report in matrix.reports:
            row = report.rows[i]
            cells += [row.sites, row.mean_distance_mi, *(c.share for c in row.within)]
        writer.writerow("" if cell is None else cell for cell in cells)


def area_outlines(report: CoverageReport) -> dict[str, shapely.Geometry]:
    """Outline of each area in the report; the total and unknown codes have none."""
    geography = report.query.geography
    if geography is Geography.COUNTY:
        return {fips: _county_outlines()[fips] for fips in _ids(report)
                if fips in _county_outlines()}
    if geography is Geography.STATE:
        return {fips: _state_outlines()[fips] for fips in _ids(report)
                if fips in _state_outlines()}
    if geography is Geography.REGION:
        assert report.query.regions is not None
        return _region_outlines(report.query.regions.by_county, _ids(report))
    return {}


def _ids(report: CoverageReport) -> list[str]:
    return [row.area_id for row in report.rows]


def _region_outlines(by_county: Mapping[str, str], region_ids: Sequence[str]
                     ) -> dict[str, shapely.Geometry]:
    counties = _county_outlines()
    members: dict[str, list[shapely.Geometry]] = {region: [] for region in region_ids}
    for fips, region in by_county.items():
        if region in members and fips in counties:
            members[region].append(counties[fips])
    return {region: shapely.orient_polygons(shapely.union_all(parts))
            for region, parts in members.items() if parts}


@cache
def _county_outlines() -> dict[str, shapely.Geometry]:
    return _oriented(geodata.county_outlines())


@cache
def _state_outlines() -> dict[str, shapely.Geometry]:
    return _oriented(geodata.state_outlines())


def _oriented(outlines: Mapping[str, shapely.Geometry]) -> dict[str, shapely.Geometry]:
    """RFC 7946 winding: exterior rings counter-clockwise, holes clockwise."""
    geometries = shapely.orient_polygons(np.array(list(outlines.values()), dtype=object))
    return dict(zip(outlines, geometries.tolist(), strict=True))


def _geometry_json(geometry: shapely.Geometry | None) -> object:
    if geometry is None:
        return None
    return json.loads(shapely.to_geojson(geometry))

