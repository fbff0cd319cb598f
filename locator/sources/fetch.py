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

from locator.errors import InvalidInput, LocatorError

CHUNK_BYTES = 256 * 1024
TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class OfficialFile:
    """A published file: where it lives and what its bytes must hash to (``sha256`` None:
    not known before the first download; ``size_bytes`` 0: not known)."""

    name: str
    url: str
    sha256: str | None
    size_bytes: int
    description: str


def _pls(vintage: str, published: str, sha256: str | None = None, size_bytes: int = 0,
         ) -> OfficialFile:
    year = vintage.removeprefix("FY")
    return OfficialFile(
        f"pls_fy{year}_csv.zip",
        f"https://www.imls.gov/sites/default/files/{published}/pls_fy{year}_csv.zip",
        sha256, size_bytes,
        f"IMLS Public Libraries Survey {vintage}, CSV zip (library outlets)",
    )


# Linked from the IMLS PLS page. Only FY2021's checksum is known here (MANIFEST.md of the
# data folder); for later vintages the sha256 seen at the first download is recorded in
# the sources folder and later downloads must match it.
PLS_RELEASES: dict[str, OfficialFile] = {
    "FY2021": _pls("FY2021", "2023-06",
                   "9eddb56f78f6b7a1eb117e22d70e418ef2c7754b2221f919a6d0e36902265fe3",
                   3_272_035),
    "FY2022": _pls("FY2022", "2024-06"),
    "FY2023": _pls("FY2023", "2025-08"),
    "FY2024": _pls("FY2024", "2026-06"),
}
NEWEST_PLS = max(PLS_RELEASES)
CENSUS_FILES: tuple[OfficialFile, ...] = (
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
# The checksums seen at download of files whose publisher gives none, in `sha256sum`
# format (so `sha256sum -c SHA256SUMS` checks the folder).
CHECKSUM_LEDGER = "SHA256SUMS"


def official_files(vintage: str | None = None) -> tuple[OfficialFile, ...]:
    """The PLS zip of ``vintage`` (default: the newest) and the Census files."""
    vintage = (vintage or NEWEST_PLS).upper()
    if vintage not in PLS_RELEASES:
        raise InvalidInput("unknown PLS vintage '%(vintage)s'; known: %(known)s",
                           code="unknown_pls_vintage", parameter="vintage", vintage=vintage,
                           known=", ".join(PLS_RELEASES))
    return (PLS_RELEASES[vintage], *CENSUS_FILES)


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
    sha256: str
    # True when the publisher gives no checksum and this one was just written to the
    # folder's SHA256SUMS: later downloads of the file must match it.
    recorded: bool = False


def fetch_official(folder: Path, *, files: Sequence[OfficialFile] | None = None,
                   mirror: str | None = None, progress: DownloadProgress | None = None,
                   timeout_s: float = TIMEOUT_S,
                   accept_new_checksum: bool = False) -> list[Fetched]:
    """Make sure every official file (or each of ``files``) is in ``folder`` with the right
    checksum: the published one, else the one recorded at its first download.

    ``mirror`` replaces each file's host and path with ``<mirror>/<name>``, for a copy kept
    on a local network. ``timeout_s`` bounds each wait on the network (connecting, each
    read). ``accept_new_checksum`` keeps a download whose bytes differ from those recorded
    for the same file, and records the new checksum.
    """
    files = official_files() if files is None else files
    folder.mkdir(parents=True, exist_ok=True)
    wanted = [replace(f, url=f"{mirror.rstrip('/')}/{f.name}") if mirror else f for f in files]
    return [_fetch_one(folder, official, files, progress, timeout_s, accept_new_checksum)
            for official in wanted]


def manual_instructions(folder: Path, files: Sequence[OfficialFile] | None = None) -> str:
    files = official_files() if files is None else files
    lines = [f"To fill the folder by hand, download these files on a machine with internet "
             f"access and copy them, unchanged and under these names, into {folder}/:"]
    for official in files:
        lines.append(f"  {official.name:<24} {official.description}")
        lines.append(f"  {'':<24} {official.url}")
        lines.append(f"  {'':<24} sha256 {official.sha256 or '(not published)'}")
    lines.append(f"(If the IMLS address has moved, the PLS CSV zips are linked from {PLS_PAGE}.)")
    lines.append("Then run: locator data import")
    return "\n".join(lines)


def _fetch_one(folder: Path, official: OfficialFile, published: Sequence[OfficialFile],
               progress: DownloadProgress | None, timeout_s: float,
               accept_new: bool) -> Fetched:
    target = folder / official.name
    recorded = recorded_checksums(folder).get(official.name)
    expected = official.sha256 or recorded
    if target.is_file():
        present = _sha256_of_file(target)
        if present == expected:
            return Fetched(official.name, target, downloaded=False, sha256=present)
        if expected is None:
            # Put there by hand and never downloaded: the person vouches for it.
            _record_checksum(folder, official.name, present)
            return Fetched(official.name, target, False, present, recorded=True)
    partial = target.with_name(target.name + ".part")
    try:
        digest = _download(official, partial, progress, timeout_s)
    except (urllib.error.URLError, OSError) as error:
        partial.unlink(missing_ok=True)
        host = urlsplit(official.url).netloc or official.url
        reason = getattr(error, "reason", error)
        raise Unreachable(
            f"could not download {official.name}: could not reach {host} ({reason}).\n"
            + manual_instructions(folder, published), code="unreachable"
        ) from None
    _check_digest(official, digest, recorded, accept_new, partial, folder, published)
    partial.replace(target)
    if official.sha256 is None and digest != recorded:
        _record_checksum(folder, official.name, digest)
        return Fetched(official.name, target, True, digest, recorded=True)
    return Fetched(official.name, target, downloaded=True, sha256=digest)


def _check_digest(official: OfficialFile, digest: str, recorded: str | None, accept_new: bool,
                  partial: Path, folder: Path, published: Sequence[OfficialFile]) -> None:
    if official.sha256 is not None and digest != official.sha256:
        code = "checksum_mismatch"
        why = (f"expected {official.sha256}: the file was not saved. The publisher may have "
               "replaced it; check the address, or fill the folder by hand.")
    elif official.sha256 is None and recorded and digest != recorded and not accept_new:
        code = "checksum_changed"
        why = (f"but {recorded} was recorded in {folder / CHECKSUM_LEDGER} when it was "
               "first downloaded: the file was not saved. If the publisher has replaced it, "
               "run again with --accept-new-checksum.")
    else:
        return
    partial.unlink(missing_ok=True)
    raise ChecksumMismatch(f"{official.name} from {official.url} has sha256 {digest}, {why}\n"
                           + manual_instructions(folder, published), code=code)


def recorded_checksums(folder: Path) -> dict[str, str]:
    """File name -> sha256 from the folder's SHA256SUMS (empty if there is none)."""
    ledger = folder / CHECKSUM_LEDGER
    if not ledger.is_file():
        return {}
    pairs = (line.split(maxsplit=1) for line in ledger.read_text(encoding="utf-8").splitlines())
    return {name.lstrip("*"): digest for digest, name in (p for p in pairs if len(p) == 2)}


def _record_checksum(folder: Path, name: str, sha256: str) -> None:
    checksums = {**recorded_checksums(folder), name: sha256}
    (folder / CHECKSUM_LEDGER).write_text(
        "".join(f"{digest}  {file}\n" for file, digest in sorted(checksums.items())),
        encoding="utf-8")


def _download(official: OfficialFile, partial: Path, progress: DownloadProgress | None,
              timeout_s: float) -> str:
    digest = hashlib.sha256()
    done = 0
    request = urllib.request.Request(official.url, headers={"User-Agent": "workforce-locator"})
    with urllib.request.urlopen(request, timeout=timeout_s) as response, \
            partial.open("wb") as out:
        expected = int(response.headers.get("Content-Length") or official.size_bytes)
        while chunk := response.read(CHUNK_BYTES):
            out.write(chunk)
            digest.update(chunk)
            done += len(chunk)
            if progress is not None:
                progress(official.name, done, expected)
    if progress is not None and not expected:
        progress(official.name, done, done)  # the size is known only now: the end
    return digest.hexdigest()


def _sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()
