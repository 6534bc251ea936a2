"""Chart functions used by the notebooks. Each takes prepared data and returns a figure
drawn in the collection's style (``tipreport.charts.style``); saving is separate.

Step 3 of 4, charts: may import tipreport.paths, tipreport.fileops, tipreport.data_in, tipreport.analysis and other tipreport.charts modules; never outputs."""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch, Rectangle

from tipreport.analysis.latest_report import BY_ELIMINATION, FOUND_ONLY, UNDETERMINED
from tipreport.analysis.summaries import NO_REGION
from tipreport.analysis.tiers import RANKED_TIERS, SHORT_LABELS, SPECIAL_CASE, TIERS
from tipreport.charts.style import HIGHLIGHT_COLOR, INK, MUTED, NOT_RANKED_COLOR, SECONDARY_COLOR, TIER_COLORS, new_figure, tier_color

PARTIAL_HATCH = "////"
#: A Tier 2 count had by elimination (a report's published total minus its complete lists), and the
#: countries left with two possible tiers.
ELIMINATION_HATCH = "...."
UNDETERMINED_COLOR = "#d0d0d0"
SOURCE_TYPE_ORDER = ("narrative", "narrative_copy", "gvnet_country", "list", "dataset", "factbook", "news", "wiki", "implied")
#: One distinguishable colour per kind of evidence: blues for State Department text, greens for lists
#: and datasets, orange for the Factbook, warm hues for news and wikis, light grey for implications.
SOURCE_TYPE_COLORS = dict(zip(SOURCE_TYPE_ORDER, ("#08306b", "#2b7bba", "#9ecae1", "#006d2c", "#74c476",
                                                  "#e69f00", "#d55e00", "#cc79a7", "#d9d9d9")))
#: Two hues for direction of movement (Okabe-Ito blue and vermillion), lighter for moves within Tier 2.
UP_COLOR, UP_LIGHT = "#0072b2", "#9cc9e6"
DOWN_COLOR, DOWN_LIGHT = "#d55e00", "#f2b58c"


def tier_legend(ax, tiers=TIERS, *, extra=(), **kwargs) -> None:
    """A legend of tier colour swatches (plus optional extra handles)."""
    handles = [Patch(facecolor=tier_color(t), edgecolor="none", label=SHORT_LABELS[t]) for t in tiers]
    ax.legend(handles=[*handles, *extra], **{"ncol": len(handles) + len(extra), "loc": "lower left",
                                             "bbox_to_anchor": (0, 1.0), "handlelength": 1, "columnspacing": 1, **kwargs})


def year_axis(ax, years) -> None:
    """Label every other report year, full four digits."""
    years = list(years)
    ax.set_xticks(years)
    ax.set_xticklabels([str(y) if (y - years[0]) % 2 == 0 else "" for y in years])
    ax.set_xlim(years[0] - 0.6, years[-1] + 0.6)


def stacked_year_bars(ax, table: pd.DataFrame, columns, colors, partial_years=()) -> None:
    """Stacked bars per year; partial years hatched so they cannot pass for complete ones."""
    bottom = np.zeros(len(table))
    for column in columns:
        values = table[column].to_numpy(dtype=float)
        hatches = [PARTIAL_HATCH if y in partial_years else "" for y in table.index]
        bars = ax.bar(table.index, values, bottom=bottom, width=0.78, color=colors[column], linewidth=0)
        for bar, hatch in zip(bars, hatches):
            if hatch:
                bar.set_hatch(hatch)
                bar.set_edgecolor("white")
        bottom += values


def coverage_chart(coverage: pd.DataFrame):
    """Countries placed per report year, stacked by tier; partial years hatched and labelled."""
    fig, ax = new_figure("double", 2.3)
    partial = [y for y in coverage.index if not coverage.loc[y, "complete"]]
    stacked_year_bars(ax, coverage, TIERS, TIER_COLORS, partial)
    for year in coverage.index:
        ax.text(year, coverage.loc[year, "countries"] + 3, str(coverage.loc[year, "countries"]), ha="center",
                va="bottom", fontsize=5.5, color=INK)
    year_axis(ax, coverage.index)
    ax.set_ylim(0, 215)
    ax.set_ylabel("countries and territories placed")
    tier_legend(ax, extra=[Patch(facecolor="white", edgecolor=MUTED, hatch=PARTIAL_HATCH, label="partial year")])
    return fig


def source_type_chart(counts: pd.DataFrame):
    """Share of each year's placements by kind of evidence (direct to indirect)."""
    fig, ax = new_figure("double", 2.3, right=1.25)
    columns = [c for c in SOURCE_TYPE_ORDER if c in counts.columns]
    shares = counts[columns].div(counts[columns].sum(axis=1), axis=0) * 100
    colors = {c: SOURCE_TYPE_COLORS[c] for c in columns}
    stacked_year_bars(ax, shares, columns, colors)
    year_axis(ax, shares.index)
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of the year's placements")
    handles = [Patch(facecolor=colors[c], label=c.replace("_", " ")) for c in reversed(columns)]
    ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.01, 0.5), handlelength=1, title="evidence",
              title_fontsize=7)
    return fig


def tier_bars(counts: pd.Series):
    """Horizontal bars: countries on each tier."""
    fig, ax = new_figure("single", 1.5, left=0.85, right=0.3)
    labels = [SHORT_LABELS[t] for t in counts.index]
    y = np.arange(len(counts))[::-1]
    ax.barh(y, counts.to_numpy(), color=[tier_color(t) for t in counts.index], height=0.7)
    for position, value in zip(y, counts.to_numpy()):
        ax.text(value + 1.5, position, str(value), va="center", fontsize=7, color=INK)
    ax.set_yticks(y, labels)
    ax.set_xlabel("countries and territories")
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    return fig


def region_share_chart(counts: pd.DataFrame, note: str = "", compared=("Tier 2 Watch List", "Tier 3")):
    """100% bars of the ranked tiers within each region, labelled with the number of ranked governments.

    Shares are of the ranked governments (Tier 1 to Tier 3): Special Cases are no tier and stay
    out of the denominator. The compared share (by default Watch List or Tier 3) is printed at the
    end of each bar as a percentage and a count. Rows outside any regional bureau (the United
    States) and the Special Cases left out are not bars: say so in ``note``.
    """
    counts = counts.drop(index=NO_REGION, errors="ignore")
    ranked = counts[list(RANKED_TIERS)].sum(axis=1)
    share = counts[list(RANKED_TIERS)].div(ranked, axis=0) * 100
    on = counts[list(compared)].sum(axis=1)
    order = (on / ranked).sort_values().index
    share, ranked, on = share.loc[order], ranked.loc[order], on.loc[order]
    fig, ax = new_figure("double", 0.3 * len(share), left=1.55, right=1.0, bottom=0.5 + 0.1 * (note.count("\n") + 1) if note else 0.35)
    left = np.zeros(len(share))
    y = np.arange(len(share))
    for tier in RANKED_TIERS:
        values = share[tier].to_numpy()
        ax.barh(y, values, left=left, color=tier_color(tier), height=0.72)
        for position, start, value in zip(y, left, values):
            if value >= 7:
                dark = tier in ("Tier 2 Watch List", "Tier 3")
                ax.text(start + value / 2, position, f"{value:.0f}%", ha="center", va="center", fontsize=6,
                        color="white" if dark else INK)
        left += values
    label = " or ".join(SHORT_LABELS[t] for t in compared)
    for position, count, total in zip(y, on, ranked):
        ax.text(101.5, position, f"{count / total * 100:.0f}% ({count} of {total})", ha="left", va="center", fontsize=6.5,
                color=INK, fontweight="bold")
    ax.text(101.5, len(share) - 0.55, label, ha="left", va="bottom", fontsize=6, color=MUTED)
    ax.set_yticks(y, [f"{region} ({n})" for region, n in zip(share.index, ranked)])
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of the region's ranked governments")
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    tier_legend(ax, RANKED_TIERS)
    if note:
        ax.annotate(note, xy=(0, 0), xycoords="axes fraction", xytext=(0, -34), textcoords="offset points",
                    ha="left", va="top", fontsize=6, color=MUTED)
    return fig


def tier_columns_chart(groups: dict[str, pd.DataFrame], named: set[str], focus: str):
    """Panels of countries listed under their tier; article-named in bold, the focus country boxed."""
    tallest = max(int(g["tier"].value_counts().max()) for g in groups.values())
    fig, axes = new_figure("double", 0.17 * tallest + 0.35, left=0.1, right=0.1, bottom=0.1, ncols=len(groups))
    for ax, (label, group) in zip(np.atleast_1d(axes), groups.items()):
        present = [t for t in TIERS if (group["tier"] == t).any()]
        for column, tier in enumerate(present):
            ax.add_patch(Rectangle((column + 0.03, 0.2), 0.94, 0.55, color=tier_color(tier), linewidth=0))
            ax.text(column + 0.5, 0.47, SHORT_LABELS[tier], ha="center", va="center", fontsize=6.5, fontweight="bold",
                    color="white" if tier in ("Tier 2 Watch List", "Tier 3") else INK)
            names = group.loc[group["tier"] == tier, "country"].sort_values()
            for row, name in enumerate(names, start=1):
                bold = name in named
                ax.text(column + 0.5, row * 1.0 + 0.5, name, ha="center", va="center", fontsize=6.5,
                        fontweight="bold" if bold else "normal", color=INK if bold else MUTED,
                        bbox={"boxstyle": "round,pad=0.25", "facecolor": "none", "edgecolor": HIGHLIGHT_COLOR,
                              "linewidth": 1.2} if name == focus else None)
        ax.set_xlim(0, max(len(present), 1))
        ax.set_ylim(tallest + 1, 0)
        ax.set_title(f"{label} ({len(group)})", loc="left", fontsize=7.5, fontweight="bold", color=INK)
        ax.axis("off")
    return fig


def world_map_chart(tiers_2023: dict[str, str], highlight, highlight_label: str = "outlined"):
    """World choropleth of tier placements (Natural Earth boundaries, Equal Earth projection).

    Style only, on top of ``draw_tier_map``'s layers (its geometry is untouched): the highlight
    outline (zorder 2) is drawn in the highlight colour over a white halo, so it shows on Tier 3's
    dark fill; small-state dots (zorder 3) get a white rim so overlapping dots stay apart.
    """
    from matplotlib import patheffects

    from tipreport.charts.world_map import draw_tier_map

    fig, ax = new_figure("double", 3.45, left=0.05, right=0.05, bottom=0.05, top=0.2)
    coverage = draw_tier_map(ax, tiers_2023, highlight, colors=TIER_COLORS, not_ranked_color=NOT_RANKED_COLOR)
    for layer in ax.collections:
        if layer.get_zorder() == 2:  # highlight outlines
            layer.set_edgecolor(HIGHLIGHT_COLOR)
            layer.set_linewidth(1.0)
            layer.set_path_effects([patheffects.withStroke(linewidth=2.6, foreground="white")])
        elif layer.get_zorder() == 3:  # small-state dots
            layer.set_edgecolor("white")
            layer.set_linewidth(0.5)
            layer.set_sizes([7])
    outline = Patch(facecolor=TIER_COLORS["Tier 3"], edgecolor=HIGHLIGHT_COLOR, linewidth=1.0, label=highlight_label)
    tier_legend(ax, extra=[Patch(facecolor=NOT_RANKED_COLOR, edgecolor=MUTED, linewidth=0.4, label="not ranked"), outline])
    return fig, coverage


def transition_heatmap(matrix: pd.DataFrame):
    """Countries moving between tiers from one report to the next.

    Downgrades (above the diagonal) in one hue, upgrades (below) in another, shade by count;
    the diagonal (no change, Special Case kept included) is outlined. Tiers with no country
    in either year are left out, so no all-zero row or column is drawn.
    """
    used = [t for t in matrix.index if matrix.loc[t].sum() + matrix[t].sum() > 0]
    matrix = matrix.loc[used, used]
    fig, ax = new_figure("single", 2.4, left=0.95, right=0.1, bottom=0.65, top=0.25)
    ranks = {t: i for i, t in enumerate(RANKED_TIERS)}
    values = matrix.to_numpy()
    largest = max(int(values.max()), 1)
    for row, tier_from in enumerate(matrix.index):
        for column, tier_to in enumerate(matrix.columns):
            value = int(values[row, column])
            if tier_from in ranks and tier_to in ranks and ranks[tier_to] != ranks[tier_from]:
                color = DOWN_COLOR if ranks[tier_to] > ranks[tier_from] else UP_COLOR
            else:
                color = MUTED
            alpha = 0.12 + 0.88 * value / largest if value else 0.0
            ax.add_patch(Rectangle((column - 0.5, row - 0.5), 1, 1, facecolor=color, alpha=alpha, linewidth=0))
            if row == column:
                ax.add_patch(Rectangle((column - 0.46, row - 0.46), 0.92, 0.92, fill=False, edgecolor=INK, linewidth=0.8))
            ax.text(column, row, str(value), ha="center", va="center", fontsize=7,
                    color="white" if alpha > 0.55 else INK, fontweight="bold" if row == column else "normal")
    labels = [SHORT_LABELS[t] for t in matrix.index]
    ax.set_xlim(-0.5, len(labels) - 0.5)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xticks(range(len(labels)), labels, rotation=35, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel(matrix.columns.name)
    ax.set_ylabel(matrix.index.name)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    handles = [Patch(facecolor=UP_COLOR, label="up"), Patch(facecolor=DOWN_COLOR, label="down"),
               Patch(facecolor="white", edgecolor=INK, label="same (incl. Special Case kept)")]
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(-0.2, 1.0), ncol=3, handlelength=1, columnspacing=0.6,
              fontsize=6)
    return fig


def tier_share_chart(shares: pd.DataFrame):
    """Percent of each report year's governments on each tier (``latest_report.report_tier_shares``).

    Years whose list is incomplete are hatched (shares of the countries found, not of the
    report); a Tier 2 had by elimination is dotted; the denominator is printed above each bar.
    """
    fig, ax = new_figure("double", 2.3, top=0.3)
    columns = [*TIERS, UNDETERMINED]
    colors = {**TIER_COLORS, UNDETERMINED: UNDETERMINED_COLOR}
    partial = [y for y in shares.index if shares.loc[y, "basis"] == FOUND_ONLY]
    stacked_year_bars(ax, shares, columns, colors, partial)
    tier_2 = ax.containers[columns.index("Tier 2")]
    for bar, basis in zip(tier_2, shares["basis"]):
        if basis == BY_ELIMINATION:
            bar.set_hatch(ELIMINATION_HATCH)
            bar.set_edgecolor("white")
    for year in shares.index:
        ax.text(year, 101, f"{shares.loc[year, 'total']}", ha="center", va="bottom", fontsize=5.5, color=MUTED)
    year_axis(ax, shares.index)
    ax.set_ylim(0, 108)
    ax.set_yticks([0, 25, 50, 75, 100])
    ax.set_ylabel("% of the year's governments")
    tier_legend(ax, extra=[Patch(facecolor="white", edgecolor=MUTED, hatch=PARTIAL_HATCH, label="incomplete list: countries found"),
                           Patch(facecolor=TIER_COLORS["Tier 2"], edgecolor="white", hatch=ELIMINATION_HATCH,
                                 label="Tier 2 by elimination")],
                bbox_to_anchor=(0, 1.05), fontsize=6.3, columnspacing=0.8)
    return fig


def law_enforcement_chart(world: pd.DataFrame, cross_checks: pd.DataFrame):
    """Worldwide prosecutions, convictions, victims identified and labour share, by data year and edition."""
    fig, axes = new_figure("double", 3.3, left=0.55, right=0.15, bottom=0.3, top=0.6, nrows=2, ncols=2, sharex=True)
    fig.subplots_adjust(hspace=0.35, wspace=0.3)
    panels = [("prosecutions", "prosecutions"), ("convictions", "convictions"),
              ("victims_identified", "victims identified"), ("prosecutions_labor_share", "labour share of prosecutions, %")]
    editions = sorted(world["report_year"].unique())
    markers = dict(zip(editions, ("o", "s", "D")))
    for ax, (column, label) in zip(axes.flat, panels):
        for edition in editions:
            rows = world[world["report_year"] == edition].dropna(subset=[column])
            if rows.empty:  # an edition without this measure draws nothing and gets no legend entry
                continue
            ax.plot(rows["data_year"], rows[column], marker=markers[edition], markersize=3, linewidth=1, color=INK,
                    label=f"{edition} report" + (" (NGO transcription)" if (rows["evidence"] == "secondary").all() else ""))
        if column in cross_checks:
            checks = cross_checks.dropna(subset=[column])
            doubtful = checks["doubtful"].to_numpy(dtype=bool)
            ax.scatter(checks["data_year"][~doubtful], checks[column][~doubtful], s=10, facecolor="none", edgecolor=MUTED,
                       linewidth=0.7, label="quoted elsewhere (cross-check)", zorder=3)
            ax.scatter(checks["data_year"][doubtful], checks[column][doubtful], s=12, marker="x", color=DOWN_COLOR,
                       linewidth=0.8, label="quoted elsewhere, likely an error (see its note)", zorder=3)
        ax.set_title(label, loc="left", fontsize=7.5, color=INK)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(lambda value, _: f"{value:,.0f}")
        ax.set_xlim(2002, 2024)
        ax.set_xticks([2003, 2008, 2013, 2018, 2023])
    handles, labels = axes[0, 0].get_legend_handles_labels()
    for ax in axes.flat[1:]:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    axes[0, 0].legend(handles, labels, loc="lower left", bbox_to_anchor=(0, 1.12), ncol=2)
    return fig


def change_bars(changes: pd.DataFrame):
    """Paired bars for two years per measure, labelled with the ratio."""
    fig, ax = new_figure("single", 1.8, left=0.45, right=0.1)
    x = np.arange(len(changes))
    ax.bar(x - 0.19, changes["2021"], width=0.36, color=SECONDARY_COLOR, label="2021")
    ax.bar(x + 0.19, changes["2022"], width=0.36, color=HIGHLIGHT_COLOR, label="2022")
    for position, row in zip(x, changes.itertuples()):
        ax.text(position + 0.19, row._3 * 1.02, f"×{row.ratio:.1f}", ha="center", va="bottom", fontsize=7, color=INK)
    ax.set_xticks(x, [m.replace("_", " ") for m in changes["measure"]])
    ax.yaxis.set_major_formatter(lambda value, _: f"{value:,.0f}")
    ax.set_ylim(0, changes[["2021", "2022"]].to_numpy().max() * 1.18)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2)
    return fig


def tier_history_chart(history: pd.DataFrame, annotations: dict[int, str]):
    """One country's tier in every report year, in the convention of notebook 07's record chart.

    A step line between placements (gaps stay gaps), Watch List spells shaded, the tiers by their
    short labels; a placement resting on indirect evidence (news, a wiki, an implication) is hollow.
    """
    from tipreport.analysis.movements import consecutive_runs

    fig, ax = new_figure("double", 1.8, left=0.95, right=0.2)
    ranks = {t: i for i, t in enumerate(RANKED_TIERS)}
    y = history["tier"].astype("string").map(ranks).astype(float)
    years = history.index.to_numpy()
    spells = consecutive_runs(int(year) for year, tier in history["tier"].astype("string").fillna("").items()
                              if tier == "Tier 2 Watch List")
    ax.bar([(first + last) / 2 for first, last in spells], len(RANKED_TIERS) + 0.1, [last - first + 1 for first, last in spells],
           bottom=-0.6, color=TIER_COLORS["Tier 2 Watch List"], alpha=0.13, linewidth=0, zorder=0)
    ax.step(years, y.to_numpy(), where="mid", color=MUTED, linewidth=0.9, zorder=1)
    indirect = history["source_type"].isin(["implied", "news", "wiki"])
    for year, rank in y.dropna().items():
        tier = str(history.loc[year, "tier"])
        ax.scatter([year], [rank], s=30, zorder=2, color="white" if indirect[year] else tier_color(tier),
                   edgecolor=tier_color(tier) if indirect[year] else INK, linewidth=1.4 if indirect[year] else 0.4)
    for year, text in annotations.items():
        ax.annotate(text, (year, y[year]), xytext=(0, -12), textcoords="offset points", ha="center", fontsize=6,
                    color=INK)
    ax.set_yticks(range(len(RANKED_TIERS)), [SHORT_LABELS[t] for t in RANKED_TIERS])
    ax.set_ylim(len(RANKED_TIERS) - 0.4, -0.6)
    year_axis(ax, history.index)
    ax.grid(axis="y", color="#e6e6e6", linewidth=0.5)
    ax.tick_params(axis="y", length=0)
    hollow = plt.Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgecolor=MUTED,
                        label="placement rests on news or an implication")
    spell = Patch(facecolor=TIER_COLORS["Tier 2 Watch List"], alpha=0.13, label="Watch List spell")
    ax.legend(handles=[spell, hollow], loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, handlelength=1.2)
    return fig


def timeline_chart(events: pd.DataFrame, graded_by: int | None = None):
    """Dated events, one row each, placed on a shared time axis (inferred dates hollow).

    ``graded_by``: a report year whose reporting period (1 April of the year before to 31 March)
    is shaded and labelled, so events inside and outside it can be told apart.
    """
    events = events.assign(when=pd.to_datetime(events["date"], format="ISO8601")).sort_values("when")
    fig, ax = new_figure("double", 0.27 * len(events), left=0.3, right=0.2, bottom=0.3, top=0.22)
    x = mdates.date2num(events["when"])
    middle = (x.min() + x.max()) / 2
    if graded_by is not None:
        start, end = mdates.date2num(pd.Timestamp(graded_by - 1, 4, 1)), mdates.date2num(pd.Timestamp(graded_by, 3, 31))
        ax.axvspan(start, end, color=SECONDARY_COLOR, alpha=0.25, linewidth=0, zorder=0)
        low, high = max(start, x.min() - 20), min(end, x.max() + 20)
        ax.text((low + high) / 2, -0.68, f"period the {graded_by} report graded (1 April {graded_by - 1} – "
                f"31 March {graded_by})", ha="center", va="top", fontsize=6, color=MUTED)
    for row, (position, event) in enumerate(zip(x, events.itertuples())):
        ax.axhline(row, color="#eeeeee", linewidth=0.5, zorder=0)
        inferred = event.date_basis != "stated in source"
        ax.scatter([position], [row], s=22, zorder=3, color="white" if inferred else HIGHLIGHT_COLOR,
                   edgecolor=HIGHLIGHT_COLOR, linewidth=1.2)
        when = f"{event.when:%d %b %Y}" if event.date_precision == "day" else f"{event.when:%B %Y}"
        right = position < middle
        ax.text(position + (6 if right else -6), row, f"{when}: {event.event}", ha="left" if right else "right",
                va="center", fontsize=6.3, color=INK)
    ax.set_ylim(len(events) - 0.5, -0.7)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.set_xlim(x.min() - 20, x.max() + 20)
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    hollow = plt.Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgecolor=HIGHLIGHT_COLOR,
                        label="date inferred")
    solid = plt.Line2D([], [], marker="o", linestyle="", color=HIGHLIGHT_COLOR, label="date stated in a source")
    ax.legend(handles=[solid, hollow], loc="lower left", ncol=2, bbox_to_anchor=(0, 1.0))
    return fig


#: How a year without a placement is drawn, by what is known of it (``summaries.gap_kinds``; <NA>: no placement found).
GAP_MARKERS = {"not in the report": {"marker": "_", "label": "not in the report"},
               "Tier 2 by elimination": {"marker": "o", "label": "Tier 2 by elimination"}}


def _gap_cells(gaps: pd.DataFrame | None, shape) -> dict:
    """kind -> boolean array of the cells of that kind ('' for no placement found)."""
    kinds = gaps.to_numpy(dtype=object, na_value="") if gaps is not None else np.full(shape, "", dtype=object)
    return {kind: kinds == kind for kind in ("", *GAP_MARKERS)}


def tier_grid_chart(grid: pd.DataFrame, partial_years, bold: set[str], focus: str, gaps: pd.DataFrame | None = None):
    """Country × year grid coloured by tier; no placement found = blank with a dot.

    ``gaps`` (``summaries.gap_kinds``) marks the blanks known to be 'not in the report' (a dash) or Tier 2 by
    elimination (a hollow circle in the Tier 2 colour)."""
    cells = _gap_cells(gaps, grid.shape)
    legend_rows = 2 if any(cells[kind].any() for kind in GAP_MARKERS) else 1
    fig, ax = new_figure("double", 0.14 * len(grid) + 0.2, left=1.15, right=0.1, bottom=0.25, top=0.32 + 0.14 * (legend_rows - 1))
    codes = grid.apply(lambda column: column.astype("string").map({t: i for i, t in enumerate(TIERS)})).astype(float)
    years = np.asarray(grid.columns, dtype=float)
    edges_x = np.append(years - 0.5, years[-1] + 0.5)
    edges_y = np.arange(len(grid) + 1) - 0.5
    cmap = ListedColormap([tier_color(t) for t in TIERS])
    ax.pcolormesh(edges_x, edges_y, np.ma.masked_invalid(codes.to_numpy()), cmap=cmap, vmin=-0.5,
                  vmax=len(TIERS) - 0.5, edgecolors="white", linewidth=0.4)
    blank = np.isnan(codes.to_numpy())
    rows, columns = np.nonzero(blank & cells[""])
    ax.scatter(years[columns], rows, s=1.5, color="#bbbbbb")
    extra = []
    for kind, style in GAP_MARKERS.items():
        rows, columns = np.nonzero(blank & cells[kind])
        if len(rows):
            color = tier_color("Tier 2") if kind == "Tier 2 by elimination" else MUTED
            hollow = {"facecolors": "none", "edgecolors": color} if style["marker"] == "o" else {"color": color}
            ax.scatter(years[columns], rows, s=9, marker=style["marker"], linewidth=0.8, **hollow)
            extra.append(plt.Line2D([], [], marker=style["marker"], linestyle="", markerfacecolor="none", color=color,
                                    label=style["label"]))
    focus_row = list(grid.index).index(focus)
    ax.add_patch(Rectangle((grid.columns[0] - 0.5, focus_row - 0.5), len(grid.columns), 1, fill=False,
                           edgecolor=HIGHLIGHT_COLOR, linewidth=1.2))
    for year in partial_years:
        ax.text(year, -0.9, "p", ha="center", va="bottom", fontsize=5.5, color=MUTED)
    ax.set_yticks(range(len(grid)), grid.index)
    for label in ax.get_yticklabels():
        if label.get_text() in bold:
            label.set_fontweight("bold")
    ax.set_ylim(len(grid) - 0.5, -1.2)
    year_axis(ax, grid.columns)
    ax.tick_params(length=0, labelsize=6)
    for spine in ax.spines.values():
        spine.set_visible(False)
    dot = plt.Line2D([], [], marker=".", linestyle="", color="#bbbbbb", label="no placement found")
    partial = plt.Line2D([], [], marker="$p$", linestyle="", color=MUTED, label="partial year")
    handles = [dot, *extra, partial]
    tier_legend(ax, extra=handles, bbox_to_anchor=(0, 1.03), ncol=-(-(len(TIERS) + len(handles)) // legend_rows))
    return fig


#: Speakers coloured by side: blues for the U.S. (report text darker), vermillion for the Cambodian government,
#: grey for neither side; the law's wording quoted is light grey whoever says them.
SPEAKER_COLORS = {"TIP Report text": "#0072b2", "U.S. government": "#56b4e9", "Cambodian government": "#d55e00",
                  "Journalist or award body": "#8a8a8a"}
LAW_WORDING_COLOR = "#d9d9d9"


def quote_space_chart(space: pd.DataFrame):
    """Words quoted per side of the article, split by who speaks (speaker type); opposing sides in opposing hues."""
    from tipreport.analysis.summaries import LAW_WORDING

    table = space.pivot_table(index="side", columns="speaker_type", values="words", aggfunc="sum", fill_value=0)
    table = table.loc[table.sum(axis=1).sort_values().index]
    fig, ax = new_figure("double", 0.36 * len(table), left=2.45, right=0.3)
    kinds = [kind for kind in SPEAKER_COLORS if kind in table.columns]
    left = np.zeros(len(table))
    y = np.arange(len(table))
    for kind in kinds:
        colors = [LAW_WORDING_COLOR if side == LAW_WORDING else SPEAKER_COLORS[kind] for side in table.index]
        ax.barh(y, table[kind], left=left, color=colors, height=0.62, edgecolor="white", linewidth=0.5)
        left += table[kind].to_numpy()
    for position, total in zip(y, left):
        ax.text(total + 3, position, f"{int(total)} words", va="center", fontsize=6.5, color=INK)
    ax.set_yticks(y, table.index)
    ax.set_xlim(0, left.max() * 1.2)
    ax.set_xlabel("words inside quotation marks")
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    handles = [Patch(facecolor=SPEAKER_COLORS[kind], label=kind) for kind in kinds]
    if LAW_WORDING in table.index:
        handles.append(Patch(facecolor=LAW_WORDING_COLOR, label="the law's wording"))
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(-0.5, 1.0), ncol=len(handles), handlelength=1,
              columnspacing=0.8)
    return fig


VERDICT_COLORS = {"confirmed": "#0072b2", "differs": "#d55e00", "not found in the report text we have": "#8c6bb1",
                  "cannot be checked": "#8a8a8a"}


def _nested_quotes(text: str) -> str:
    """Inner double quotation marks made single, so the text can sit inside double ones."""
    return text.replace("“", "‘").replace("”", "’")


def verdict_chart(claims: pd.DataFrame, claim_width: int = 105, data_width: int = 150):
    """One row per claim: the article's words, then the data's and the article's values (wrapped, never cut), and the verdict."""
    import textwrap

    rows = []
    for claim in claims.itertuples():
        said = textwrap.wrap(f"“{_nested_quotes(claim._2)}”", claim_width)
        found = textwrap.wrap(f"our data: {claim._4} · article: {claim._3}", data_width)
        rows.append((said, found, claim.verdict))
    units = sum(1.2 * len(said) + len(found) + 0.9 for said, found, _ in rows)
    fig, ax = new_figure("double", 0.118 * units, left=0.1, right=0.1, bottom=0.05, top=0.05)
    position = 0.0
    for said, found, verdict in rows:
        ax.text(0.0, position, "\n".join(said), ha="left", va="top", fontsize=6.3, color=INK, linespacing=1.25)
        ax.text(1.0, position, verdict, ha="right", va="top", fontsize=6, color="white", fontweight="bold",
                bbox={"boxstyle": "round,pad=0.25", "facecolor": VERDICT_COLORS[verdict], "edgecolor": "none"})
        position += 1.2 * len(said)
        ax.text(0.0, position, "\n".join(found), ha="left", va="top", fontsize=5.3, color=MUTED, linespacing=1.3)
        position += len(found) + 0.9
    ax.set_xlim(0, 1)
    ax.set_ylim(position - 0.6, -0.3)
    ax.axis("off")
    return fig


def movement_chart(movements: pd.DataFrame):
    """Upgrades above and downgrades below zero, as % of the countries placed in both years."""
    fig, ax = new_figure("double", 2.6, left=0.6, top=0.3)
    x = movements["to"].to_numpy()
    n = movements["N"].to_numpy(dtype=float)
    parts = [("upgrade within tier 2", 1, UP_LIGHT), ("upgrade", 1, UP_COLOR),
             ("downgrade within tier 2", -1, DOWN_LIGHT), ("downgrade", -1, DOWN_COLOR)]
    up_base, down_base = np.zeros(len(x)), np.zeros(len(x))
    for column, sign, color in parts:
        share = movements[column].to_numpy(dtype=float) * 100 / n
        if column in ("upgrade", "downgrade"):  # the rest of the moves, beyond the Tier 2 <-> Watch List ones
            share = share - movements[f"{column} within tier 2"].to_numpy(dtype=float) * 100 / n
        base = up_base if sign > 0 else down_base
        bars = ax.bar(x, sign * share, bottom=sign * base, width=0.78, color=color, linewidth=0)
        for bar, partial in zip(bars, movements["partial"]):
            if partial:
                bar.set_hatch(PARTIAL_HATCH)
                bar.set_edgecolor("white")
        base += share
    for position, top, count in zip(x, up_base, movements["N"]):
        ax.text(position, top + 1, str(count), ha="center", va="bottom", fontsize=5.5, color=MUTED)
    for position in x[movements["watch list created"].to_numpy()]:
        ax.annotate("Watch List\nfirst used", (position, -down_base[list(x).index(position)]), xytext=(0, -4),
                    textcoords="offset points", ha="center", va="top", fontsize=5.5, color=INK)
    ax.axhline(0, color=INK, linewidth=0.6)
    limit = max(up_base.max(), down_base.max()) + 8
    ax.set_ylim(-limit - 6, limit)
    ax.yaxis.set_major_formatter(lambda value, _: f"{abs(value):.0f}%")
    ax.set_ylabel("% of countries placed in both years")
    year_axis(ax, x)
    ax.set_xlabel("report year (moves since the previous report)")
    handles = [Patch(facecolor=UP_COLOR, label="up (other)"), Patch(facecolor=UP_LIGHT, label="Watch List → Tier 2"),
               Patch(facecolor=DOWN_COLOR, label="down (other)"), Patch(facecolor=DOWN_LIGHT, label="Tier 2 → Watch List"),
               Patch(facecolor="white", edgecolor=MUTED, hatch=PARTIAL_HATCH, label="involves an incomplete year")]
    ax.legend(handles=handles, ncol=5, loc="lower left", bbox_to_anchor=(0, 1.02), handlelength=1, columnspacing=0.8)
    return fig


#: Marks an incomplete report year in the small multiples (a tick along each panel's top): a light blue,
#: apart from the Special Case grey and the Watch List shading.
INCOMPLETE_TICK_COLOR = SECONDARY_COLOR


def small_multiples_chart(grid: pd.DataFrame, spells: pd.DataFrame, incomplete_years, focus: str, ncols: int = 4,
                          gaps: pd.DataFrame | None = None):
    """One panel per country: tier as a step line by report year, Watch List spells shaded.

    Special Case years get a square in the Special Case colour and years without a placement a
    small cross, both on a strip below Tier 3 (the line breaks there); incomplete report years
    are marked by a short grey tick along the top of each panel. ``grid`` is country × year
    (tiers or <NA>). ``gaps`` (``summaries.gap_kinds``) draws a year known to be 'not in the
    report' as a dash on the strip instead of a cross, and Tier 2 by elimination as a hollow
    circle on the Tier 2 line (not joined to the line).
    """
    ranks = {tier: number for number, tier in enumerate(RANKED_TIERS)}
    strip = len(RANKED_TIERS) - 0.45
    nrows = -(-(len(grid) + 1) // ncols)
    fig, axes = new_figure("double", 1.05 * nrows, left=0.6, right=0.25, bottom=0.2, top=0.1,
                           nrows=nrows, ncols=ncols, sharex=True, sharey=True)
    fig.subplots_adjust(hspace=0.55, wspace=0.12)
    years = np.asarray(grid.columns, dtype=int)
    marked = [year for year in incomplete_years if years[0] <= year <= years[-1]]
    flat = np.atleast_1d(axes).ravel()
    for ax, (country, row) in zip(flat, grid.iterrows()):
        ax.bar(marked, 0.18, bottom=-0.55, width=0.7, color=INCOMPLETE_TICK_COLOR, linewidth=0, zorder=0)
        for spell in spells[spells["country"] == country].itertuples():
            ax.axvspan(spell.first - 0.5, spell.last + 0.5, color=TIER_COLORS["Tier 2 Watch List"], alpha=0.22,
                       linewidth=0, zorder=1)
        tiers = row.astype("string")
        y = np.array([ranks.get(t, np.nan) if pd.notna(t) else np.nan for t in tiers], dtype=float)
        ax.step(years, y, where="mid", color=HIGHLIGHT_COLOR if country == focus else INK, linewidth=1.2, zorder=3)
        ax.scatter(years, y, s=3, color=HIGHLIGHT_COLOR if country == focus else INK, zorder=3)
        special = years[(tiers == SPECIAL_CASE).fillna(False).to_numpy()]
        ax.scatter(special, np.full(len(special), strip), marker="s", s=9, linewidth=0,
                   color=TIER_COLORS[SPECIAL_CASE], zorder=3)
        cells = {kind: cell[0] for kind, cell in _gap_cells(None if gaps is None else gaps.loc[[country]], (1, len(years))).items()}
        missing = years[tiers.isna().to_numpy() & cells[""]]
        ax.scatter(missing, np.full(len(missing), strip), marker="x", s=6, linewidth=0.6, color=MUTED, zorder=3)
        absent = years[cells["not in the report"]]
        ax.scatter(absent, np.full(len(absent), strip), marker="_", s=12, linewidth=0.9, color=MUTED, zorder=3)
        deduced = years[cells["Tier 2 by elimination"]]
        ax.scatter(deduced, np.full(len(deduced), ranks["Tier 2"]), marker="o", s=7, linewidth=0.7, facecolor="white",
                   edgecolor=INK, zorder=3)
        ax.set_title(country, loc="left", fontsize=7, fontweight="bold" if country == focus else "normal", color=INK,
                     pad=2)
        ax.grid(axis="y", color="#dddddd", linewidth=0.4)
        ax.tick_params(length=0, labelsize=5.5)
    for ax in flat[len(grid):]:
        ax.axis("off")
    ax = flat[0]
    ax.set_yticks(range(len(RANKED_TIERS)), [SHORT_LABELS[t] for t in RANKED_TIERS])
    ax.set_ylim(len(RANKED_TIERS) - 0.25, -0.55)
    step = 5
    ax.set_xticks([y for y in years if y % step == 0])
    ax.set_xlim(years[0] - 0.6, years[-1] + 0.6)
    handles = [Patch(facecolor=TIER_COLORS["Tier 2 Watch List"], alpha=0.22, label="Watch List spell"),
               Patch(facecolor=INCOMPLETE_TICK_COLOR, label="incomplete report year"),
               plt.Line2D([], [], marker="s", linestyle="", color=TIER_COLORS[SPECIAL_CASE], markersize=3,
                          label="Special Case"),
               plt.Line2D([], [], marker="x", linestyle="", color=MUTED, markersize=3, label="no placement found")]
    if gaps is not None:
        shown = set(gaps.stack().dropna())
        handles += [plt.Line2D([], [], marker=GAP_MARKERS[kind]["marker"], linestyle="", markerfacecolor="white",
                               color=MUTED if kind == "not in the report" else INK, markersize=3.5,
                               label=GAP_MARKERS[kind]["label"]) for kind in GAP_MARKERS if kind in shown]
    legend_ax = flat[len(grid)] if len(flat) > len(grid) else flat[-1]
    legend_ax.legend(handles=handles, loc="center left", fontsize=6, handlelength=1.2)
    return fig
