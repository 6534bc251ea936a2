"""Charts of the latest-report chapter (notebook 11) and the regional trend: complete lists
compared, the state-sponsored list, Tier 2 moves as bounds, shares from published counts.

Step 3 of 4, charts: may import tipreport.paths, tipreport.fileops, tipreport.data_in, tipreport.analysis and other tipreport.charts modules; never outputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import Patch, Rectangle

from tipreport.analysis.latest_report import BY_ELIMINATION, FOUND_ONLY, UNDETERMINED
from tipreport.analysis.tiers import SHORT_LABELS, TIERS
from tipreport.charts.charts import ELIMINATION_HATCH, UNDETERMINED_COLOR, tier_legend, year_axis
from tipreport.charts.style import HIGHLIGHT_COLOR, INK, MUTED, NOT_RANKED_COLOR, TIER_COLORS, new_figure, tier_color

ROW_HEIGHT = 0.13
MOVE_LABELS = {"upgrade": "moved up", "downgrade": "moved down", "same": "same tier", "special case": "to or from Special Case"}


def _short(label: str) -> str:
    """'Tier 2 (by elimination)' -> 'Tier 2*'; tiers by their short label."""
    deduced = label.endswith(" (by elimination)")
    tier = label.removesuffix(" (by elimination)")
    return SHORT_LABELS.get(tier, tier) + ("*" if deduced else "")


def _column_lines(rows: pd.DataFrame, change: str) -> list[tuple[str, bool]]:
    """(text, is a heading) lines of one column: names grouped under the placement of the other year."""
    arrow = "from" if change == "joined" else "to"
    lines = []
    for other, group in rows.groupby("other_year_tier", sort=True):
        lines.append((f"{arrow} {_short(other)} ({len(group)})", True))
        lines += [(name, False) for name in group["country"]]
    return lines


def list_changes_chart(changes: dict[str, pd.DataFrame]):
    """Names that joined and left each complete list, one panel per list, a column per change.

    ``changes`` maps a tier to ``latest_report.list_changes``; the names of a column are grouped
    under the placement they came from (joined) or went to (left); '*' marks a placement had by
    elimination.
    """
    pairs = sorted({(int(a), int(b)) for table in changes.values() for a, b in zip(table["year_from"], table["year_to"])})
    columns = [(pair, change) for pair in pairs for change in ("joined", "left")]
    lines = {tier: [_column_lines(t[(t["year_from"] == a) & (t["change"] == c)], c) for (a, _), c in columns]
             for tier, t in changes.items()}
    heights = {tier: max((len(column) for column in columns_), default=0) or 1 for tier, columns_ in lines.items()}
    plot_height = sum(ROW_HEIGHT * (h + 2.6) for h in heights.values())
    fig, axes = new_figure("double", plot_height, left=0.1, right=0.1, bottom=0.1, top=0.1, nrows=len(changes),
                           gridspec_kw={"height_ratios": [h + 2.6 for h in heights.values()], "hspace": 0.05})
    for ax, (tier, table) in zip(np.atleast_1d(axes), changes.items()):
        for number, ((year_from, year_to), change) in enumerate(columns):
            count = int(((table["year_from"] == year_from) & (table["change"] == change)).sum())
            ax.text(number + 0.04, 1.55, f"{change} {year_from}→{year_to} ({count})", fontsize=6.5, fontweight="bold",
                    color=tier_color(tier) if change == "joined" else MUTED, va="center")
            for row, (text, heading) in enumerate(lines[tier][number], start=1):
                ax.text(number + (0.04 if heading else 0.09), row + 1.6, text, va="center", fontsize=5.6 if heading else 6.2,
                        color=MUTED if heading else INK, fontstyle="italic" if heading else "normal")
        ax.add_patch(Rectangle((0, 0.05), len(columns), 0.8, color=tier_color(tier), linewidth=0))
        ax.text(0.04, 0.45, SHORT_LABELS[tier], fontsize=7.5, fontweight="bold", color="white", va="center")
        ax.set_xlim(0, len(columns))
        ax.set_ylim(heights[tier] + 2.4, 0)
        ax.axis("off")
    return fig


def state_sponsored_chart(grid: pd.DataFrame, focus: str):
    """Country × report year dots: named for a government 'policy or pattern' (filled) or not (faint)."""
    fig, ax = new_figure("wide", 0.16 * len(grid) + 0.1, left=1.05, right=0.1, bottom=0.3, top=0.1)
    years = np.asarray(grid.columns, dtype=int)
    for row, (country, listed) in enumerate(grid.iterrows()):
        color = HIGHLIGHT_COLOR if country == focus else TIER_COLORS["Tier 3"]
        on = listed.to_numpy(dtype=bool)
        ax.scatter(years[on], np.full(on.sum(), row), s=30, color=color, zorder=3)
        ax.scatter(years[~on], np.full((~on).sum(), row), s=6, color=NOT_RANKED_COLOR, edgecolor=MUTED, linewidth=0.3, zorder=2)
    ax.set_yticks(range(len(grid)), grid.index)
    for label in ax.get_yticklabels():
        if label.get_text() == focus:
            label.set_fontweight("bold")
            label.set_color(HIGHLIGHT_COLOR)
    ax.set_ylim(len(grid) - 0.5, -0.6)
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel("report year")
    return fig


def move_bounds_chart(bounds: pd.DataFrame):
    """Moves from one report to the next as ranges: lower bound (both placements read) to upper bound."""
    fig, ax = new_figure("single", 0.32 * len(bounds) + 0.1, left=1.45, right=0.15, bottom=0.35, top=0.35)
    y = np.arange(len(bounds))
    ax.barh(y, bounds["upper"] - bounds["lower"], left=bounds["lower"], height=0.5, color="white",
            edgecolor=HIGHLIGHT_COLOR, hatch=ELIMINATION_HATCH, linewidth=0.8)
    ax.barh(y, bounds["lower"], height=0.5, color=HIGHLIGHT_COLOR, linewidth=0)
    for position, lower, upper in zip(y, bounds["lower"], bounds["upper"]):
        ax.text(upper + bounds["upper"].max() * 0.02, position, f"{lower}–{upper}" if upper != lower else f"{lower}",
                va="center", fontsize=6.5, color=INK)
    ax.set_yticks(y, [MOVE_LABELS.get(move, move) for move in bounds["move"]])
    ax.set_ylim(len(bounds) - 0.5, -0.5)
    ax.set_xlim(0, bounds["upper"].max() * 1.32)
    ax.set_xlabel("countries")
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.legend(handles=[Patch(facecolor=HIGHLIGHT_COLOR, label="both placements read (lower bound)"),
                       Patch(facecolor="white", edgecolor=HIGHLIGHT_COLOR, hatch=ELIMINATION_HATCH,
                             label="allowed by a deduction (up to the upper bound)")],
              loc="lower left", bbox_to_anchor=(-0.6, 1.0), ncol=1, handlelength=1.2, fontsize=6)
    return fig


def report_shares_chart(shares: pd.DataFrame, counts: pd.DataFrame):
    """100% bars of a few report years' tiers over the report's total; Tier 2 by elimination dotted."""
    columns = [*TIERS, UNDETERMINED]
    colors = {**TIER_COLORS, UNDETERMINED: UNDETERMINED_COLOR}
    fig, ax = new_figure("double", 0.34 * len(shares) + 0.1, left=0.75, right=0.15, bottom=0.35, top=0.3)
    y = np.arange(len(shares))
    left = np.zeros(len(shares))
    for column in columns:
        values = shares[column].to_numpy(dtype=float)
        bars = ax.barh(y, values, left=left, color=colors[column], height=0.62, linewidth=0)
        for bar, position, year, start, value in zip(bars, y, shares.index, left, values):
            deduced = shares.loc[year, "basis"] == BY_ELIMINATION and column == "Tier 2"
            if deduced:
                bar.set_hatch(ELIMINATION_HATCH)
                bar.set_edgecolor("white")
            if value >= 6:
                dark = column in ("Tier 2 Watch List", "Tier 3")
                # a white box keeps a label readable on the dotted Tier 2 by elimination
                box = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"} if deduced else None
                ax.text(start + value / 2, position, f"{value:.0f}% ({counts.loc[year, column]})",
                        ha="center", va="center", fontsize=6, color="white" if dark and not deduced else INK, bbox=box)
        left += values
    ax.set_yticks(y, [f"{year} ({shares.loc[year, 'total']})" for year in shares.index])
    ax.set_ylim(len(shares) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of the governments the report assessed")
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    extra = [Patch(facecolor=TIER_COLORS["Tier 2"], edgecolor="white", hatch=ELIMINATION_HATCH, label="Tier 2 by elimination")]
    if shares[UNDETERMINED].sum():
        extra.append(Patch(facecolor=UNDETERMINED_COLOR, label=UNDETERMINED))
    tier_legend(ax, extra=extra, bbox_to_anchor=(0, 1.02), fontsize=6.5)
    return fig


def regional_trend_chart(regional: pd.DataFrame, ncols: int = 3):
    """One panel per region: 100% bars of the tiers per report year; years with an incomplete list hatched."""
    regions = sorted(regional["region"].unique())
    nrows = -(-len(regions) // ncols)
    fig, axes = new_figure("double", 1.45 * nrows, left=0.45, right=0.12, bottom=0.3, top=0.62, nrows=nrows, ncols=ncols,
                           sharex=True, sharey=True)
    fig.subplots_adjust(hspace=0.42, wspace=0.12)
    columns = [*TIERS, UNDETERMINED]
    colors = {**TIER_COLORS, UNDETERMINED: UNDETERMINED_COLOR}
    flat = np.atleast_1d(axes).ravel()
    for ax, region in zip(flat, regions):
        table = regional[regional["region"] == region].set_index("report_year").sort_index()
        share = table[columns].div(table["total"], axis=0).mul(100)
        bottom = np.zeros(len(table))
        for column in columns:
            values = share[column].to_numpy(dtype=float)
            bars = ax.bar(table.index, values, bottom=bottom, width=0.82, color=colors[column], linewidth=0)
            for bar, basis in zip(bars, table["basis"]):
                if basis == BY_ELIMINATION and column == "Tier 2":
                    bar.set_hatch(ELIMINATION_HATCH)
                    bar.set_edgecolor("white")
            bottom += values
        incomplete = table.index[table["basis"] == FOUND_ONLY]
        ax.bar(incomplete, 5, bottom=-8, width=0.82, color=MUTED, linewidth=0)
        ax.set_title(f"{region} ({int(table['total'].max())})", loc="left", fontsize=7, color=INK, pad=2)
        ax.set_ylim(-9, 100)
        ax.set_yticks([0, 50, 100])
        ax.spines["bottom"].set_visible(False)
        ax.tick_params(labelsize=6, length=2)
    for ax in flat[len(regions):]:
        ax.axis("off")
    years = list(range(int(regional["report_year"].min()), int(regional["report_year"].max()) + 1))
    year_axis(flat[0], years)
    for ax in flat:
        ax.set_xticks([y for y in years if y % 5 == 0], [str(y) for y in years if y % 5 == 0])
    for ax in flat[::ncols]:
        ax.set_ylabel("% of governments", fontsize=6.5)
    tier_legend(flat[0], extra=[Patch(facecolor=MUTED, label="under a bar: incomplete list, shares of the countries found"),
                                Patch(facecolor=TIER_COLORS["Tier 2"], edgecolor="white", hatch=ELIMINATION_HATCH,
                                      label="Tier 2 by elimination"),
                                Patch(facecolor=UNDETERMINED_COLOR, label=UNDETERMINED)],
                bbox_to_anchor=(0, 1.2), ncol=4, fontsize=6)
    return fig
