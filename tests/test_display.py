"""Site text as people write it: upper-case survey text recased, typed text kept, the store
keeping the source, and every place a person reads it (list, detail, API, CLI) agreeing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from html_page import Elements
from web_sites import SITES, make_db

from locator.cli import main
from locator.display import display_text
from locator.sites import Kind, Site, Status
from locator.store import open_store
from web import create_app

CASES = [
    ("JOLIET PUBLIC LIBRARY", "Joliet Public Library"),
    ("150 NORTH OTTAWA STREET", "150 North Ottawa Street"),
    ("PO BOX 123", "PO Box 123"),
    ("P.O. BOX 9", "P.O. Box 9"),
    ("2201 W. 21ST ST.", "2201 W. 21st St."),
    ("813 WEST IL ROUTE 120", "813 West IL Route 120"),
    ("US HIGHWAY 34", "US Highway 34"),
    ("RR 2 BOX 5", "RR 2 Box 5"),
    ("300 SE 5TH STREET", "300 SE 5th Street"),
    ("MCHENRY PUBLIC LIBRARY DISTRICT", "McHenry Public Library District"),
    ("DEKALB PUBLIC LIBRARY", "DeKalb Public Library"),
    ("LASALLE PUBLIC LIBRARY", "LaSalle Public Library"),
    ("DUPAGE LIBRARY SYSTEM (DUPAGE)", "DuPage Library System (DuPage)"),
    ("LA GRANGE PUBLIC LIBRARY", "La Grange Public Library"),
    ("DEWITT COUNTY LIBRARY", "DeWitt County Library"),
    ("100 MACARTHUR BLVD", "100 MacArthur Blvd"),
    ("1 TOWN CTR, NORTH TWP", "1 Town Ctr, North Twp"),
    ("DEPUE PUBLIC LIBRARY", "DePue Public Library"),
    ("MCLEAN COUNTY UNIT", "McLean County Unit"),
    ("O'FALLON PUBLIC LIBRARY", "O'Fallon Public Library"),
    ("ST. CHARLES PUBLIC LIBRARY", "St. Charles Public Library"),
    ("MT. VERNON CITY LIBRARY", "Mt. Vernon City Library"),
    ("10 OAK CT", "10 Oak Ct"),
    ("POPE JOHN XXIII BRANCH", "Pope John XXIII Branch"),
    ("HENRY VIII HALL", "Henry VIII Hall"),
    ("DIX TOWNSHIP LIBRARY", "Dix Township Library"),
    ("LIBRARY IN THE PARK", "Library in the Park"),
    ("THE LIBRARY OF THE FALLS", "The Library of the Falls"),
    ("ALSIP-MERRIONETTE PARK LIBRARY DISTRICT", "Alsip-Merrionette Park Library District"),
    ("200 NORTH MEADOW LANE, SUITE 2", "200 North Meadow Lane, Suite 2"),
    # Typed by a person (any lower-case letter): kept exactly as typed.
    ("Joliet Public Library", "Joliet Public Library"),
    ("ABC Learning Center", "ABC Learning Center"),
    ("127 S. McLEAN BLVD", "127 S. McLEAN BLVD"),
    ("iLibrary", "iLibrary"),
    ("", ""),
    ("12345", "12345"),
]


@pytest.mark.parametrize(("source", "shown"), CASES)
def test_display_text_writes_upper_case_survey_text_as_people_do(source: str, shown: str) -> None:
    assert display_text(source) == shown


UPPER = Site("lib-upper", "JOLIET PUBLIC LIBRARY", Kind.LIBRARY, 39.8010, -89.6490,
             address="150 NORTH OTTAWA STREET", city="JOLIET", state="IL", zip="60432",
             organization="JOLIET PUBLIC LIBRARY DISTRICT", status=Status.APPROVED)


@pytest.fixture()
def upper_db(tmp_path: Path) -> str:
    return make_db(tmp_path, (*SITES, UPPER))


def test_store_keeps_the_source_text(upper_db: str) -> None:
    with open_store(upper_db) as store:
        stored = store.site(UPPER.id)
    assert (stored.name, stored.address, stored.city) == (UPPER.name, UPPER.address, UPPER.city)


def test_list_detail_and_api_show_the_display_text(upper_db: str) -> None:
    client = create_app({"DATABASE_URL": upper_db, "TESTING": True}).test_client()
    listing = Elements(client.get("/?lat=39.8010&lon=-89.6490&k=1").get_data(as_text=True))
    assert listing.all("li", **{"class": "result"})[0]["data-name"] == "Joliet Public Library"
    assert "150 North Ottawa Street, Joliet, IL 60432" in listing.plain_text
    assert "JOLIET" not in listing.plain_text
    detail = Elements(client.get(f"/sites/{UPPER.id}").get_data(as_text=True))
    assert "Joliet Public Library District" in detail.plain_text
    assert "JOLIET" not in detail.plain_text
    row = client.get("/api/nearest?lat=39.8010&lon=-89.6490&k=1").get_json()["results"][0]
    assert (row["name"], row["address"], row["city"]) == (
        "Joliet Public Library", "150 North Ottawa Street", "Joliet")
    marker = client.get("/api/clusters?bbox=-89.66,39.79,-89.64,39.81&zoom=18").get_json()
    names = {f["properties"].get("name") for f in marker["features"]}
    assert "Joliet Public Library" in names and UPPER.name not in names


def test_cli_table_shows_the_display_text(upper_db: str, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LOCATOR_DATABASE_URL", upper_db)
    assert main(["nearest", "39.8010, -89.6490", "-k", "1"]) == 0
    table = capsys.readouterr().out
    assert "Joliet Public Library [library]" in table
    assert "150 North Ottawa Street, Joliet, IL 60432" in table
    assert main(["nearest", "39.8010, -89.6490", "-k", "1", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["results"][0]["name"] == "Joliet Public Library"
