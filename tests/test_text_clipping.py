"""No text may leave the canvas: save_figure refuses a figure whose text runs off it."""

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from tipreport import load_all
from tipreport.analysis import claims, latest_report, movements, summaries, watch_list
from tipreport.charts import charts, latest_report_charts, watch_list_charts
from tipreport.charts.style import annotate, new_figure, save_figure, texts_off_canvas

matplotlib.use("Agg")


def test_a_text_past_the_right_edge_is_reported():
    fig, ax = new_figure("single", 1.0)
    ax.text(0.9, 0.5, "a label that runs far past the right edge of the canvas", transform=ax.transAxes)
    clipped = texts_off_canvas(fig)
    assert len(clipped) == 1 and "runs far past" in clipped[0]
    plt.close(fig)


def test_a_figure_inside_the_canvas_passes():
    fig, ax = new_figure("single", 1.0)
    ax.plot([2001, 2024], [0, 1])
    annotate(fig, "A short title", "A subtitle", "Source: test")
    assert texts_off_canvas(fig) == []
    plt.close(fig)


def test_a_long_bold_title_is_wrapped_inside_a_single_column_figure():
    fig, ax = new_figure("single", 1.0)
    annotate(fig, "W" * 12 + " 24 governments moved up and 20 down from the 2022 to the 2023 report, more than ever",
             "subtitle", "Source: test")
    assert texts_off_canvas(fig) == []
    plt.close(fig)


def test_save_figure_refuses_clipped_text_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("TIP_FIGURES_DIR", str(tmp_path))
    fig, ax = new_figure("single", 1.0)
    ax.set_ylabel("a y label " * 3)
    ax.text(-0.9, 0.5, "off the left edge", transform=ax.transAxes)
    with pytest.raises(ValueError, match="off the canvas"):
        save_figure(fig, "clipped", title="t", subtitle="s", alt_text="a", data=pd.DataFrame({"x": [1]}), notebook="n")
    assert list(tmp_path.iterdir()) == []
    plt.close(fig)


@pytest.fixture(scope="module")
def tables():
    return load_all()


CHARTS = {
    "transitions": lambda t: charts.transition_heatmap(summaries.transition_matrix(t["tiers"], 2022, 2023)),
    "regions": lambda t: charts.region_share_chart(summaries.tiers_by_region(t["tiers"], 2023), note="Not a bar: a note"),
    "shares": lambda t: charts.tier_share_chart(latest_report.report_tier_shares(t)),
    "movements": lambda t: charts.movement_chart(movements.panel_movements(t["tiers"], movements.incomplete_years(t))),
    "spells": lambda t: watch_list_charts.spell_outcome_chart(watch_list.check_spells(
        t["tiers"], t["watch_list_rules"], t["watch_list_waivers"], t["watch_list_waiver_coverage"],
        by_elimination=t["tier2_by_elimination"])),
    "southeast asia": lambda t: charts.small_multiples_chart(
        summaries.tier_grid(t, t["countries"].loc[t["countries"]["southeast_asia"], "iso3"]),
        watch_list.spells(t["tiers"]), movements.incomplete_years(t), "Cambodia",
        gaps=summaries.gap_kinds(t, summaries.tier_grid(t, t["countries"].loc[t["countries"]["southeast_asia"], "iso3"]))),
    "east asia grid": lambda t: charts.tier_grid_chart(
        summaries.tier_grid(t, t["countries"].loc[t["countries"]["region"] == "East Asia and Pacific", "iso3"]),
        movements.incomplete_years(t), {"Cambodia"}, "Cambodia",
        summaries.gap_kinds(t, summaries.tier_grid(t, t["countries"].loc[t["countries"]["region"] == "East Asia and Pacific", "iso3"]))),
    "list changes": lambda t: latest_report_charts.list_changes_chart(
        {tier: latest_report.list_changes(t, tier, [2023, 2024, 2025]) for tier in ("Tier 3", "Tier 2 Watch List")}),
    "state sponsored": lambda t: latest_report_charts.state_sponsored_chart(
        latest_report.state_sponsored_grid(t["state_sponsored"]), "Cambodia"),
    "move bounds": lambda t: latest_report_charts.move_bounds_chart(latest_report.tier2_move_bounds(t, 2024, 2025)[0]),
    "report shares": lambda t: latest_report_charts.report_shares_chart(
        latest_report.report_tier_shares(t).loc[[2023, 2024, 2025]], latest_report.report_tier_counts(t).loc[[2023, 2024, 2025]]),
    "regional trend": lambda t: latest_report_charts.regional_trend_chart(latest_report.regional_tier_counts(t)),
    "verdicts": lambda t: charts.verdict_chart(claims.check_claims(t)),
}


@pytest.mark.parametrize("name", CHARTS)
def test_each_chart_keeps_its_text_on_the_canvas_with_a_long_title(tables, name):
    fig = CHARTS[name](tables)
    annotate(fig, "A finding stated as a title that is long enough to need wrapping on a narrow figure, "
                  "as titles here often are", "Measure and period, also long enough to wrap once or twice", "Source: test")
    assert texts_off_canvas(fig) == []
    plt.close(fig)


def test_an_error_while_measuring_the_texts_is_raised_and_nothing_is_written(tmp_path, monkeypatch):
    """matplotlib's callback registry would swallow a listener's error under a GUI loop: save_figure raises it itself."""
    from tipreport.charts import style

    def broken(*args):
        raise LookupError("measuring failed")

    monkeypatch.setenv("TIP_FIGURES_DIR", str(tmp_path))
    monkeypatch.setattr(style, "_texts_off_canvas", broken)
    fig, ax = new_figure("single", 1.0)
    with pytest.raises(LookupError, match="measuring failed"):
        save_figure(fig, "unmeasured", title="t", subtitle="s", alt_text="a", data=pd.DataFrame({"x": [1]}), notebook="n")
    assert list(tmp_path.iterdir()) == []
    plt.close(fig)
