"""Import time of the bundled snapshot, beside the import of the official files it is built
from, each into a fresh database, in one run.

    python bench/snapshot_import.py [--data DIR] [--repeat N]

Prints the median seconds of each over ``--repeat`` runs (default 3) and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from locator.importer import import_snapshot, import_sources
from locator.store import Store, open_store

REPO = Path(__file__).resolve().parents[1]
OFFICIAL = ("pls_fy2021_csv.zip", "CenPop2020_Mean_TR.txt", "CenPop2020_Mean_CO.txt")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        sources = Path(scratch) / "sources"
        sources.mkdir()
        for name in OFFICIAL:
            (sources / name).symlink_to(args.data.resolve() / name)
        snapshot_s = _median(args.repeat, Path(scratch), import_snapshot)
        official_s = _median(args.repeat, Path(scratch),
                             lambda store: import_sources(store, sources))
    print(f"snapshot import:       median {snapshot_s:.2f} s over {args.repeat} runs")
    print(f"official files import: median {official_s:.2f} s over {args.repeat} runs")
    print(f"snapshot / official:   {snapshot_s / official_s:.2f}")
    return 0


def _median(repeat: int, scratch: Path, load: Callable[[Store], object]) -> float:
    times = []
    for run in range(repeat):
        db = scratch / f"{id(load)}-{run}.db"
        with open_store(f"sqlite:///{db}") as store:
            started = time.perf_counter()
            load(store)
            times.append(time.perf_counter() - started)
    return statistics.median(times)


if __name__ == "__main__":
    sys.exit(main())
