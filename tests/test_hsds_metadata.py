"""The audit trail as HSDS 3.0 ``metadata``: every change the store recorded to a place is
in the export, once, on the object that holds the field, valid against the official
schemas and Frictionless; importing never writes it back into the trail."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import orjson
import pytest
from hsds_standard import errors
from test_hsds_export import export, frictionless_errors, official_descriptor_for

from locator import hsds
from locator.importer import import_sources
from locator.sites import CountySource, Kind, Site, Status
from locator.store import open_store

LIBRARY = Site("lib-1", "Lincoln Library", Kind.LIBRARY, 39.8003, -89.6497,
               address="326 S 7th St", city="Springfield", state="IL", zip="62701",
               county_fips="17167", county_source=CountySource.SOURCE,
               source="file:sites.csv", source_id="lib-1",
               timezone="America/Chicago")  # as the store derives it from the point
CHANGED = LIBRARY.replace(name="Lincoln Public Library", lat=39.8004,
                          address="326 South 7th Street", phone="(217) 555-0101",
                          hours="Mon-Fri 9-5", programs=frozenset({"wifi"}))
PENDING = Site("pending-1", "Pending Partner Site", Kind.ACCESS_SITE, 39.79, -89.64,
               status=Status.PENDING, source="file:sites.csv", source_id="pending-1")
REVIEWER, ADMIN = "reviewer@example.org", "admin@example.org"


@pytest.fixture
def changed_db(database_url: str) -> str:
    """On each engine: a library imported, changed by a reviewer, retired and listed again
    by an admin; and a pending site, never exported."""
    with open_store(database_url) as store:
        store.upsert_sites([LIBRARY, PENDING], actor="import")
        store.upsert_sites([CHANGED], actor=REVIEWER)
        store.set_status([LIBRARY.id], Status.RETIRED, actor=ADMIN)
        store.set_status([LIBRARY.id], Status.APPROVED, actor=ADMIN)
    return database_url


def history_rows(database_url: str) -> list[tuple[str, str, str, str, str, str]]:
    """The reference: the store's change log of the library, one row per changed field."""
    with open_store(database_url) as store:
        log = store.history(LIBRARY.id)
    return [(c.changed_at, c.action, name, orjson.dumps(old).decode(),
             orjson.dumps(new).decode(), c.actor)
            for c in log for name, (old, new) in (c.fields or {"id": [None, LIBRARY.id]}).items()]


def nested_metadata(service: dict) -> dict[str, list[dict]]:
    """Resource type -> the metadata nested on the objects of that type."""
    location = service["service_at_locations"][0]["location"]
    return {"service": service.get("metadata", []),
            "location": location.get("metadata", []),
            "address": location["addresses"][0].get("metadata", []),
            "phone": service["phones"][0].get("metadata", [])}


def test_every_change_is_metadata_on_the_object_that_holds_the_field(
        changed_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    export(changed_db, monkeypatch, "json", tmp_path / "services.json")
    (service,) = json.loads((tmp_path / "services.json").read_text(encoding="utf-8"))
    nested = nested_metadata(service)
    fields = {kind: [row["field_name"] for row in rows] for kind, rows in nested.items()}
    assert fields == {"service": ["id", "name", "hours", "programs", "status", "status"],
                      "location": ["lat"], "address": ["address"], "phone": ["phone"]}
    for kind, rows in nested.items():
        holder = {"service": service, "location": service["service_at_locations"][0]["location"],
                  "address": service["service_at_locations"][0]["location"]["addresses"][0],
                  "phone": service["phones"][0]}[kind]
        assert {(row["resource_type"], row["resource_id"]) for row in rows} == {
            (kind, holder["id"])}
        for row in rows:
            assert errors("metadata.json", row) == []
    assert errors("compiled/service.json", service) == []
    everything = sorted((r["last_action_date"], r["last_action_type"], r["field_name"],
                         r["previous_value"], r["replacement_value"], r["updated_by"])
                        for rows in nested.values() for r in rows)
    assert everything == sorted(history_rows(changed_db))
    by_field = {row["field_name"]: row for row in nested["service"][:4]}
    assert (by_field["name"]["previous_value"], by_field["name"]["replacement_value"],
            by_field["name"]["updated_by"], by_field["name"]["last_action_type"]) == (
        '"Lincoln Library"', '"Lincoln Public Library"', REVIEWER, "update")
    assert by_field["programs"]["replacement_value"] == '["wifi"]'
    assert [(r["previous_value"], r["replacement_value"], r["updated_by"])
            for r in nested["service"][4:]] == [('"approved"', '"retired"', ADMIN),
                                                ('"retired"', '"approved"', ADMIN)]
    assert nested["location"][0]["replacement_value"] == "39.8004"


def test_metadata_csv_holds_the_same_rows_and_passes_frictionless(
        changed_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    export(changed_db, monkeypatch, "json", tmp_path / "services.json")
    export(changed_db, monkeypatch, "csv", tmp_path / "package")
    (service,) = json.loads((tmp_path / "services.json").read_text(encoding="utf-8"))
    nested = [{**row, "last_action_date": row["last_action_date"][:10]}
              for rows in nested_metadata(service).values() for row in rows]
    table = list(csv.DictReader(io.StringIO(
        (tmp_path / "package" / "metadata.csv").read_text(encoding="utf-8"), newline="")))
    assert sorted(table, key=lambda r: r["id"]) == sorted(nested, key=lambda r: r["id"])
    descriptor = json.loads((tmp_path / "package" / "datapackage.json").read_text("utf-8"))
    assert {"name": "metadata", "path": "metadata.csv"}.items() <= next(
        r for r in descriptor["resources"] if r["name"] == "metadata").items()
    assert frictionless_errors(tmp_path / "package") == []
    official = official_descriptor_for(tmp_path / "package")
    assert "metadata" in {r["name"] for r in official["resources"]}
    assert frictionless_errors(tmp_path / "package", official) == []
    assert PENDING.name not in (tmp_path / "package" / "metadata.csv").read_text("utf-8")


def test_a_change_to_a_never_blank_value_is_caught_by_frictionless(
        changed_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: a blank previous_value breaks the official table."""
    folder = tmp_path / "package"
    export(changed_db, monkeypatch, "csv", folder)
    path = folder / "metadata.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",null,", ",,", 1),
                    encoding="utf-8")
    found = frictionless_errors(folder, official_descriptor_for(folder))
    assert any("previous_value" in line for line in found), found


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_importing_never_writes_a_file_s_metadata_into_the_trail(
        changed_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    """A file whose metadata claims other authors: the import records only itself."""
    folder = tmp_path / "export"
    export(changed_db, monkeypatch, fmt, folder / "services.json" if fmt == "json" else folder)
    for path in folder.iterdir():
        if path.suffix in (".json", ".csv") and path.name != "datapackage.json":
            path.write_text(path.read_text(encoding="utf-8").replace(REVIEWER, "mallory"),
                            encoding="utf-8")
    assert "mallory" in "".join(p.read_text(encoding="utf-8") for p in folder.iterdir())
    with open_store(f"sqlite:///{tmp_path / 'back.db'}") as store:
        report = import_sources(store, folder)
        assert report.issues == ()
        assert store.site(LIBRARY.id) == CHANGED
        assert [(c.actor, c.action) for c in store.history(LIBRARY.id)] == [("import", "add")]
        assert all(c.actor != "mallory" for c in store.history())


def test_metadata_rows_of_an_unchanged_export_keep_their_ids(
        changed_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    export(changed_db, monkeypatch, "json", tmp_path / "a.json")
    with open_store(changed_db) as store:
        store.upsert_sites([CHANGED.replace(website="https://library.example.org")],
                           actor=REVIEWER)
    export(changed_db, monkeypatch, "json", tmp_path / "b.json")
    (before,) = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    (after,) = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert after["metadata"][:-1] == before["metadata"]
    assert after["metadata"][-1]["field_name"] == "website"
    assert hsds.service_id(LIBRARY.id) == after["id"]
