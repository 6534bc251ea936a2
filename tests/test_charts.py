"""Chart functions: each draws from real data without error, in the house style, with tier colours."""

import matplotlib
import matplotlib.colors
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from tipreport import load_all
from tipreport.analysis import latest_report, movements, summaries
from tipreport.analysis.completeness import coverage_by_year
from tipreport.analysis.watch_list import spells as watch_list_spells
from tipreport.charts import charts, latest_report_charts
from tipreport.charts.style import TIER_COLORS, WIDTHS

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def tables():
    return load_all()


def facecolors(ax):
    return {matplotlib.colors.to_hex(patch.get_facecolor()) for patch in ax.patches}


def test_coverage_chart_uses_the_tier_colours_and_hatches_partial_years(tables):
    coverage = coverage_by_year(tables)
    fig = charts.coverage_chart(coverage)
    ax = fig.axes[0]
    assert set(TIER_COLORS.values()) <= facecolors(ax)
    hatched = [patch for patch in ax.patches if patch.get_hatch()]
    partial = (~coverage["complete"]).sum()
    assert len(hatched) == partial * len(TIER_COLORS)
    assert fig.get_size_inches()[0] == WIDTHS["double"]
    plt.close(fig)


def test_tier_bars_draws_one_bar_per_tier_in_order(tables):
    counts = summaries.tier_counts(tables["tiers"], 2023)
    fig = charts.tier_bars(counts)
    ax = fig.axes[0]
    assert [matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches] == [TIER_COLORS[t] for t in counts.index]
    assert [round(p.get_width()) for p in ax.patches] == counts.tolist()
    plt.close(fig)


def test_transition_heatmap_labels_every_cell(tables):
    matrix = summaries.transition_matrix(tables["tiers"], 2022, 2023)
    fig = charts.transition_heatmap(matrix)
    labels = sorted(int(text.get_text()) for text in fig.axes[0].texts)
    assert labels == sorted(matrix.to_numpy().ravel().tolist())
    plt.close(fig)


def test_tier_history_chart_leaves_missing_years_undrawn(tables):
    history = summaries.tier_history(tables["tiers"], "KHM").copy()
    history.loc[2010, "tier"] = pd.NA
    fig = charts.tier_history_chart(history, {})
    points = [c for c in fig.axes[0].collections if len(c.get_offsets()) == 1]
    assert len(points) == history["tier"].notna().sum()
    plt.close(fig)


@pytest.mark.parametrize("draw", [
    lambda t: charts.region_share_chart(summaries.tiers_by_region(t["tiers"], 2023)),
    lambda t: charts.tier_share_chart(latest_report.report_tier_shares(t)),
    lambda t: charts.quote_space_chart(summaries.quote_space(t["quotes"])),
    lambda t: charts.timeline_chart(t["events"][t["events"]["date_precision"] == "day"]),
    lambda t: charts.tier_grid_chart(summaries.tier_grid(t, ["KHM", "THA"]), [2016], {"Cambodia"}, "Cambodia"),
    lambda t: latest_report_charts.list_changes_chart({"Tier 3": latest_report.list_changes(t, "Tier 3", [2023, 2024, 2025])}),
    lambda t: latest_report_charts.state_sponsored_chart(latest_report.state_sponsored_grid(t["state_sponsored"]), "Cambodia"),
    lambda t: latest_report_charts.move_bounds_chart(latest_report.tier2_move_bounds(t, 2024, 2025)[0]),
    lambda t: latest_report_charts.regional_trend_chart(latest_report.regional_tier_counts(t)),
])
def test_every_chart_draws_with_a_print_width(tables, draw):
    fig = draw(tables)
    assert fig.get_size_inches()[0] in WIDTHS.values()
    plt.close(fig)


def hand_made_tiers(rows):
    frame = pd.DataFrame(rows, columns=["report_year", "iso3", "tier"])
    return frame.assign(country=frame["iso3"], tier=frame["tier"].astype(summaries.TIER_DTYPE))


def test_transition_heatmap_uses_two_hues_and_drops_an_unused_special_case():
    tiers = hand_made_tiers([(2022, "AAA", "Tier 2"), (2023, "AAA", "Tier 2 Watch List"),
                             (2022, "BBB", "Tier 3"), (2023, "BBB", "Tier 2 Watch List"),
                             (2022, "CCC", "Tier 1"), (2023, "CCC", "Tier 1")])
    fig = charts.transition_heatmap(summaries.transition_matrix(tiers, 2022, 2023))
    ax = fig.axes[0]
    assert "Special Case" not in [label.get_text() for label in ax.get_yticklabels()]
    cells = {(round(p.get_x() + 0.5), round(p.get_y() + 0.5)): matplotlib.colors.to_hex(p.get_facecolor())
             for p in ax.patches if p.get_width() == 1}
    assert cells[(2, 1)] == charts.DOWN_COLOR   # Tier 2 (row 1) -> Watch List (column 2)
    assert cells[(2, 3)] == charts.UP_COLOR     # Tier 3 (row 3) -> Watch List (column 2)
    plt.close(fig)


def test_movement_chart_hatches_every_bar_of_a_pair_with_an_incomplete_year():
    tiers = hand_made_tiers([(2003, "AAA", "Tier 2"), (2004, "AAA", "Tier 2 Watch List"), (2005, "AAA", "Tier 2"),
                             (2003, "BBB", "Tier 1"), (2004, "BBB", "Tier 2"), (2005, "BBB", "Tier 2")])
    movements_table = movements.panel_movements(tiers, incomplete=[2005])
    fig = charts.movement_chart(movements_table)
    hatched = [p for p in fig.axes[0].patches if p.get_hatch()]
    assert len(hatched) == 4  # four stacked parts, one pair (2004 -> 2005) involves the incomplete year
    plt.close(fig)


def test_small_multiples_shade_each_watch_list_spell_once_per_country():
    tiers = hand_made_tiers([(2019, "KHM", "Tier 2 Watch List"), (2020, "KHM", "Tier 2 Watch List"), (2021, "KHM", "Tier 3"),
                             (2019, "LAO", "Tier 2"), (2021, "LAO", "Tier 2 Watch List")])
    grid = tiers.pivot(index="country", columns="report_year", values="tier").reindex(columns=[2019, 2020, 2021])
    spells = watch_list_spells(tiers)
    fig = charts.small_multiples_chart(grid, spells, incomplete_years=[], focus="KHM")
    watch_list = matplotlib.colors.to_hex(TIER_COLORS["Tier 2 Watch List"])
    shaded = [sum(matplotlib.colors.to_hex(p.get_facecolor()) == watch_list for p in ax.patches) for ax in fig.axes[:2]]
    assert shaded == [1, 1]
    plt.close(fig)


def test_small_multiples_draw_a_special_case_year_as_special_case_not_as_missing():
    tiers = hand_made_tiers([(2006, "BRN", "Special Case"), (2007, "BRN", "Tier 2"),
                             (2007, "LAO", "Tier 2")])
    grid = tiers.pivot(index="country", columns="report_year", values="tier").reindex(columns=[2005, 2006, 2007])
    fig = charts.small_multiples_chart(grid, watch_list_spells(tiers), incomplete_years=[2005], focus="BRN")
    special = matplotlib.colors.to_hex(TIER_COLORS["Special Case"])
    brunei = fig.axes[0]
    squares = [c for c in brunei.collections if c.get_offsets().shape[0] and
               matplotlib.colors.to_hex(c.get_facecolor()[0]) == special]
    crosses = [c for c in brunei.collections if c.get_offsets().shape[0] and c is not squares[0]
               and c.get_offsets()[:, 0].tolist() == [2005]]
    assert [list(c.get_offsets()[:, 0]) for c in squares] == [[2006]]
    assert len(crosses) == 1   # 2005: no placement found
    plt.close(fig)


def test_law_enforcement_chart_draws_no_series_for_an_edition_without_the_measure():
    world = pd.DataFrame({"report_year": [2008, 2024], "data_year": [2007, 2023], "prosecutions": [5682, 18774],
                          "convictions": [3427, 7115], "victims_identified": [pd.NA, 133943],
                          "prosecutions_labor_share": [8.6, 19.6], "evidence": ["primary", "secondary"]})
    cross_checks = pd.DataFrame(columns=["data_year", "prosecutions", "doubtful"])
    fig = charts.law_enforcement_chart(world, cross_checks)
    victims = fig.axes[2]
    assert [line.get_label() for line in victims.get_lines()] == ["2024 report (NGO transcription)"]
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()][:2] == ["2008 report", "2024 report (NGO transcription)"]
    plt.close(fig)


def test_quote_space_chart_gives_the_opposing_sides_opposing_hues(tables):
    fig = charts.quote_space_chart(summaries.quote_space(tables["quotes"]))
    colours = facecolors(fig.axes[0])
    assert charts.SPEAKER_COLORS["Cambodian government"] in colours
    assert {charts.SPEAKER_COLORS["TIP Report text"], charts.SPEAKER_COLORS["U.S. government"]} <= colours
    assert charts.LAW_WORDING_COLOR in colours
    plt.close(fig)


def test_verdict_chart_cuts_no_evidence_and_nests_quotation_marks():
    claims = pd.DataFrame({"claim_id": ["a"], "article says": ["failed the “minimum standards”"],
                           "article value": ["x"], "our data": ["word " * 80 + "END"], "verdict": ["differs"]})
    fig = charts.verdict_chart(claims)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "“failed the ‘minimum standards’”" in texts
    assert any(text.replace("\n", " ").endswith("END · article: x") for text in texts)
    assert not any("…" in text for text in texts)
    assert "differs" in texts
    plt.close(fig)


def test_tier_share_chart_dots_tier_2_by_elimination_and_hatches_incomplete_years(tables):
    shares = latest_report.report_tier_shares(tables)
    fig = charts.tier_share_chart(shares)
    ax = fig.axes[0]
    dotted = [p for p in ax.patches if p.get_hatch() == charts.ELIMINATION_HATCH]
    hatched_years = {round(p.get_x() + p.get_width() / 2) for p in ax.patches if p.get_hatch() == charts.PARTIAL_HATCH}
    assert len(dotted) == (shares["basis"] == latest_report.BY_ELIMINATION).sum()
    assert hatched_years == set(shares.index[shares["basis"] == latest_report.FOUND_ONLY])
    plt.close(fig)


def test_timeline_shades_the_period_a_report_graded_only_when_asked(tables):
    dated = tables["events"][tables["events"]["date_precision"] == "day"]
    plain = charts.timeline_chart(dated)
    shaded = charts.timeline_chart(dated, graded_by=2023)
    label = [t.get_text() for t in shaded.axes[0].texts if t.get_text().startswith("period")]
    assert label == ["period the 2023 report graded (1 April 2022 – 31 March 2023)"]
    assert len(shaded.axes[0].patches) == len(plain.axes[0].patches) + 1
    plt.close(plain)
    plt.close(shaded)


def test_gaps_known_to_be_not_in_the_report_or_tier_2_by_elimination_are_drawn_apart_from_no_placement_found():
    tiers = hand_made_tiers([(2004, "KHM", "Tier 2"), (2005, "KHM", "Tier 2"), (2004, "LAO", "Tier 2")])
    grid = tiers.pivot(index="country", columns="report_year", values="tier").reindex(columns=[2003, 2004, 2005])
    gaps = pd.DataFrame(pd.NA, index=grid.index, columns=grid.columns, dtype="string")
    gaps.loc[grid.index[0], 2003] = "not in the report"
    gaps.loc[grid.index[1], 2005] = "Tier 2 by elimination"
    labels = {text.get_text() for text in charts.tier_grid_chart(grid, [], set(), grid.index[0], gaps).axes[0].get_legend().get_texts()}
    assert {"not in the report", "Tier 2 by elimination", "no placement found"} <= labels
    fig = charts.small_multiples_chart(grid, watch_list_spells(tiers), [], grid.index[0], gaps=gaps)
    offsets = [(c.get_offsets()[:, 0].tolist(), c.get_paths()[0]) for c in fig.axes[1].collections if len(c.get_offsets())]
    assert [2005] in [x for x, _ in offsets] and [2003] in [x for x, _ in offsets]
    crosses = [c.get_offsets()[:, 0].tolist() for c in fig.axes[0].collections if len(c.get_offsets())]
    assert [2003] in crosses and [] not in crosses
    assert "not in the report" in {t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()}
    plt.close("all")


def test_step_chart_draws_a_placement_resting_on_news_hollow(tables):
    from tipreport.analysis.country import country_record
    from tipreport.charts import country_chart

    record = country_record("Cambodia", tables)
    fig = country_chart.step_chart(record)
    hollow = [c for c in fig.axes[0].collections if len(c.get_offsets()) and (c.get_facecolor() == 1).all()]
    news = record.loc[record["evidence"].isin(country_chart.INDIRECT_EVIDENCE), "report_year"].tolist()
    assert news and [sorted(c.get_offsets()[:, 0].tolist()) for c in hollow] == [news]
    plt.close(fig)


def test_report_shares_chart_boxes_the_labels_on_dotted_tier_2(tables):
    years = [2023, 2024, 2025]
    fig = latest_report_charts.report_shares_chart(latest_report.report_tier_shares(tables).loc[years],
                                                   latest_report.report_tier_counts(tables).loc[years])
    boxed = [t.get_text() for t in fig.axes[0].texts if t.get_bbox_patch() is not None]
    assert len(boxed) == 2 and all("%" in text for text in boxed)
    plt.close(fig)
