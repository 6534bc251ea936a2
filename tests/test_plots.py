"""Chart functions: each draws from real data without error, in the house style, with tier colours."""

import matplotlib
import matplotlib.colors
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from tipreport import analysis, load_all, plots
from tipreport.coverage import coverage_by_year
from tipreport.figures import TIER_COLORS, WIDTHS

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def tables():
    return load_all()


def facecolors(ax):
    return {matplotlib.colors.to_hex(patch.get_facecolor()) for patch in ax.patches}


def test_coverage_chart_uses_the_tier_colours_and_hatches_partial_years(tables):
    coverage = coverage_by_year(tables)
    fig = plots.coverage_chart(coverage)
    ax = fig.axes[0]
    assert set(TIER_COLORS.values()) <= facecolors(ax)
    hatched = [patch for patch in ax.patches if patch.get_hatch()]
    partial = (~coverage["complete"]).sum()
    assert len(hatched) == partial * len(TIER_COLORS)
    assert fig.get_size_inches()[0] == WIDTHS["double"]
    plt.close(fig)


def test_tier_bars_draws_one_bar_per_tier_in_order(tables):
    counts = analysis.tier_counts(tables["tiers"], 2023)
    fig = plots.tier_bars(counts)
    ax = fig.axes[0]
    assert [matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches] == [TIER_COLORS[t] for t in counts.index]
    assert [round(p.get_width()) for p in ax.patches] == counts.tolist()
    plt.close(fig)


def test_transition_heatmap_labels_every_cell(tables):
    matrix = analysis.transition_matrix(tables["tiers"], 2022, 2023)
    fig = plots.transition_heatmap(matrix)
    labels = sorted(int(text.get_text()) for text in fig.axes[0].texts)
    assert labels == sorted(matrix.to_numpy().ravel().tolist())
    plt.close(fig)


def test_tier_history_chart_leaves_missing_years_undrawn(tables):
    history = analysis.tier_history(tables["tiers"], "KHM").copy()
    history.loc[2010, "tier"] = pd.NA
    fig = plots.tier_history_chart(history, {})
    points = [c for c in fig.axes[0].collections if len(c.get_offsets()) == 1]
    assert len(points) == history["tier"].notna().sum()
    plt.close(fig)


@pytest.mark.parametrize("draw", [
    lambda t: plots.region_share_chart(analysis.tiers_by_region(t["tiers"], 2023)),
    lambda t: plots.tier_share_chart(analysis.tier_shares_by_year(t)),
    lambda t: plots.quote_space_chart(analysis.quote_space(t["quotes"])),
    lambda t: plots.timeline_chart(t["events"][t["events"]["date_precision"] == "day"]),
    lambda t: plots.tier_grid_chart(analysis.tier_grid(t, ["KHM", "THA"]), [2016], {"Cambodia"}, "Cambodia"),
])
def test_every_chart_draws_with_a_print_width(tables, draw):
    fig = draw(tables)
    assert fig.get_size_inches()[0] in WIDTHS.values()
    plt.close(fig)
