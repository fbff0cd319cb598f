"""Reading source files as text rows, whether loose on disk or inside a zip archive."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

SNIFF_BYTES = 64 * 1024
# Characters a decoder puts where bytes made no sense; a field holding one is unreadable.
REPLACEMENT_CHAR = "\ufffd"


def read_bytes(path: Path, member: str = "") -> bytes:
    if not member:
        return path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        return archive.read(member)


def head_bytes(path: Path, member: str = "") -> bytes:
    if not member:
        with path.open("rb") as handle:
            return handle.read(SNIFF_BYTES)
    with zipfile.ZipFile(path) as archive, archive.open(member) as handle:
        return handle.read(SNIFF_BYTES)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes, encodings: tuple[str, ...]) -> str:
    """Decode with the first encoding that fits, else the first with replacement marks.

    Files saved by spreadsheets arrive in either UTF-8 (often with a BOM) or Windows-1252;
    rather than refuse a whole file for one stray byte, the bad characters become U+FFFD and
    the rows holding them are reported as unreadable.
    """
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode(encodings[0], errors="replace")


def header_of(data: bytes) -> list[str]:
    """The column names on the first line of a CSV (or TSV) given its first bytes."""
    return header_of_text(decode(data, ("utf-8-sig", "cp1252")))


def header_of_text(text: str) -> list[str]:
    text = text.lstrip("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    return [name.strip() for name in next(csv.reader([first], delimiter=delimiter), [])]


def csv_rows(text: str, *, lower_keys: bool = False) -> Iterator[tuple[int, dict[str, str]]]:
    """``(row_number, row)`` pairs; the header is row 1, as a spreadsheet would show it.

    Column names are stripped (and lower-cased if asked); cells lose surrounding spaces.
    """
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    header = [name.strip().lower() if lower_keys else name.strip() for name in next(reader, [])]
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        yield number, {name: (cells[i].strip() if i < len(cells) else "")
                       for i, name in enumerate(header)}
