"""Shared fixtures, named after the state they set up.

Real public data is read from ``../shared/data`` beside the checkout. Under ``CI=true`` a
missing folder is a failure, not a skip: CI must prove the real-data tests pass.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from locator.store import Store, open_store

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
IN_CI = os.environ.get("CI", "").lower() == "true"


def require_shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        message = f"real public data not found at {SHARED_DATA}"
        if IN_CI:
            pytest.fail(message + " (required under CI=true)")
        pytest.skip(message)
    return SHARED_DATA


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return require_shared_data()


@pytest.fixture(scope="session")
def national_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database holding every FY2021 PLS outlet and both Census 2020 population files,
    imported once per session through the real importer (from the official zip)."""
    from locator.importer import import_sources

    shared = require_shared_data()
    sources = tmp_path_factory.mktemp("national_sources")
    for name in ("pls_fy2021_csv.zip", "CenPop2020_Mean_TR.txt", "CenPop2020_Mean_CO.txt"):
        (sources / name).symlink_to(shared / name)
    url = f"sqlite:///{tmp_path_factory.mktemp('national_db') / 'locator.db'}"
    with open_store(url) as store:
        import_sources(store, sources)
    return url


@pytest.fixture
def fresh_store(tmp_path: Path) -> Store:
    with open_store(f"sqlite:///{tmp_path / 'locator.db'}") as store:
        yield store
