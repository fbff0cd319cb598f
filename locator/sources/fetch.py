"""Download the official public files into the sources folder, checking each one's sha256.

This is the only code in the project that uses the network. Without it, the folder can be
filled by hand: ``manual_instructions`` says which files to put where.
"""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from locator.errors import LocatorError

CHUNK_BYTES = 256 * 1024
TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class OfficialFile:
    """A published file: where it lives and what its bytes must hash to."""

    name: str
    url: str
    sha256: str
    size_bytes: int
    description: str


# Checksums are those of the files as published (see MANIFEST.md of the data folder).
OFFICIAL_FILES: tuple[OfficialFile, ...] = (
    OfficialFile(
        "pls_fy2021_csv.zip",
        # Linked from https://www.imls.gov/research-evaluation/data-collection/public-libraries-survey
        "https://www.imls.gov/sites/default/files/2023-06/pls_fy2021_csv.zip",
        "9eddb56f78f6b7a1eb117e22d70e418ef2c7754b2221f919a6d0e36902265fe3",
        3_272_035,
        "IMLS Public Libraries Survey FY2021, CSV zip (library outlets)",
    ),
    OfficialFile(
        "CenPop2020_Mean_TR.txt",
        "https://www2.census.gov/geo/docs/reference/cenpop2020/tract/CenPop2020_Mean_TR.txt",
        "137d5b7bc8139a385c2022f54a9aca00ea56bc5ad81c936cf8134e977d50d2c5",
        3_583_604,
        "Census 2020 centers of population by tract",
    ),
    OfficialFile(
        "CenPop2020_Mean_CO.txt",
        "https://www2.census.gov/geo/docs/reference/cenpop2020/county/CenPop2020_Mean_CO.txt",
        "9a0dc0cb0acbc3327e4429ec8fcfc94b01db756cb7b7d52ec958c332fa97f706",
        171_273,
        "Census 2020 centers of population by county",
    ),
)
PLS_PAGE = "https://www.imls.gov/research-evaluation/data-collection/public-libraries-survey"

# (file name, bytes so far, bytes expected)
DownloadProgress = Callable[[str, int, int], None]


class Unreachable(LocatorError):
    """The host could not be reached; the message says how to fill the folder by hand."""


class ChecksumMismatch(LocatorError):
    pass


@dataclass(frozen=True, slots=True)
class Fetched:
    name: str
    path: Path
    downloaded: bool  # False when a file with the right checksum was already there


def fetch_official(folder: Path, *, files: Sequence[OfficialFile] | None = None,
                   mirror: str | None = None,
                   progress: DownloadProgress | None = None) -> list[Fetched]:
    """Make sure every official file (or each of ``files``) is in ``folder`` with the right
    checksum.

    ``mirror`` replaces each file's host and path with ``<mirror>/<name>``, for a copy kept
    on a local network.
    """
    files = OFFICIAL_FILES if files is None else files
    folder.mkdir(parents=True, exist_ok=True)
    wanted = [replace(f, url=f"{mirror.rstrip('/')}/{f.name}") if mirror else f for f in files]
    return [_fetch_one(folder, official, files, progress) for official in wanted]


def manual_instructions(folder: Path, files: Sequence[OfficialFile] = OFFICIAL_FILES) -> str:
    lines = [f"To fill the folder by hand, download these files on a machine with internet "
             f"access and copy them, unchanged and under these names, into {folder}/:"]
    for official in files:
        lines.append(f"  {official.name:<24} {official.description}")
        lines.append(f"  {'':<24} {official.url}")
        lines.append(f"  {'':<24} sha256 {official.sha256}")
    lines.append(f"(If the IMLS address has moved, the FY2021 CSV zip is linked from {PLS_PAGE}.)")
    lines.append("Then run: locator data import")
    return "\n".join(lines)


def _fetch_one(folder: Path, official: OfficialFile, published: Sequence[OfficialFile],
               progress: DownloadProgress | None) -> Fetched:
    target = folder / official.name
    if target.is_file() and _sha256_of_file(target) == official.sha256:
        return Fetched(official.name, target, downloaded=False)
    partial = target.with_name(target.name + ".part")
    try:
        digest = _download(official, partial, progress)
    except (urllib.error.URLError, OSError) as error:
        partial.unlink(missing_ok=True)
        host = urlsplit(official.url).netloc or official.url
        reason = getattr(error, "reason", error)
        raise Unreachable(
            f"could not download {official.name}: could not reach {host} ({reason}).\n"
            + manual_instructions(folder, published), code="unreachable"
        ) from None
    if digest != official.sha256:
        partial.unlink(missing_ok=True)
        raise ChecksumMismatch(
            f"{official.name} from {official.url} has sha256 {digest}, expected "
            f"{official.sha256}: the file was not saved. The publisher may have replaced it; "
            "check the address, or fill the folder by hand.\n"
            + manual_instructions(folder, published), code="checksum_mismatch"
        )
    partial.replace(target)
    return Fetched(official.name, target, downloaded=True)


def _download(official: OfficialFile, partial: Path, progress: DownloadProgress | None) -> str:
    digest = hashlib.sha256()
    done = 0
    request = urllib.request.Request(official.url, headers={"User-Agent": "workforce-locator"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response, \
            partial.open("wb") as out:
        expected = int(response.headers.get("Content-Length") or official.size_bytes)
        while chunk := response.read(CHUNK_BYTES):
            out.write(chunk)
            digest.update(chunk)
            done += len(chunk)
            if progress is not None:
                progress(official.name, done, expected)
    return digest.hexdigest()


def _sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()
