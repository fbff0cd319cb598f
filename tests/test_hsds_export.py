"""``locator export hsds`` and reading its files back with ``locator data import``: valid
against the official HSDS 3.0 schemas and Frictionless, only approved places, stable ids,
and nothing a site holds lost on the way out and back in."""

from __future__ import annotations

import dataclasses
import json
import uuid
import zipfile
from pathlib import Path

import pytest
from hsds_standard import errors, official_package
from web_sites import SITES, make_db

from locator import hsds
from locator.cli import main
from locator.importer import import_sources
from locator.sites import CountySource, Kind, Site, Status
from locator.store import open_store
from locator.timezones import zone_name_at

WILL_COUNTY: dict = {"state": "IL", "county_fips": "17197",
                    "county_source": CountySource.SOURCE}
# Every field filled, and the cases the mapping treats specially: no organization, an
# organization named like its site, two sites of one organization, a temporarily closed
# site, text that is markup, non-Latin script and a tab.
ROUND_TRIP_SITES = (
    Site("lib-1", "Lincoln Library", Kind.LIBRARY, 39.8003, -89.6497,
         address="326 S 7th St", city="Springfield", state="IL", zip="62701",
         county_fips="17167", county_source=CountySource.SOURCE, phone="(217) 555-0101",
         website="https://library.example.org", hours="Mon-Thu 9-8, Fri-Sat 9-5",
         programs=frozenset({"public_computers", "wifi"}), source="file:sites.csv",
         source_id="lib-1", vintage="", last_verified="2026-03-01",
         partnership_types=frozenset({"joint_location", "signed_mou"}),
         contact="Ana Díaz, adult services"),
    Site("ajc-1", "Springfield Job Center", Kind.COMPREHENSIVE_CENTER, 39.7817, -89.6443,
         organization="Example Workforce Board", address="1 Example Plaza",
         city="Springfield", state="IL", zip="62703", county_fips="17167",
         county_source=CountySource.POINT_IN_POLYGON, phone="217 555 0102 ext. 4",
         programs=frozenset({"title_i_adult", "title_iii_wagner_peyser"}),
         source="careeronestop", source_id="AJC-0001", vintage="2026-01-15"),
    Site("aff-1", "Decatur Affiliate Office", Kind.AFFILIATE_CENTER, 39.8403, -88.9548,
         organization="Example Workforce Board", city="Decatur", state="IL", zip="62523",
         county_fips="17115", county_source=CountySource.SOURCE,
         programs=frozenset({"title_i_youth"}), source="careeronestop",
         source_id="AJC-0002", vintage="2026-01-15"),
    Site("mobile-1", "Mobile Center", Kind.MOBILE_CENTER, 39.9, -89.3,
         organization="Mobile Center", state="IL", county_fips="17167",
         county_source=CountySource.SOURCE, temporarily_closed=True,
         source="file:sites.csv", source_id="mobile-1"),
    Site("text-1", "<b>Bibliothèque</b> 図書館 \tمكتبة 📚", Kind.ACCESS_SITE, 39.7, -89.6,
         address="'; DROP TABLE sites; --", city="Chatham", state="IL", zip="62629",
         county_fips="17167", county_source=CountySource.SOURCE,
         hours="<script>alert(1)</script>", source="file:sites.csv", source_id="text-1"),
    # Hours in every form the schedule rows hold: split shifts and a federal-holiday
    # closure, past midnight and 24/7, dated exceptions, a dated visit, and a library that
    # is an access site too.
    Site("hours-1", "Split Shift Center", Kind.AFFILIATE_CENTER, 41.52, -88.08,
         hours="Mo-Fr 08:00-12:00,13:00-17:00; Sa 09:00-12:00; PH off",
         source="file:sites.csv", source_id="hours-1", **WILL_COUNTY),
    Site("hours-2", "Night Owl Access Site", Kind.ACCESS_SITE, 41.53, -88.09,
         hours="Fr-Sa 22:00-02:00", source="file:sites.csv", source_id="hours-2", **WILL_COUNTY),
    Site("hours-3", "Always Open Kiosk", Kind.DISSEMINATION_SITE, 41.54, -88.1,
         hours="24/7", source="file:sites.csv", source_id="hours-3", **WILL_COUNTY),
    Site("hours-4", "Holiday Library", Kind.LIBRARY, 41.55, -88.11,
         hours="Monday - Friday 8:00 AM - 4:30 PM; 2027 Dec 20-2028 Jan 02 off; "
               "2027 Jan 12 10:00-14:00",
         roles=frozenset({Kind.ACCESS_SITE}), source="file:sites.csv", source_id="hours-4",
         **WILL_COUNTY),
    Site("hours-5", "Mobile Stop", Kind.MOBILE_CENTER, 41.56, -88.12,
         organization="Will County Mobile Center", hours="2027 Jan 12 10:00-14:00",
         source="file:sites.csv", source_id="hours-5", **WILL_COUNTY),
)


def export(database_url: str, monkeypatch: pytest.MonkeyPatch, fmt: str, out: Path) -> None:
    monkeypatch.setenv("LOCATOR_DATABASE_URL", database_url)
    assert main(["export", "hsds", "--format", fmt, "-o", str(out)]) == 0


def imported(folder: Path, directory: Path) -> tuple[list[Site], object]:
    """The sites a fresh database holds after importing ``folder``, and the report."""
    with open_store(f"sqlite:///{directory / 'back.db'}") as store:
        report = import_sources(store, folder)
        return store.sites(), report


def as_stored(sites: tuple[Site, ...]) -> list[Site]:
    """The sites as the store gives them back: with the zone of their point."""
    return [s.replace(timezone=zone_name_at(s.lat, s.lon)) for s in sites]


@pytest.fixture
def round_trip_db(database_url: str) -> str:
    """The hand-made sites on each engine in turn."""
    with open_store(database_url) as store:
        store.upsert_sites(ROUND_TRIP_SITES)
    return database_url


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_hand_made_sites_come_back_field_for_field(
        round_trip_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    export(round_trip_db, monkeypatch, fmt, folder / "services.json" if fmt == "json"
           else folder)
    back, report = imported(folder, tmp_path)
    assert report.issues == ()
    assert {s.id: s for s in back} == {s.id: s for s in as_stored(ROUND_TRIP_SITES)}
    # Each source is restored as itself, not as "the HSDS file".
    assert {r.source for r in report.results} == {"file:sites.csv", "careeronestop"}


@pytest.mark.parametrize("sites", ["web", "round_trip"])
def test_every_exported_service_validates_against_the_official_schemas(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sites: str) -> None:
    out = tmp_path / "services.json"
    export(make_db(tmp_path, SITES if sites == "web" else ROUND_TRIP_SITES), monkeypatch,
           "json", out)
    services = json.loads(out.read_text(encoding="utf-8"))
    assert services, "nothing was exported"
    for service in services:
        # The compiled (fully nested) schema, and the per-object one whose $refs resolve
        # through the local registry.
        assert errors("compiled/service.json", service) == []
        assert errors("service.json", service) == []
        assert errors("organization.json", service["organization"]) == []
        location = service["service_at_locations"][0]["location"]
        assert errors("location.json", location) == []
        assert location["location_type"] == "physical"
        for row in service["schedules"]:
            assert errors("schedule.json", row) == []


def test_a_zipped_package_imports_like_the_folder(
        round_trip_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    export(round_trip_db, monkeypatch, "csv", tmp_path / "package")
    sources = tmp_path / "zipped"
    sources.mkdir()
    with zipfile.ZipFile(sources / "hsds.zip", "w") as archive:
        for path in (tmp_path / "package").iterdir():
            archive.write(path, f"directory/{path.name}")
    back, report = imported(sources, tmp_path)
    assert report.issues == ()
    assert {s.id: s for s in back} == {s.id: s for s in as_stored(ROUND_TRIP_SITES)}


def test_export_holds_approved_places_only(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    url = make_db(tmp_path)
    export(url, monkeypatch, "json", tmp_path / "services.json")
    export(url, monkeypatch, "csv", tmp_path / "package")
    services = json.loads((tmp_path / "services.json").read_text(encoding="utf-8"))
    approved = {hsds.service_id(s.id) for s in SITES if s.status is Status.APPROVED}
    hidden = {hsds.service_id(s.id) for s in SITES if s.status is not Status.APPROVED}
    assert hidden and approved
    assert {s["id"] for s in services} == approved
    package_text = "".join(p.read_text(encoding="utf-8")
                           for p in (tmp_path / "package").glob("*.csv"))
    for site in SITES:
        if site.status is not Status.APPROVED:
            assert site.name not in package_text
            assert hsds.service_id(site.id) not in package_text


def test_ids_are_uuids_stable_from_one_export_to_the_next(
        round_trip_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    export(round_trip_db, monkeypatch, "json", tmp_path / "a.json")
    export(round_trip_db, monkeypatch, "json", tmp_path / "b.json")
    first = (tmp_path / "a.json").read_bytes()
    assert first == (tmp_path / "b.json").read_bytes()
    services = json.loads(first)
    for site, service in zip(sorted(ROUND_TRIP_SITES, key=lambda s: s.id), services,
                             strict=True):
        expected = uuid.uuid5(uuid.uuid5(hsds.PROJECT_NAMESPACE, "service"), site.id)
        assert service["id"] == str(expected)
    organizations = {s["name"]: s["organization"]["id"] for s in services}
    # Two sites of one organization share it; a site naming none has one of its own, even
    # when another site's organization bears its name.
    assert organizations["Springfield Job Center"] == organizations["Decatur Affiliate Office"]
    assert organizations["Lincoln Library"] == hsds.own_organization_id("lib-1")
    assert organizations["Mobile Center"] != hsds.own_organization_id("mobile-1")


def test_the_package_has_one_csv_per_table_named_as_the_specification_names_them(
        round_trip_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    export(round_trip_db, monkeypatch, "csv", tmp_path)
    ours = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    official = {r["name"]: r for r in official_package()["resources"]}
    for resource in ours["resources"]:
        spec = official[resource["name"]]
        assert resource["path"] == spec["path"]
        header = (tmp_path / resource["path"]).read_text(encoding="utf-8").splitlines()[0]
        assert header.split(",") == [f["name"] for f in spec["schema"]["fields"]]
    assert {p.name for p in tmp_path.glob("*.csv")} == {r["path"] for r in ours["resources"]}


def test_kinds_programs_and_partnerships_are_attributes_of_the_projects_taxonomies(
        round_trip_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    export(round_trip_db, monkeypatch, "json", tmp_path / "services.json")
    services = json.loads((tmp_path / "services.json").read_text(encoding="utf-8"))
    library = next(s for s in services if s["name"] == "Lincoln Library")
    terms = {a["taxonomy_term"]["taxonomy"]: set() for a in library["attributes"]}
    for attribute in library["attributes"]:
        terms[attribute["taxonomy_term"]["taxonomy"]].add(attribute["taxonomy_term"]["code"])
    assert terms == {hsds.KIND_TAXONOMY.name: {"library"},
                     hsds.PROGRAM_TAXONOMY.name: {"public_computers", "wifi"},
                     hsds.PARTNERSHIP_TAXONOMY.name: {"joint_location", "signed_mou"},
                     hsds.RECORD_TAXONOMY.name: {"site_id", "hours_text", "contact"}}
    assert library["description"] == "Public library. Offers: Public computers; Wi-Fi."
    assert [(r["byday"], r["opens_at"], r["closes_at"]) for r in library["schedules"]] == [
        ("MO,TU,WE,TH", "09:00", "20:00"), ("FR,SA", "09:00", "17:00")]
    both = next(s for s in services if s["name"] == "Holiday Library")
    kinds = sorted((a["taxonomy_term"]["code"], a.get("value", "")) for a in both["attributes"]
                   if a["taxonomy_term"]["taxonomy"] == hsds.KIND_TAXONOMY.name)
    assert kinds == [("access_site", "role"), ("library", "")]


def test_a_service_the_locator_cannot_place_is_refused_with_its_reason(
        tmp_path: Path) -> None:
    service = hsds.service(ROUND_TRIP_SITES[0])
    no_kind = {**service, "attributes": [a for a in service["attributes"]
                                         if a["taxonomy_term_id"] not in
                                         {t.id for t in hsds.KIND_TERMS.values()}]}
    nowhere = {**hsds.service(ROUND_TRIP_SITES[1]), "service_at_locations": []}
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "third_party.json").write_text(json.dumps([no_kind, nowhere]), encoding="utf-8")
    back, report = imported(folder, tmp_path)
    assert back == []
    reasons = sorted(str(issue) for issue in report.issues)
    assert len(reasons) == 2
    assert "exactly one attribute" in reasons[0] and ":1:" in reasons[0]
    assert "has no location" in reasons[1] and ":2:" in reasons[1]


def test_export_refuses_a_file_for_a_package_and_a_folder_for_json(
        round_trip_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LOCATOR_DATABASE_URL", round_trip_db)
    (tmp_path / "file.csv").write_text("x", encoding="utf-8")
    assert main(["export", "hsds", "--format", "csv", "-o", str(tmp_path / "file.csv")]) == 2
    assert main(["export", "hsds", "--format", "json", "-o", str(tmp_path)]) == 2
    assert "writes a folder" in capsys.readouterr().err


# -- the national data --------------------------------------------------------------------

@pytest.fixture(scope="module")
def national_export(national_db_url: str, tmp_path_factory: pytest.TempPathFactory,
                    ) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("national_hsds")
    with pytest.MonkeyPatch.context() as monkeypatch:
        export(national_db_url, monkeypatch, "json", folder / "json" / "services.json")
        export(national_db_url, monkeypatch, "csv", folder / "package")
    return folder / "json", folder / "package"


@pytest.fixture(scope="module")
def national_sites(national_db_url: str) -> dict[str, Site]:
    with open_store(national_db_url) as store:
        return {s.id: s for s in store.sites(statuses=[Status.APPROVED])}


@pytest.mark.slow
@pytest.mark.parametrize("which", ["json", "package"])
def test_national_data_round_trips_without_loss(
        national_export: tuple[Path, Path], national_sites: dict[str, Site], which: str,
        tmp_path: Path) -> None:
    folder = national_export[0] if which == "json" else national_export[1]
    back, report = imported(folder, tmp_path)
    assert report.issues == ()
    assert len(back) == len(national_sites) > 17_000
    lost = [(site.id, name) for site in back
            for name in (f.name for f in dataclasses.fields(Site))
            if getattr(site, name) != getattr(national_sites[site.id], name)]
    assert lost == []
    assert {(r.source, r.vintage) for r in report.results} == {("imls_pls", "FY2021")}


@pytest.mark.slow
def test_importing_the_export_into_its_own_database_changes_nothing(
        national_export: tuple[Path, Path], national_db_url: str, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    copy.write_bytes(Path(national_db_url.removeprefix("sqlite:///")).read_bytes())
    with open_store(f"sqlite:///{copy}") as store:
        before = store.sites()
        report = import_sources(store, national_export[0])
        assert [(r.added, r.changed, r.removed) for r in report.results] == [(0, 0, 0)]
        assert store.sites() == before


def nested_lists(value: object, key: str) -> list[list]:
    """Every list under ``key`` anywhere in a JSON document."""
    if isinstance(value, dict):
        found = [value[key]] if isinstance(value.get(key), list) else []
        return found + [x for k, v in value.items() if k != key for x in nested_lists(v, key)]
    if isinstance(value, list):
        return [x for item in value for x in nested_lists(item, key)]
    return []


# The forms of issue 11, given in turn to one national place in every HOURS_STRIDE.
NATIONAL_HOURS = (
    "Mo-Fr 08:30-17:00; Sa 09:00-12:00; PH off",
    "Mon-Fri 8:30am-5pm",
    "M,W 9-12; Tu 1-4pm",
    "Monday - Friday 8:00 AM - 4:30 PM",
    "Fr-Sa 22:00-02:00",
    "24/7",
    "Mo-Fr 09:00-17:00; 2027 Dec 20-2028 Jan 02 off; 2027 Jan 12 10:00-14:00",
    "Tu 10:00-14:00; PH closed",
    "by appointment",
)
HOURS_STRIDE = 5


@pytest.mark.slow
def test_national_data_with_hours_in_every_form_round_trips_with_its_trail(
        national_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "copy.db"
    copy.write_bytes(Path(national_db_url.removeprefix("sqlite:///")).read_bytes())
    url = f"sqlite:///{copy}"
    with open_store(url) as store:
        sites = store.sites(statuses=[Status.APPROVED])
        with_hours = [site.replace(hours=NATIONAL_HOURS[n % len(NATIONAL_HOURS)])
                      for n, site in enumerate(sites[::HOURS_STRIDE])]
        store.upsert_sites(with_hours, actor="reviewer@example.org")
        expected = {s.id: s for s in store.sites(statuses=[Status.APPROVED])}
        changes = sum(len(c.fields) or 1 for c in store.history() if c.site_id in expected)
    export(url, monkeypatch, "json", tmp_path / "json" / "services.json")
    services = json.loads((tmp_path / "json" / "services.json").read_text(encoding="utf-8"))
    structured = [r for s in services for r in s["schedules"] if r.get("freq") == "WEEKLY"]
    assert len(structured) > len(with_hours)
    assert sum(len(rows) for rows in nested_lists(services, "metadata")) == changes
    (folder := tmp_path / "back").mkdir()
    for which in ("json", "package"):
        if which == "package":
            export(url, monkeypatch, "csv", tmp_path / "package")
        back, report = imported(tmp_path / which, folder)
        assert report.issues == ()
        assert {s.id: s for s in back} == expected, which
        (folder / "back.db").unlink()


# One national service in this many is validated: the hand-made sites above cover every
# shape the mapping writes, and a tenth of the real data (1,700 places) its real values,
# in a tenth of the time.
NATIONAL_SCHEMA_STRIDE = 10


@pytest.mark.slow
def test_national_services_validate_against_the_compiled_schema(
        national_export: tuple[Path, Path]) -> None:
    services = json.loads((national_export[0] / "services.json").read_text(encoding="utf-8"))
    sample = services[::NATIONAL_SCHEMA_STRIDE]
    assert len(sample) > 1_700
    invalid = {s["id"]: found for s in sample if (found := errors("compiled/service.json", s))}
    assert invalid == {}


# -- Frictionless -------------------------------------------------------------------------

def official_descriptor_for(folder: Path) -> dict:
    """The specification's own table schemas for the tables the folder holds, keeping the
    foreign keys among them (a key into a table the locator does not write has nothing to
    point at)."""
    ours = {r["name"] for r in json.loads((folder / "datapackage.json").read_text(
        encoding="utf-8"))["resources"]}
    resources = []
    for resource in official_package()["resources"]:
        if resource["name"] not in ours:
            continue
        schema = dict(resource["schema"])
        schema["foreignKeys"] = [k for k in schema.get("foreignKeys", [])
                                 if k["reference"]["resource"] in ours]
        resources.append({**resource, "schema": schema})
    return {"name": "hsds_official", "profile": "tabular-data-package",
            "resources": resources}


def frictionless_errors(folder: Path, descriptor: dict | None = None) -> list[str]:
    from frictionless import Package, system

    with system.use_context(trusted=False):
        package = (Package(folder / "datapackage.json") if descriptor is None
                   else Package(descriptor, basepath=str(folder)))
        report = package.validate()
    return [f"{task.name}: {error.message}" for task in report.tasks
            for error in task.errors] + [error.message for error in report.errors]


@pytest.mark.parametrize("sites", ["web", "round_trip"])
def test_the_package_passes_frictionless_with_its_own_and_the_official_schemas(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sites: str) -> None:
    export(make_db(tmp_path, SITES if sites == "web" else ROUND_TRIP_SITES), monkeypatch,
           "csv", tmp_path / "package")
    assert frictionless_errors(tmp_path / "package") == []
    official = official_descriptor_for(tmp_path / "package")
    assert {r["name"] for r in official["resources"]} >= {"service", "location",
                                                         "taxonomy_term"}
    assert frictionless_errors(tmp_path / "package", official) == []


def test_frictionless_reports_a_broken_package(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: a service pointing at no organization is caught."""
    folder = tmp_path / "package"
    export(make_db(tmp_path), monkeypatch, "csv", folder)
    services = folder / "services.csv"
    header, first, rest = services.read_bytes().decode("utf-8").split("\r\n", 2)
    broken = first.replace(first.split(",")[1], str(uuid.uuid4()))
    services.write_bytes("\r\n".join([header, broken, rest]).encode("utf-8"))
    found = frictionless_errors(folder, official_descriptor_for(folder))
    assert any("foreign" in line.lower() for line in found), found


@pytest.mark.slow
def test_the_national_package_passes_frictionless_with_the_official_schemas(
        national_export: tuple[Path, Path]) -> None:
    package = national_export[1]
    assert frictionless_errors(package, official_descriptor_for(package)) == []


def test_an_export_beside_the_files_it_came_from_is_passed_over(
        round_trip_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The JSON and the package hold the same sources and vintages: one of each is read."""
    folder = tmp_path / "both"
    export(round_trip_db, monkeypatch, "json", folder / "services.json")
    export(round_trip_db, monkeypatch, "csv", folder / "package")
    back, report = imported(folder, tmp_path)
    assert {s.id: s for s in back} == {s.id: s for s in as_stored(ROUND_TRIP_SITES)}
    assert sorted(r.source for r in report.results) == ["careeronestop", "file:sites.csv"]
    same = [why for _, why in report.passed_over if why.startswith("same source and vintage")]
    assert len(same) == 2
