"""The small inline SVG charts of the pages, laid out here so the templates only draw what they are given.

Every chart has its words beside it: a sentence or a table says what the chart shows, so the SVG itself
is decoration to a screen reader (``aria-hidden``) or carries a title and description (``role="img"``).
Colours come from one palette that stays apart for the common colour-vision deficiencies (Okabe-Ito).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Okabe and Ito's palette, darkest first where a small mark needs contrast on white.
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#f0e442", "#999999")
SPARK_WIDTH = 80
CHART_WIDTH = 560
LABEL_WIDTH = 130
TEXT_WIDTH = 60
BAR_HEIGHT = 22
BAR_GAP = 8
NOTHING = "\u2013"  # an en dash: no figure


def percent(value: float | None) -> str:
    """A share as a whole percentage, or a dash when there is none.

    >>> percent(0.6667), percent(None) == NOTHING, percent(0.004)
    ('67%', True, '0.4%')
    """
    if value is None:
        return NOTHING
    shown = value * 100
    return f"{shown:.1f}%" if 0 < shown < 1 else f"{shown:.0f}%"


@dataclass(frozen=True, slots=True)
class Segment:
    x: float
    width: float
    colour: str
    label: str


def spark(share: float | None) -> float:
    """The width of a small bar for ``share`` (0 to 1)."""
    return round(SPARK_WIDTH * (share or 0.0), 1)


def stacked(counts: Mapping[str, int], colours: Mapping[str, str], scale: int) -> list[Segment]:
    """Segments of a small stacked bar, one per non-zero count, ``scale`` filling the whole width."""
    segments, x = [], 0.0
    for key, count in counts.items():
        if count and scale:
            width = SPARK_WIDTH * count / scale
            segments.append(Segment(round(x, 1), round(width, 1), colours[key], f"{key}: {count}"))
            x += width
    return segments


def colours_for(keys: Sequence[str]) -> dict[str, str]:
    return {key: PALETTE[i % len(PALETTE)] for i, key in enumerate(keys)}


@dataclass(frozen=True, slots=True)
class QuintileBar:
    y: int
    label: str
    width: float  # of the whole bar: the practices that could be opted in
    left_out: float  # of the part not opted in
    text: str  # the share, after the bar


def quintile_bars(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The deprivation chart: per quintile, the share of practices not opted in, as a bar out of 100%."""
    room = CHART_WIDTH - LABEL_WIDTH - TEXT_WIDTH
    bars = []
    for i, row in enumerate(rows):
        quintile = str(row["quintile"])
        label = {"1": "1 (most deprived)", "5": "5 (least)", "unknown": "IMD unknown"}.get(quintile, quintile)
        eligible = int(row["practices"]) - int(row["in_icb_without"])
        share = row["share_not_opted_in"]
        bars.append(
            QuintileBar(
                y=i * (BAR_HEIGHT + BAR_GAP),
                label=label,
                width=room if eligible else 0,
                left_out=round(room * (share or 0.0), 1),
                text=percent(share) if share is not None else "n/a",
            )
        )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": len(bars) * (BAR_HEIGHT + BAR_GAP),
        "label_width": LABEL_WIDTH,
        "room": room,
        "bar": BAR_HEIGHT,
    }
