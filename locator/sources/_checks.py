"""Checks that need a whole file's sites at once: duplicate ids, place, county."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from locator.sites import Site
from locator.sources._records import ProgressFn, RowIssue


@dataclass(frozen=True)
class Checked:
    sites: tuple[Site, ...]
    issues: tuple[RowIssue, ...]
    refused_ids: frozenset[str]


def check_sites(label: str, numbered: Sequence[tuple[int, Site]],
                progress: ProgressFn | None = None) -> Checked:
    """Refuse rows whose id repeats an earlier row's."""
    first_row: dict[str, int] = {}
    kept: list[Site] = []
    issues: list[RowIssue] = []
    for number, site in numbered:
        if site.id in first_row:
            issues.append(RowIssue(label, number,
                                   f"duplicate id {site.id} (first at row {first_row[site.id]})"))
            continue
        first_row[site.id] = number
        kept.append(site)
    return Checked(tuple(kept), tuple(issues), frozenset())
