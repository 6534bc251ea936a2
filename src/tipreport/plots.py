"""Chart functions used by the notebooks. Each takes prepared data and returns a figure
drawn in the collection's style (``tipreport.figures``); saving is separate."""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch, Rectangle

from tipreport.figures import (HIGHLIGHT_COLOR, INK, MUTED, NOT_RANKED_COLOR, SECONDARY_COLOR, TIER_COLORS,
                               new_figure, tier_color)
from tipreport.tiers import RANKED_TIERS, SHORT_LABELS, TIERS

PARTIAL_HATCH = "////"
SOURCE_TYPE_ORDER = ("narrative", "narrative_copy", "gvnet_country", "list", "dataset", "factbook", "news", "wiki", "implied")


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
    palette = plt.get_cmap("cividis")(np.linspace(0.05, 0.95, len(columns)))
    colors = dict(zip(columns, palette))
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


def region_share_chart(counts: pd.DataFrame):
    """100% bars of tiers within each region, labelled with the number of countries."""
    share = counts[list(TIERS)].div(counts["total"], axis=0) * 100
    order = (share["Tier 3"] + share["Tier 2 Watch List"]).sort_values().index
    share, totals = share.loc[order], counts.loc[order, "total"]
    fig, ax = new_figure("double", 0.3 * len(share), left=1.55, right=0.2)
    left = np.zeros(len(share))
    y = np.arange(len(share))
    for tier in TIERS:
        values = share[tier].to_numpy()
        ax.barh(y, values, left=left, color=tier_color(tier), height=0.72)
        for position, start, value in zip(y, left, values):
            if value >= 7:
                dark = tier in ("Tier 2 Watch List", "Tier 3")
                ax.text(start + value / 2, position, f"{value:.0f}%", ha="center", va="center", fontsize=6,
                        color="white" if dark else INK)
        left += values
    ax.set_yticks(y, [f"{region} ({n})" for region, n in zip(share.index, totals)])
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of the region's countries and territories")
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    tier_legend(ax)
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


def world_map_chart(tiers_2023: dict[str, str], highlight):
    """World choropleth of tier placements (Natural Earth boundaries, Equal Earth projection)."""
    from tipreport.maps import draw_tier_map

    fig, ax = new_figure("double", 3.45, left=0.05, right=0.05, bottom=0.05, top=0.2)
    coverage = draw_tier_map(ax, tiers_2023, highlight, colors=TIER_COLORS, not_ranked_color=NOT_RANKED_COLOR)
    tier_legend(ax, extra=[Patch(facecolor=NOT_RANKED_COLOR, edgecolor=MUTED, linewidth=0.4, label="not ranked")])
    return fig, coverage


def transition_heatmap(matrix: pd.DataFrame):
    """Counts of countries moving between tiers from one report to the next."""
    fig, ax = new_figure("single", 2.4, left=0.95, right=0.1, bottom=0.65, top=0.05)
    values = matrix.to_numpy()
    ax.imshow(np.log1p(values), cmap="Greys", vmin=0, vmax=np.log1p(values.max()) * 1.25, aspect="auto")
    for (row, column), value in np.ndenumerate(values):
        ax.text(column, row, str(value), ha="center", va="center", fontsize=7,
                color="white" if value > values.max() / 4 else INK, fontweight="bold" if row == column else "normal")
    labels = [SHORT_LABELS[t] for t in matrix.index]
    ax.set_xticks(range(len(labels)), labels, rotation=35, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel(matrix.columns.name)
    ax.set_ylabel(matrix.index.name)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return fig


def tier_share_chart(shares: pd.DataFrame):
    """Percent of placed countries on each tier by report year; partial years hatched."""
    fig, ax = new_figure("double", 2.3, top=0.3)
    partial = [y for y in shares.index if not shares.loc[y, "complete"]]
    stacked_year_bars(ax, shares, TIERS, TIER_COLORS, partial)
    for year in shares.index:
        ax.text(year, 101, f"{shares.loc[year, 'countries']}", ha="center", va="bottom", fontsize=5.5, color=MUTED)
    year_axis(ax, shares.index)
    ax.set_ylim(0, 108)
    ax.set_yticks([0, 25, 50, 75, 100])
    ax.set_ylabel("% of countries placed that year")
    tier_legend(ax, extra=[Patch(facecolor="white", edgecolor=MUTED, hatch=PARTIAL_HATCH, label="partial year")],
                bbox_to_anchor=(0, 1.05))
    return fig


def law_enforcement_chart(world: pd.DataFrame, cross_checks: pd.DataFrame):
    """Worldwide prosecutions, convictions, victims identified and labour share, by data year and edition."""
    fig, axes = new_figure("double", 3.3, left=0.55, right=0.15, bottom=0.3, top=0.45, nrows=2, ncols=2, sharex=True)
    fig.subplots_adjust(hspace=0.35, wspace=0.3)
    panels = [("prosecutions", "prosecutions"), ("convictions", "convictions"),
              ("victims_identified", "victims identified"), ("prosecutions_labor_share", "labour share of prosecutions, %")]
    editions = sorted(world["report_year"].unique())
    markers = dict(zip(editions, ("o", "s", "D")))
    for ax, (column, label) in zip(axes.flat, panels):
        for edition in editions:
            rows = world[world["report_year"] == edition].dropna(subset=[column])
            ax.plot(rows["data_year"], rows[column], marker=markers[edition], markersize=3, linewidth=1, color=INK,
                    label=f"{edition} report" + (" (NGO transcription)" if (rows["evidence"] == "secondary").all() else ""))
        if column in cross_checks:
            checks = cross_checks.dropna(subset=[column])
            ax.scatter(checks["data_year"], checks[column], s=10, facecolor="none", edgecolor=MUTED, linewidth=0.7,
                       label="quoted elsewhere (cross-check)", zorder=3)
        ax.set_title(label, loc="left", fontsize=7.5, color=INK)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(lambda value, _: f"{value:,.0f}")
        ax.set_xlim(2002, 2024)
        ax.set_xticks([2003, 2008, 2013, 2018, 2023])
    axes[0, 0].legend(loc="lower left", bbox_to_anchor=(0, 1.15), ncol=3)
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
    """One country's tier in every report year; gaps stay gaps, indirect evidence hollow."""
    fig, ax = new_figure("double", 1.8, left=1.0, right=0.2)
    ranks = {t: i for i, t in enumerate(RANKED_TIERS)}
    y = history["tier"].astype("string").map(ranks)
    ax.plot(history.index, y, color=MUTED, linewidth=0.8, zorder=1)
    indirect = history["source_type"].isin(["implied", "news", "wiki"])
    for year, rank in y.dropna().items():
        tier = str(history.loc[year, "tier"])
        ax.scatter([year], [rank], s=42, zorder=2, color="white" if indirect[year] else tier_color(tier),
                   edgecolor=tier_color(tier), linewidth=1.6)
    for year, text in annotations.items():
        ax.annotate(text, (year, y[year]), xytext=(0, -14), textcoords="offset points", ha="center", fontsize=6,
                    color=INK)
    ax.set_yticks(range(len(RANKED_TIERS)), RANKED_TIERS)
    ax.set_ylim(len(RANKED_TIERS) - 0.4, -0.6)
    year_axis(ax, history.index)
    ax.grid(axis="y", color="#dddddd", linewidth=0.5)
    ax.tick_params(axis="y", length=0)
    hollow = plt.Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgecolor=MUTED,
                        label="placement rests on news or an implication")
    ax.legend(handles=[hollow], loc="lower right", bbox_to_anchor=(1, 1.0))
    return fig


def timeline_chart(events: pd.DataFrame):
    """Dated events, one row each, placed on a shared time axis (inferred dates hollow)."""
    events = events.assign(when=pd.to_datetime(events["date"], format="ISO8601")).sort_values("when")
    fig, ax = new_figure("double", 0.27 * len(events), left=0.2, right=0.2, bottom=0.3, top=0.22)
    x = mdates.date2num(events["when"])
    middle = (x.min() + x.max()) / 2
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


def tier_grid_chart(grid: pd.DataFrame, partial_years, bold: set[str], focus: str):
    """Country × year grid coloured by tier; no placement found = blank with a dot."""
    fig, ax = new_figure("double", 0.14 * len(grid) + 0.2, left=1.15, right=0.1, bottom=0.25, top=0.32)
    codes = grid.apply(lambda column: column.astype("string").map({t: i for i, t in enumerate(TIERS)})).astype(float)
    years = np.asarray(grid.columns, dtype=float)
    edges_x = np.append(years - 0.5, years[-1] + 0.5)
    edges_y = np.arange(len(grid) + 1) - 0.5
    cmap = ListedColormap([tier_color(t) for t in TIERS])
    ax.pcolormesh(edges_x, edges_y, np.ma.masked_invalid(codes.to_numpy()), cmap=cmap, vmin=-0.5,
                  vmax=len(TIERS) - 0.5, edgecolors="white", linewidth=0.4)
    rows, columns = np.nonzero(np.isnan(codes.to_numpy()))
    ax.scatter(years[columns], rows, s=1.5, color="#bbbbbb")
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
    tier_legend(ax, extra=[dot, partial], bbox_to_anchor=(0, 1.03))
    return fig


def quote_space_chart(space: pd.DataFrame):
    """Words quoted per side, split by kind of quotation."""
    table = space.pivot_table(index="speaker_type", columns="quote_type", values="words", aggfunc="sum", fill_value=0)
    table = table.loc[table.sum(axis=1).sort_values().index]
    fig, ax = new_figure("double", 0.32 * len(table), left=1.45, right=0.3)
    kinds = [k for k in ("spoken or written statement", "report text", "term or title") if k in table.columns]
    colors = dict(zip(kinds, (HIGHLIGHT_COLOR, SECONDARY_COLOR, "#dddddd")))
    left = np.zeros(len(table))
    y = np.arange(len(table))
    for kind in kinds:
        ax.barh(y, table[kind], left=left, color=colors[kind], height=0.65, label=kind)
        left += table[kind].to_numpy()
    for position, total in zip(y, left):
        ax.text(total + 3, position, f"{int(total)} words", va="center", fontsize=6.5, color=INK)
    ax.set_yticks(y, table.index)
    ax.set_xlim(0, left.max() * 1.18)
    ax.set_xlabel("words inside quotation marks")
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=3)
    return fig


VERDICT_COLORS = {"confirmed": HIGHLIGHT_COLOR, "differs": "#d55e00", "not independently verifiable": "#9a9a9a"}


def verdict_chart(claims: pd.DataFrame):
    """One row per claim: the article's words, what is checked, and the verdict as a coloured label."""
    fig, ax = new_figure("double", 0.19 * len(claims), left=0.1, right=0.1, bottom=0.05, top=0.05)
    for row, (words, checked, verdict) in enumerate(zip(claims["article says"], claims["article value"], claims["verdict"])):
        words = words if len(words) <= 62 else words[:61].rstrip() + "…"
        label = ax.text(0.0, row, f"“{words}”", ha="left", va="center", fontsize=6.5, color=INK)
        ax.annotate(f"  {checked}", xycoords=label, xy=(1, 0.5), ha="left", va="center", fontsize=6, color=MUTED)
        ax.text(0.78, row, verdict, ha="left", va="center", fontsize=6.5, color="white", fontweight="bold",
                bbox={"boxstyle": "round,pad=0.25", "facecolor": VERDICT_COLORS[verdict], "edgecolor": "none"})
    ax.set_xlim(0, 1)
    ax.set_ylim(len(claims) - 0.5, -0.5)
    ax.axis("off")
    return fig
