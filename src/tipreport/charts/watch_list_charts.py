"""The Watch List spells chart: spells by counted length, one panel per rule, stacked by outcome.

Step 3 of 4, charts: may import tipreport.paths, tipreport.fileops, tipreport.data_in, tipreport.analysis and other tipreport.charts modules; never outputs."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from tipreport.analysis.watch_list import LEFT_BY_ELIMINATION, OUTCOMES
from tipreport.charts.style import INK, MUTED, TIER_COLORS, new_figure

#: One distinguishable fill per outcome: blue up and vermillion down (the movement chart's hues; dark for Tier 3
#: past the limit, pale before the automatic downgrade), sky blue dotted for a move off the list deduced by
#: elimination, the Watch List's colour for spells still open, Special Case grey, and white with a hatch for a gap.
OUTCOME_STYLE = {
    "upgraded": {"color": "#0072b2"},
    "to Tier 3 when the automatic downgrade applied": {"color": "#d55e00"},
    "to Tier 3 before the automatic downgrade": {"color": "#f2b58c"},
    "to Tier 3 past the limit": {"color": "#7a2a00"},
    "Special Case": {"color": TIER_COLORS["Special Case"]},
    LEFT_BY_ELIMINATION: {"color": "#56b4e9", "hatch": "....", "edgecolor": "white"},
    "ended at a gap": {"color": "white", "hatch": "////", "edgecolor": MUTED},
    "still open": {"color": TIER_COLORS["Tier 2 Watch List"]},
}
OVER_LIMIT_SHADE = "#f0f0f0"


def panel_label(regime: str, rule: str, limit: int) -> str:
    """A panel title: the period, the rule and its limit."""
    return f"{regime}, rule {rule}:\nat most {limit} counted year{'s' if limit != 1 else ''}"


def spell_outcome_chart(checked: pd.DataFrame):
    """Spells by years counted against their limit, one panel per (period, rule, limit), stacked by outcome.

    Each panel runs at least one year past its limit, shaded, so that an empty "past the limit" column
    shows as a 0 rather than as a missing bar.

    ``checked`` is :func:`tipreport.analysis.watch_list.check_spells`' table.
    """
    groups = list(checked.groupby(["regime", "rule", "limit"], sort=True))
    widths = [max(int(g["years against the limit"].max()), int(limit) + 1) + 1 for (_, _, limit), g in groups]
    fig, axes = new_figure("double", 2.1, left=0.5, right=0.25, bottom=0.45, top=1.05, ncols=len(groups),
                           gridspec_kw={"width_ratios": widths}, sharey=True)
    fig.subplots_adjust(wspace=0.12)
    axes = np.atleast_1d(axes)
    tallest = checked.groupby(["regime", "rule", "limit", "years against the limit"]).size().max()
    for ax, ((regime, rule, limit), group), width in zip(axes, groups, widths):
        lengths = np.arange(1, width)
        table = pd.crosstab(group["years against the limit"], group["outcome"]).reindex(index=lengths, fill_value=0)
        ax.axvspan(limit + 0.5, width - 0.5, color=OVER_LIMIT_SHADE, linewidth=0, zorder=0)
        ax.axvline(limit + 0.5, color=INK, linewidth=0.7, linestyle=(0, (3, 2)), zorder=1)
        ax.text(limit + 0.55, tallest * 1.12, "past the limit", ha="left", va="top", fontsize=6, color=MUTED)
        bottom = np.zeros(len(lengths))
        for outcome in [o for o in OUTCOMES if o in table.columns]:
            values = table[outcome].to_numpy(dtype=float)
            style = OUTCOME_STYLE[outcome]
            ax.bar(lengths, values, bottom=bottom, width=0.7, color=style["color"], hatch=style.get("hatch"),
                   edgecolor=style.get("edgecolor", "white"), linewidth=0.4, zorder=2)
            bottom += values
        for position, total in zip(lengths, bottom):
            if total or position > limit:
                ax.text(position, total + tallest * 0.015, str(int(total)), ha="center", va="bottom", fontsize=6.5,
                        color=INK)
        ax.set_xticks(lengths, [str(v) for v in lengths])
        ax.set_xlim(0.4, width - 0.4)
        ax.set_title(panel_label(regime, rule, int(limit)), loc="left", fontsize=7, color=INK, pad=4)
        ax.tick_params(axis="x", length=0)
    axes[0].set_ylim(0, tallest * 1.15)
    axes[0].set_ylabel("spells")
    fig.supxlabel("consecutive Watch List years counted against the limit (under (F), only years in reports it governs)",
                  fontsize=7,
                  y=fig.subplotpars.bottom * 0.45, color=INK)
    handles = [Patch(facecolor=OUTCOME_STYLE[o]["color"], hatch=OUTCOME_STYLE[o].get("hatch"),
                     edgecolor=OUTCOME_STYLE[o].get("edgecolor", "none"), label=textwrap.fill(o, 30))
               for o in OUTCOMES if o in set(checked["outcome"])]
    axes[0].legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.2), ncol=4,
                   handlelength=1, columnspacing=0.9, fontsize=6.5)
    return fig
