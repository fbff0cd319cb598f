"""Build the bundled data snapshot from the official IMLS and Census files.

    python geodata/build_snapshot.py --data DIR [--out DIR]   (default out: geodata/snapshot)

``DIR`` holds the official files, unchanged and under their published names (what
``locator data fetch --vintage FY2021`` downloads). Each input's sha256 is checked against
the published one. The snapshot is one zip archive whose members keep the official layouts,
so the ordinary importer reads it: the PLS outlet file cut to the columns the importer reads
(every row kept), and the two Census centers-of-population files as published.

The archive is deterministic: fixed member order, names, timestamps and permissions, and
DEFLATE at level 9. Building twice, here or on another machine with the same zlib, gives
the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

from locator.sources import _pls
from locator.sources._files import decode, sha256_of
from locator.sources.fetch import CENSUS_FILES, PLS_RELEASES

ARCHIVE = "locator-snapshot.zip"
PLS_VINTAGE = "FY2021"
# Member names carry the vintages, which the importer reads from them.
PLS_MEMBER = "pls_fy2021_outlets.csv"
# The zip format's earliest timestamp: the build time must not leak into the bytes.
MEMBER_TIME = (1980, 1, 1, 0, 0, 0)
UNIX_FILE_MODE = 0o644 << 16


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True,
                        help="folder holding the official files")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "snapshot",
                        help="output folder (default: geodata/snapshot)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    build(args.data, args.out / ARCHIVE)
    return 0


def build(data_dir: Path, archive: Path) -> None:
    """Write the snapshot archive from the official files in ``data_dir``."""
    pls = PLS_RELEASES[PLS_VINTAGE]
    members = [(PLS_MEMBER, pls_outlets(_checked(data_dir, pls.name, pls.sha256)))]
    members += [(official.name, _checked(data_dir, official.name, official.sha256))
                for official in CENSUS_FILES]
    with zipfile.ZipFile(archive, "w") as out:
        for name, data in members:
            out.writestr(_member(name), data, compress_type=zipfile.ZIP_DEFLATED,
                         compresslevel=9)


def pls_outlets(zip_bytes: bytes) -> bytes:
    """The outlet file inside a PLS zip, cut to the columns the importer reads."""
    text = decode(_outlet_member(zip_bytes), _pls.ENCODINGS)
    rows = csv.DictReader(io.StringIO(text))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_pls.COLUMNS)
    writer.writerows([row[column] for column in _pls.COLUMNS] for row in rows)
    return out.getvalue().encode(_pls.ENCODINGS[0])


def _outlet_member(zip_bytes: bytes) -> bytes:
    """The one member whose header is a PLS outlet layout (found by header, not by name)."""
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        for info in archive.infolist():
            data = archive.read(info)
            header = next(csv.reader([decode(data[:4096], _pls.ENCODINGS).split("\n")[0]]), [])
            if not info.is_dir() and _pls.matches([h.strip() for h in header]):
                return data
    raise SystemExit("the PLS zip holds no outlet file")


def _checked(data_dir: Path, name: str, sha256: str | None) -> bytes:
    path = data_dir / name
    if not path.is_file():
        raise SystemExit(f"{path} is missing: put the official file there "
                         "(`locator data fetch --vintage FY2021 --sources DIR`)")
    data = path.read_bytes()
    if sha256_of(data) != sha256:
        raise SystemExit(f"{path} has sha256 {sha256_of(data)}, not the published {sha256}")
    return data


def _member(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=MEMBER_TIME)
    info.create_system = 3  # Unix, whatever system builds it
    info.external_attr = UNIX_FILE_MODE
    return info


if __name__ == "__main__":
    sys.exit(main())
