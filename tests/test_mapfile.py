"""Standalone map files (``--format html``): one page with every asset inlined, site text
kept as text, and the same answers as the other formats."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_coverage_cli import small_db  # noqa: F401 (a fixture)
from web_sites import PUBLIC_SITES, XSS_NAME, make_db

from locator.cli import main
from locator.places import Place, Precision
from locator.search import find_nearest
from locator.spatial import Catalog
from mapfile.maps import nearest_map_html

# Anything the markup would fetch: script or image sources, stylesheets, CSS urls, imports
# (script bodies are left out first: Leaflet's code speaks of URLs it is never given here).
FETCHES = re.compile(r"<script[^>]+src=|<link[^>]+href=|<img[^>]+src=|url\((?!data:|#)|@import",
                     re.IGNORECASE)
SCRIPT_BODY = re.compile(r"(<script[^>]*>).*?</script>", re.DOTALL | re.IGNORECASE)


def fetches(html: str) -> list[str]:
    return FETCHES.findall(SCRIPT_BODY.sub(r"\1</script>", html))


def springfield_answer(k: int = 5):
    place = Place("Springfield, IL", 39.80, -89.64, Precision.CITY, state="IL")
    return find_nearest(Catalog(list(PUBLIC_SITES)), place, k=k)


def test_nearest_map_file_fetches_nothing() -> None:
    html = nearest_map_html(springfield_answer())
    assert fetches(html) == []
    assert "L.map(" in html and "Leaflet" in html  # Leaflet itself is inside the page
    for cdn in ("cdn.jsdelivr.net", "code.jquery.com", "cdnjs.cloudflare.com", "bootstrapcdn"):
        assert cdn not in html


def test_nearest_map_file_keeps_site_text_out_of_the_markup() -> None:
    markup_site = next(s for s in PUBLIC_SITES if s.name == XSS_NAME)
    place = Place("here", markup_site.lat, markup_site.lon, Precision.POINT)
    html = nearest_map_html(find_nearest(Catalog(list(PUBLIC_SITES)), place, k=3))
    assert XSS_NAME not in html  # only inside JSON strings, with < and > escaped
    assert json.dumps(XSS_NAME)[1:-1].replace("<", "\\u003c").replace(">", "\\u003e") in html


@pytest.fixture()
def env_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LOCATOR_DATABASE_URL", make_db(tmp_path))
    return tmp_path


def test_nearest_html_needs_an_output_file(env_db: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nearest", "39.80, -89.64", "--format", "html"]) == 2
    assert "-o FILE.html" in capsys.readouterr().err


def test_nearest_html_lists_the_same_sites_as_json(env_db: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = env_db / "map.html"
    assert main(["nearest", "39.80, -89.64", "-k", "4", "--format", "html", "-o", str(out)]) == 0
    assert main(["nearest", "39.80, -89.64", "-k", "4", "--format", "json"]) == 0
    expected = [r["id"] for r in json.loads(capsys.readouterr().out)["results"]]
    html = out.read_text(encoding="utf-8")
    assert [i for i in re.findall(r'"id": "([^"]+)"', html) if i in expected] == expected


def test_coverage_html_maps_every_area_of_the_report(small_db: str, tmp_path: Path,  # noqa: F811
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "coverage.html"
    args = ["coverage", "--state", "IL", "IN", "--within", "10"]
    assert main([*args, "--format", "html", "-o", str(out)]) == 0
    assert main([*args, "--format", "json"]) == 0
    areas = {row["area_id"] for row in json.loads(capsys.readouterr().out)["rows"]}
    html = out.read_text(encoding="utf-8")
    assert fetches(html) == []
    assert set(re.findall(r'"id": "(\d{5})"', html)) == areas
    assert "Within 10 mi" in html


def test_coverage_html_in_total_says_a_map_needs_areas(small_db: str, tmp_path: Path,  # noqa: F811
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "total.html"
    assert main(["coverage", "--within", "10", "--by", "total", "--format", "html",
                 "-o", str(out)]) == 2
    assert "needs areas with outlines" in capsys.readouterr().err
    assert not out.exists()
