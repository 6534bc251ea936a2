"""Figures of the President's Tier 3 determinations (notebook 09), with the reading coverage in view.

Years whose determination was only partly read, or known only from a summary, are hatched (the
white "unknown" cells and segments too, in grey); a fiscal year with no document is marked
"missing" where a government shown was on Tier 3 the year before; a full waiver read from a
paragraph cut before its end is dotted; what was not read is drawn as unknown, never as an
outcome. Colours run from blue (waived) to dark red (restricted, no waiver), a diverging scheme
whose lightness also orders them in greyscale.

Step 3 of 4, charts: may import tipreport.paths, tipreport.fileops, tipreport.data_in, tipreport.analysis and other tipreport.charts modules; never outputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from tipreport.analysis import determinations as d
from tipreport.charts.charts import PARTIAL_HATCH, stacked_year_bars
from tipreport.charts.style import INK, MUTED, new_figure

OUTCOME_COLORS = {
    d.REASSESSED: "#92c5de",
    d.FULLY_WAIVED: "#2166ac",
    d.PARTLY_WAIVED: "#f4a582",
    d.RESTRICTED_NOT_READ: "#d6604d",
    d.RESTRICTED: "#67001f",
    d.UNKNOWN: "#ffffff",
    d.SUMMARY_ONLY: "#bdbdbd",
    d.NOT_REQUIRED: "#eeeeee",
}
#: Stacking and legend order: the outcomes read (least to most costly), then what was not read.
DRAWN = (d.REASSESSED, d.FULLY_WAIVED, d.PARTLY_WAIVED, d.RESTRICTED_NOT_READ, d.RESTRICTED, d.UNKNOWN, d.SUMMARY_ONLY,
         d.NOT_REQUIRED)
NOT_READ_IN_FULL = (d.PARTLY, d.SUMMARY)
#: Outcomes drawn white or near-white: outlined, and hatched in grey where the year was not read in full.
PALE = (d.UNKNOWN, d.NOT_REQUIRED)
CUT_LABEL = "waiver paragraph cut: clauses not read"


def _cut_marker(ax, x: float, y: float) -> None:
    ax.plot(x, y, marker="o", markersize=3, markerfacecolor="white", markeredgecolor=INK, markeredgewidth=0.6, zorder=3)


def _legend(ax, outcomes, *, ncol: int, cut: bool = False) -> None:
    handles = [Patch(facecolor=OUTCOME_COLORS[o], edgecolor=MUTED if o in PALE else "none", linewidth=0.5, label=o)
               for o in DRAWN if o in outcomes]
    handles.append(Patch(facecolor="white", edgecolor=MUTED, hatch=PARTIAL_HATCH, label="year not read in full"))
    if cut:
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=3, markerfacecolor="white", markeredgecolor=INK,
                              markeredgewidth=0.6, label=CUT_LABEL))
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=ncol, handlelength=1, columnspacing=1)


def _mark_missing(ax, years, y: float, **kwargs) -> None:
    for year in years:
        ax.text(year, y, "missing:\nno document", ha="center", va="bottom", fontsize=5.5, color=MUTED, rotation=90, **kwargs)


def outcomes_by_year_chart(counts: pd.DataFrame):
    """Stacked bars per fiscal year of what was decided for the Tier 3 governments (``counts_per_year``)."""
    fig, ax = new_figure("double", 2.4, top=0.62)
    shown = counts[counts["reading"] != d.MISSING]
    hatched = [year for year in shown.index if shown.at[year, "reading"] in NOT_READ_IN_FULL]
    columns = [o for o in DRAWN if o in shown.columns and shown[o].sum()]
    stacked_year_bars(ax, shown, columns, OUTCOME_COLORS, hatched)
    if d.UNKNOWN in columns:  # the white hatch of stacked_year_bars does not show on the white "unknown" segments
        below = shown[columns[:columns.index(d.UNKNOWN)]].sum(axis=1)
        for year in hatched:
            if shown.at[year, d.UNKNOWN]:
                ax.bar(year, shown.at[year, d.UNKNOWN], bottom=below[year], width=0.78, fill=False, hatch=PARTIAL_HATCH,
                       edgecolor=MUTED, linewidth=0)
    for year in shown.index:
        ax.bar(year, shown.at[year, "Tier 3 governments"], width=0.78, fill=False, edgecolor=MUTED, linewidth=0.4)
        ax.text(year, shown.at[year, "Tier 3 governments"] + 0.4, str(shown.at[year, "Tier 3 governments"]), ha="center",
                va="bottom", fontsize=5.5, color=INK)
    _mark_missing(ax, counts.index[counts["reading"] == d.MISSING], 0.4)
    years = counts.index
    ax.set_xticks(years, [str(y) if (y - years[0]) % 2 == 0 else "" for y in years])
    ax.set_xlim(years[0] - 0.6, years[-1] + 0.6)
    ax.set_ylim(0, int(counts["Tier 3 governments"].max()) + 3)
    ax.set_xlabel("fiscal year of the determination (report year + 1)")
    ax.set_ylabel("Tier 3 governments")
    _legend(ax, columns, ncol=4)
    return fig


def outcome_grid_chart(outcomes: pd.DataFrame, governments: list[str], coverage: pd.DataFrame, first_year: int | None = None):
    """One row per government (ISO3 codes, top to bottom), one column per fiscal year: what was decided.

    Columns of years not read in full are hatched, a year with no document is marked where a government
    shown had a Tier 3 placement before it, a full waiver from a cut paragraph is dotted; an empty cell
    means the government was not on Tier 3 in the report before that fiscal year.
    """
    first = min(int(coverage.index.min()), first_year or int(coverage.index.min()))
    years = list(range(first, int(coverage.index.max()) + 1))
    names = outcomes.drop_duplicates("iso3").set_index("iso3")["country"]
    cut = outcomes.loc[outcomes["iso3"].isin(governments) & outcomes["fiscal_year"].isin(years), "waiver_paragraph_cut"].any()
    fig, ax = new_figure("double", 0.22 * len(governments) + 0.1, left=1.25, right=0.15, bottom=0.35, top=0.76 if cut else 0.62)
    drawn, missing = set(), set()
    for row, iso3 in enumerate(governments):
        cells = outcomes[(outcomes["iso3"] == iso3) & outcomes["fiscal_year"].isin(years)]
        for cell in cells.itertuples():
            if cell.outcome == d.NO_DOCUMENT:
                missing.add(cell.fiscal_year)
                continue
            drawn.add(cell.outcome)
            ax.add_patch(Rectangle((cell.fiscal_year - 0.45, row - 0.4), 0.9, 0.8, facecolor=OUTCOME_COLORS[cell.outcome],
                                   edgecolor=MUTED if cell.outcome in PALE else "none", linewidth=0.4))
            if cell.reading in NOT_READ_IN_FULL:
                ax.add_patch(Rectangle((cell.fiscal_year - 0.45, row - 0.4), 0.9, 0.8, fill=False, hatch=PARTIAL_HATCH,
                                       edgecolor=MUTED if cell.outcome in PALE else "white", linewidth=0))
            if cell.waiver_paragraph_cut:
                _cut_marker(ax, cell.fiscal_year, row)
    for year in sorted(missing):
        ax.text(year, (len(governments) - 1) / 2, "missing", ha="center", va="center", fontsize=5.5, color=MUTED, rotation=90)
    ax.set_xlim(years[0] - 0.6, years[-1] + 0.6)
    ax.set_ylim(len(governments) - 0.5, -0.5)
    ax.set_yticks(np.arange(len(governments)), [names[g] for g in governments])
    ax.set_xticks(years, [str(y) if (years[-1] - y) % 2 == 0 else "" for y in years])
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.set_xlabel("fiscal year of the determination (report year + 1)")
    _legend(ax, drawn, ncol=3 if cut else 4, cut=cut)
    return fig
