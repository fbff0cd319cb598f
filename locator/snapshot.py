"""The data snapshot bundled with the app (``geodata/snapshot/``), for a first start offline.

It holds the IMLS PLS FY2021 outlets and the Census 2020 centers of population in their
official layouts, so the ordinary importer reads it; ``geodata/snapshot/README.md`` gives
source, checksums and build command. An import from it is known by its checksum: the
import log records the sha256 of the file each source came from.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import geodata
from locator.store import ImportRecord

ARCHIVE_NAME = "locator-snapshot.zip"


def archive() -> Path:
    """The snapshot archive inside the installed package."""
    return geodata.path(f"snapshot/{ARCHIVE_NAME}")


@cache
def archive_sha256() -> str:
    return hashlib.sha256(archive().read_bytes()).hexdigest()


def is_from_snapshot(record: ImportRecord) -> bool:
    """Whether this import read the bundled snapshot rather than a source file."""
    return record.sha256 == archive_sha256()
