"""One country's tier over every report year as a step chart, in the figures' style.

Used by notebook 07 and by the site's country pages. Years without a placement stay
gaps in the line and are labelled under the axis ("?" not found, "–" not in the report,
"P" graded as part of a predecessor, "S" succeeded) in a strip that is grey where the
year's list is only partly found; Watch List spells are shaded; a placement resting on indirect
evidence (news, a wiki, an implication) is a hollow dot.

Step 3 of 4, charts: may import tipreport.paths, tipreport.fileops, tipreport.data_in, tipreport.analysis and other tipreport.charts modules; never outputs."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from tipreport.analysis.country import watch_list_spells
from tipreport.analysis.tiers import RANKED_TIERS, SHORT_LABELS, SPECIAL_CASE
from tipreport.charts.style import INK, MUTED, TIER_COLORS, new_figure

#: Lanes from top to bottom: the ranked tiers (best first), then Special Case apart.
LANES = RANKED_TIERS + (SPECIAL_CASE,)
GAP_MARKS = {"not found": "?", "not in report": "–", "part of predecessor": "P", "succeeded": "S"}
GAP_WORDS = {"not found": "not found", "not in report": "not in the report",
             "part of predecessor": "graded as part of a predecessor", "succeeded": "succeeded"}
PARTIAL_COLOR = "#dddddd"
#: Evidence types drawn as a hollow dot: the placement rests on news, a wiki or an implication (as in notebook 04).
INDIRECT_EVIDENCE = ("implied", "news", "wiki")


def step_chart(record: pd.DataFrame):
    """A figure of ``record`` (``country.country_record``); returns the matplotlib figure."""
    fig, ax = new_figure("double", 1.55, left=0.95, right=0.15, bottom=0.42, top=0.3)
    years = record["report_year"].to_numpy()
    lane = {tier: number for number, tier in enumerate(LANES)}
    y = np.array([lane.get(str(t), np.nan) if pd.notna(t) else np.nan for t in record["tier"]], dtype=float)
    ranked = np.where(y < len(RANKED_TIERS), y, np.nan)
    spells = watch_list_spells(record)
    ax.bar([(first + last) / 2 for first, last in spells], len(LANES) + 0.1, [last - first + 1 for first, last in spells],
           bottom=-0.6, color=TIER_COLORS["Tier 2 Watch List"], alpha=0.13, linewidth=0, zorder=0)
    strip = len(LANES) - 0.2  # a row under the lanes: partial years in grey, gaps marked
    partial = years[(record["year_status"] != "complete").to_numpy()]
    ax.bar(partial, 0.5, 0.9, bottom=strip - 0.25, color=PARTIAL_COLOR, linewidth=0, zorder=0)
    ax.step(years, ranked, where="mid", color=MUTED, linewidth=0.9, zorder=1)
    placed = ~np.isnan(y)
    indirect = record["evidence"].isin(INDIRECT_EVIDENCE).to_numpy() & placed
    direct = placed & ~indirect
    ax.scatter(years[direct], y[direct], s=26, color=[TIER_COLORS[str(t)] for t in record["tier"][direct]],
               edgecolor=INK, linewidth=0.4, zorder=2)
    ax.scatter(years[indirect], y[indirect], s=26, facecolor="white", linewidth=1.4, zorder=2,
               edgecolor=[TIER_COLORS[str(t)] for t in record["tier"][indirect]])
    for year, state in zip(years, record["state"]):
        if state in GAP_MARKS:
            ax.text(year, strip, GAP_MARKS[state], ha="center", va="center", fontsize=6.5, color=MUTED)
    ax.axhline(len(RANKED_TIERS) - 0.5, color=MUTED, linewidth=0.4, linestyle=(0, (2, 2)))
    ax.set_yticks(range(len(LANES)), [SHORT_LABELS[tier] for tier in LANES])
    ax.set_ylim(strip + 0.35, -0.6)
    ax.set_xlim(years.min() - 0.6, years.max() + 0.6)
    ax.set_xticks(years[::2] if len(years) > 14 else years)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="y", color="#e6e6e6", linewidth=0.5)
    handles = [Patch(facecolor=TIER_COLORS["Tier 2 Watch List"], alpha=0.13, label="Watch List spell"),
               Patch(facecolor=PARTIAL_COLOR, label="year only partly found")]
    if indirect.any():
        handles.append(plt.Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgecolor=MUTED,
                                  label="rests on news or an implication"))
    shown = [state for state in GAP_MARKS if (record["state"] == state).any()]
    handles += [plt.Line2D([], [], linestyle="", marker=f"${GAP_MARKS[s]}$", color=MUTED, label=GAP_WORDS[s])
                for s in shown]
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=len(handles), handlelength=1.2,
              columnspacing=1.0, borderaxespad=0.2)
    return fig


def headline(record: pd.DataFrame) -> str:
    """The chart's title: the latest placement and how long it has lasted."""
    name = record.attrs["country"]
    years = [(year, placement) for year, state, placement in
             zip(record["report_year"], record["state"], record["placement"]) if state == "placed"]
    if not years:
        return f"{name}: no placement found in any report"
    last_year, last = years[-1]
    start = last_year
    for year, placement in reversed(years[:-1]):
        if placement != last or year != start - 1:
            break
        start = year
    since = f", in every report since {start}" if start < last_year else ""
    if record["state"].iloc[-1] == "succeeded":
        return f"{name}: {last} in the {last_year} report, its last as one government{since}"
    return f"{name}: {last} in the {last_year} report{since}"


def subtitle(record: pd.DataFrame) -> str:
    years = record["report_year"]
    return f"Tier placement in each Trafficking in Persons Report, {years.min()}–{years.max()} (report years)"


def alt_text(record: pd.DataFrame) -> str:
    """Every year's placement, in words (the chart's alternative text)."""
    parts = "; ".join(f"{year}: {placement}" for year, placement in zip(record["report_year"], record["placement"]))
    return f"Step chart of {record.attrs['country']}'s tier in each report year. {parts}."
