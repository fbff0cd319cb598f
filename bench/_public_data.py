"""What every benchmark needs from the real public data: where it is, and a database of it.

The data folder defaults to ``../shared/data`` beside the checkout (benchmarks may read it;
product code never does) and can be named with ``--data``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from locator.importer import import_sources
from locator.store import open_store

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def add_data_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="folder holding the public data files (default: %(default)s)")


def require_data(data_dir: Path) -> None:
    if not data_dir.is_dir():
        print(f"public data folder not found: {data_dir}", file=sys.stderr)
        raise SystemExit(2)


@contextmanager
def imported_database(data_dir: Path) -> Iterator[str]:
    """The URL of a temporary database holding everything the importer finds in the folder."""
    with tempfile.TemporaryDirectory() as workdir:
        url = f"sqlite:///{Path(workdir) / 'bench.db'}"
        with open_store(url) as store:
            import_sources(store, data_dir)
        yield url
