"""The printable report's distance chart, drawn on the server as plain SVG.

No chart library and no inline style: the template writes ``<rect>`` and ``<text>`` with
the positions laid out here and CSS classes that ``planner.css`` colours, so the chart
prints, works offline and obeys the Content-Security-Policy.

The figures are the engine's (``CoverageStudy.distance_distribution``): residents by
straight-line distance to their nearest matching site, in bands whose edges include every
threshold of the report, so a dashed line can mark each threshold between two bars.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import format_decimal, gettext

from locator.coverage import DistanceDistribution, Threshold
from web.i18n import percent_text

BAND_EDGES_MI = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0)
WIDTH_PX = 720
HEIGHT_PX = 300
MARGIN_LEFT_PX = 56
MARGIN_RIGHT_PX = 12
MARGIN_TOP_PX = 24
MARGIN_BOTTOM_PX = 56
GRID_STEPS = 4


def band_edges_mi(thresholds: Sequence[Threshold]) -> tuple[float, ...]:
    """Band edges for the chart: 0, a fixed ladder of distances, and every threshold."""
    return (0.0, *sorted({*BAND_EDGES_MI, *(t.miles for t in thresholds)}))


@dataclass(frozen=True, slots=True)
class Band:
    """Residents whose nearest site is at least ``low_mi`` and under ``high_mi`` miles away
    (``high_mi`` None: no upper end)."""

    low_mi: float
    high_mi: float | None
    residents: int
    share: float | None  # of all residents counted; None when nobody is counted

    @property
    def label(self) -> str:
        if self.high_mi is None:
            return gettext("%(low)s mi or more", low=_miles(self.low_mi))
        return gettext("%(low)s to %(high)s mi", low=_miles(self.low_mi),
                       high=_miles(self.high_mi))


@dataclass(frozen=True, slots=True)
class Bar:
    band: Band
    x_px: float
    y_px: float
    width_px: float
    height_px: float
    ends_at_threshold: bool  # a threshold lies on this bar's right edge
    slot_right_px: float  # where this bar's band ends on the axis

    @property
    def center_px(self) -> float:
        return self.x_px + self.width_px / 2


@dataclass(frozen=True, slots=True)
class GridLine:
    y_px: float
    label: str


@dataclass(frozen=True, slots=True)
class DistanceChart:
    bands: tuple[Band, ...]
    bars: tuple[Bar, ...]
    grid: tuple[GridLine, ...]
    width_px: int = WIDTH_PX
    height_px: int = HEIGHT_PX
    plot_left_px: int = MARGIN_LEFT_PX
    plot_right_px: int = WIDTH_PX - MARGIN_RIGHT_PX
    plot_top_px: int = MARGIN_TOP_PX
    plot_bottom_px: int = HEIGHT_PX - MARGIN_BOTTOM_PX

    @property
    def residents(self) -> int:
        return sum(band.residents for band in self.bands)


def distance_chart(distribution: DistanceDistribution,
                   thresholds: Sequence[Threshold]) -> DistanceChart:
    """The bands laid out as bars, the tallest reaching a rounded-up share of residents."""
    bands = _bands(distribution)
    top_share = _axis_top(max((b.share or 0.0) for b in bands))
    plot_width = WIDTH_PX - MARGIN_LEFT_PX - MARGIN_RIGHT_PX
    plot_height = HEIGHT_PX - MARGIN_TOP_PX - MARGIN_BOTTOM_PX
    slot = plot_width / len(bands)
    threshold_mi = {t.miles for t in thresholds}
    bars = []
    for i, band in enumerate(bands):
        height = plot_height * (band.share or 0.0) / top_share
        bars.append(Bar(band, x_px=MARGIN_LEFT_PX + i * slot + slot * 0.1,
                        y_px=MARGIN_TOP_PX + plot_height - height, width_px=slot * 0.8,
                        height_px=height, ends_at_threshold=band.high_mi in threshold_mi,
                        slot_right_px=MARGIN_LEFT_PX + (i + 1) * slot))
    grid = tuple(
        GridLine(MARGIN_TOP_PX + plot_height * (1 - step / GRID_STEPS),
                 percent_text(round(top_share * step / GRID_STEPS, 3), "#"))
        for step in range(GRID_STEPS + 1)
    )
    return DistanceChart(bands=bands, bars=tuple(bars), grid=grid)


def _bands(distribution: DistanceDistribution) -> tuple[Band, ...]:
    total = sum(distribution.residents)
    highs = (*distribution.edges_mi[1:], None)
    return tuple(Band(low, high, n, n / total if total else None)
                 for low, high, n in zip(distribution.edges_mi, highs, distribution.residents,
                                         strict=True))


def _axis_top(largest_share: float) -> float:
    """The smallest multiple of 10% at or above the tallest bar (at least 10%)."""
    return max(0.1, math.ceil(round(largest_share * 10, 9)) / 10)


def _miles(value: float) -> str:
    try:
        return format_decimal(value, "#,##0.###")
    except ArithmeticError:  # beyond Decimal's precision (1e25 mi): as typed is clearer
        return f"{value:g}"
