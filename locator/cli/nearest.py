"""``locator nearest``: the nearest sites to a place, from the command line."""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import sys
from pathlib import Path

from locator.cli import add_command
from locator.config import Settings
from locator.errors import InvalidInput, LocatorError
from locator.geocode import default_geocoder
from locator.open_at import Moment, Opening, parse_moment
from locator.search import DEFAULT_K, NearestAnswer, find_nearest, public_filter, site_json
from locator.sites import Status
from locator.spatial import MAX_K, Catalog
from locator.store import Store, open_store

FORMATS = ("table", "json", "geojson", "csv", "html")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers, "nearest",
        help="List the sites nearest to a ZIP, city, county, address with ZIP, or 'lat, lon'.",
        example="locator nearest 62701 -k 5 --kind library bookmobile --within 25 --format json\n"
                "  locator nearest 'Joliet, IL' -k 10 --format html -o joliet.html",
    )
    parser.add_argument("query", nargs="+", metavar="QUERY",
                        help="where to search from, e.g. 60601, 'Peoria, IL', '41.88, -87.63'")
    parser.add_argument("-k", type=int, default=DEFAULT_K, metavar="N",
                        help=f"how many sites to list (1-{MAX_K}, default {DEFAULT_K})")
    parser.add_argument("--kind", nargs="+", default=[], metavar="KIND",
                        help="only these kinds, e.g. --kind library bookmobile")
    parser.add_argument("--program", metavar="P", help="only sites offering this program")
    parser.add_argument("--within", type=float, metavar="MILES",
                        help="only sites within this straight-line distance")
    parser.add_argument("--at", metavar="ISO",
                        help="say which sites are open at this ISO 8601 moment (default: now); "
                        "without an offset it is read in each site's own time zone")
    parser.add_argument("--open", action="store_true",
                        help="only sites open at that moment (unknown hours are left out)")
    parser.add_argument("--format", choices=FORMATS, default="table",
                        help="html: a self-contained map file that opens with no internet "
                             "(needs -o)")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="write to this file instead of the terminal")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    site_filter = public_filter(args.kind, args.program)
    moment = parse_moment(args.at) if args.at else Moment.now()
    place = default_geocoder().geocode(" ".join(args.query))
    if args.format == "html" and args.output is None:
        raise InvalidInput("a map file is a whole web page: name it with -o FILE.html",
                           code="output_required", parameter="output")
    with open_store(Settings.from_env().database_url) as store:
        catalog = load_catalog(store)
        answer = find_nearest(catalog, place, k=args.k, site_filter=site_filter,
                              within_mi=args.within, moment=moment, open_only=args.open,
                              spatial=store.spatial(catalog))
    if args.output is None:
        WRITERS[args.format](answer)
        return 0
    with contextlib.redirect_stdout(io.StringIO()) as text:
        WRITERS[args.format](answer)
    args.output.write_text(text.getvalue(), encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


def load_catalog(store: Store) -> Catalog:
    sites = store.sites(statuses=[Status.APPROVED])
    if not sites:
        raise LocatorError(
            "no sites are loaded: run `locator data fetch` and `locator data import` "
            "(or put the source files in the sources folder first)", code="no_sites"
        )
    return Catalog(sites)


def _write_json(answer: NearestAnswer) -> None:
    json.dump(answer.to_json(), sys.stdout, indent=2, ensure_ascii=False)
    print()


def _write_geojson(answer: NearestAnswer) -> None:
    features = [
        {"type": "Feature", "id": row["id"],
         "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
         "properties": row}
        for row in (site_json(n.site, distance_mi=n.distance_mi) for n in answer.results)
    ]
    json.dump({"type": "FeatureCollection", "query": answer.query.to_json(),
               "features": features}, sys.stdout, indent=2, ensure_ascii=False)
    print()


CSV_COLUMNS = ("id", "name", "kind", "address", "city", "state", "zip", "county_fips",
               "lat", "lon", "distance_mi", "phone", "website")


def _write_csv(answer: NearestAnswer) -> None:
    writer = csv.DictWriter(sys.stdout, fieldnames=CSV_COLUMNS, extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    for nearby in answer.results:
        writer.writerow(site_json(nearby.site, distance_mi=nearby.distance_mi))


def _write_table(answer: NearestAnswer) -> None:
    query = answer.query
    print(f"Nearest to {query.label} ({query.precision.value}; {query.lat:.5f}, {query.lon:.5f})")
    if not answer.results:
        print("No sites match.")
        return
    print("Distances are straight-line miles.")
    openings = answer.openings or (None,) * len(answer.results)
    for rank, (nearby, opening) in enumerate(zip(answer.results, openings, strict=True), 1):
        site = nearby.site
        place = ", ".join(p for p in (site.display_address, site.display_city, site.state) if p)
        print(f"{rank:>3}. {nearby.distance_mi:7.2f} mi  {site.display_name} [{site.kind.value}]")
        print(f"               {place} {site.zip}".rstrip() + f"  (id {site.id})")
        if opening is not None:
            print(f"               {_opening_line(opening)}")


def _opening_line(opening: Opening) -> str:
    if opening.open is None:
        return "hours unknown: call ahead"
    state = "open" if opening.open else "closed"
    if opening.next_change is None:
        return state
    return f"{state} until {opening.next_change:%a %Y-%m-%d %H:%M %Z}"


def _write_html(answer: NearestAnswer) -> None:
    # Imported here: folium lives outside the core library, and only this format needs it.
    from mapfile.maps import nearest_map_html

    sys.stdout.write(nearest_map_html(answer))


WRITERS = {"table": _write_table, "json": _write_json, "geojson": _write_geojson,
           "csv": _write_csv, "html": _write_html}

