"""Unit tests of the shared computations, on small hand-made tables whose answers are known."""

import pandas as pd
import pytest

from tipreport.analysis import movements, summaries
from tipreport.analysis.tiers import TIER_DTYPE


def make_tiers(rows):
    """rows: (report_year, iso3, region, tier[, source_type])."""
    frame = pd.DataFrame([(*row, "dataset")[:5] for row in rows],
                         columns=["report_year", "iso3", "region", "tier", "source_type"])
    frame["country"] = frame["iso3"].str.title()
    frame["tier"] = frame["tier"].astype(TIER_DTYPE)
    return frame


TIERS = make_tiers([
    (2022, "AAA", "Africa", "Tier 1"), (2023, "AAA", "Africa", "Tier 2"),
    (2022, "BBB", "Africa", "Tier 3"), (2023, "BBB", "Africa", "Tier 2 Watch List"),
    (2022, "CCC", "Europe", "Tier 2"), (2023, "CCC", "Europe", "Tier 2"),
    (2022, "DDD", "Europe", "Special Case"), (2023, "DDD", "Europe", "Tier 3"),
    (2022, "EEE", None, "Tier 1"),
    (2023, "FFF", "Europe", "Tier 1"),
])


def test_report_period_runs_april_to_march():
    assert summaries.report_period(2023) == "1 April 2022 – 31 March 2023"


def test_tier_counts_keep_all_five_tiers_with_zeros():
    counts = summaries.tier_counts(TIERS, 2022)
    assert counts.to_dict() == {"Tier 1": 2, "Tier 2": 1, "Tier 2 Watch List": 0, "Tier 3": 1, "Special Case": 1}


def test_a_year_without_placements_is_an_error_not_zeros():
    with pytest.raises(ValueError, match="no tier placements for report year 1999"):
        summaries.tier_counts(TIERS, 1999)


def test_tiers_by_region_gives_the_country_without_a_bureau_its_own_row():
    table = summaries.tiers_by_region(TIERS, 2022)
    assert table.loc[summaries.NO_REGION, "Tier 1"] == 1
    assert table["total"].to_dict() == {"Africa": 2, "Europe": 2, summaries.NO_REGION: 1}
    assert summaries.shares(table).sum(axis=1).round(6).eq(100).all()


def test_changes_use_only_countries_placed_in_both_years():
    changes = movements.moves_between(TIERS, 2022, 2023).set_index("iso3")
    assert sorted(changes.index) == ["AAA", "BBB", "CCC", "DDD"]
    assert changes["move"].to_dict() == {"AAA": "downgrade", "BBB": "upgrade", "CCC": "same", "DDD": "special case"}
    assert changes.loc["AAA", "steps"] == 1 and changes.loc["BBB", "steps"] == -1
    assert pd.isna(changes.loc["DDD", "steps"])


def test_transition_matrix_counts_every_pair_once():
    matrix = summaries.transition_matrix(TIERS, 2022, 2023)
    assert matrix.to_numpy().sum() == 4
    assert matrix.loc["Tier 1", "Tier 2"] == 1 and matrix.loc["Tier 3", "Tier 2 Watch List"] == 1
    assert matrix.loc["Special Case", "Tier 3"] == 1 and matrix.loc["Tier 2", "Tier 2"] == 1


def test_share_of_ranked_leaves_special_cases_out_of_the_denominator():
    counts = summaries.tiers_by_region(TIERS, 2022)  # Europe: CCC Tier 2, DDD Special Case
    shares = summaries.share_of_ranked(counts)
    assert shares["Europe"] == 0 and shares["Africa"] == 50  # Africa: AAA Tier 1, BBB Tier 3
    assert summaries.share_of_ranked(counts, ("Tier 2",))["Europe"] == 100


def test_share_of_ranked_refuses_a_row_without_ranked_governments():
    counts = pd.DataFrame({"Tier 1": [0], "Tier 2": [0], "Tier 2 Watch List": [0], "Tier 3": [0], "Special Case": [2]},
                          index=["Only special cases"])
    with pytest.raises(ValueError, match="no ranked government in row"):
        summaries.share_of_ranked(counts)


@pytest.mark.parametrize("first, second, expected", [
    ("A", "B", True),   # 4/10 vs 3/10: one government less in A ties them
    ("A", "C", False),  # 4/10 vs 1/10: far apart
])
def test_one_country_apart_flags_a_margin_one_government_can_reverse(first, second, expected):
    counts = pd.DataFrame({"Tier 1": [6, 7, 9], "Tier 2": [0, 0, 0], "Tier 2 Watch List": [2, 1, 0], "Tier 3": [2, 2, 1],
                           "Special Case": [0, 0, 5]}, index=["A", "B", "C"])
    assert summaries.one_country_apart(counts, first, second) is expected


def test_tier_history_keeps_missing_years_missing():
    history = summaries.tier_history(TIERS, "EEE")
    assert list(history.index) == [2022, 2023]  # every year of the data, whether or not EEE was placed
    assert history["tier"].notna().sum() == 1
    assert history.loc[2022, "tier"] == "Tier 1" and pd.isna(history.loc[2023, "tier"])
    with pytest.raises(ValueError, match="no placements for 'ZZZ'"):
        summaries.tier_history(TIERS, "ZZZ")


def test_tier_grid_has_every_year_as_a_column():
    grid = summaries.tier_grid({"tiers": pd.concat([TIERS, make_tiers([(2025, "GGG", "Europe", "Tier 1")])])}, ["AAA", "FFF"])
    assert list(grid.columns) == [2022, 2023, 2024, 2025]  # first to latest year of the data, gaps kept
    assert grid.loc["Fff", 2023] == "Tier 1" and pd.isna(grid.loc["Fff", 2022])


LAW = pd.DataFrame({
    "report_year": pd.array([2008, 2008, 2006, 2006, 2023, 2023], dtype="Int64"),
    "data_year": [2005, 2007, 2005, 2005, 2021, 2022],
    "area": ["World", "World", "Africa", "Europe", "East Asia and Pacific", "East Asia and Pacific"],
    "area_type": ["world", "world", "region", "region", "region", "region"],
    "prosecutions": pd.array([100, 200, 60, 50, 10, 35], dtype="Int64"),
    "prosecutions_labor": pd.array([None, 50, None, None, None, None], dtype="Int64"),
    "convictions": pd.array([40, 80, 30, 20, 4, 6], dtype="Int64"),
    "convictions_labor": pd.array([None, 8, None, None, None, None], dtype="Int64"),
    "victims_identified": pd.array([None, 1000, None, None, 100, 120], dtype="Int64"),
    "victims_identified_labor": pd.array([None, 250, None, None, None, None], dtype="Int64"),
    "new_or_amended_legislation": pd.array([5, 6, 2, 2, None, None], dtype="Int64"),
    "series": ["report table"] * 4 + ["article claim"] * 2,
    "evidence": ["primary"] * 4 + ["secondary"] * 2,
})


def test_world_series_computes_labour_shares_and_leaves_gaps_empty():
    world = summaries.world_law_enforcement(LAW).set_index("data_year")
    assert world.loc[2007, "prosecutions_labor_share"] == 25.0
    assert world.loc[2007, "victims_identified_labor_share"] == 25.0
    assert pd.isna(world.loc[2005, "prosecutions_labor_share"])


def test_edition_revisions_show_data_years_printed_by_two_editions():
    revisions = summaries.edition_revisions(LAW)
    assert revisions["data_year"].unique().tolist() == [2005]
    regional = revisions[revisions["table"] == "sum of regional tables"].iloc[0]
    assert regional["prosecutions"] == 110 and regional["report_year"] == 2006


def test_article_change_is_computed_not_typed():
    change = summaries.article_change(LAW, "prosecutions")
    assert change == {"measure": "prosecutions", "2021": 10, "2022": 35, "ratio": 3.5, "percent_change": 250.0}


def test_quote_space_groups_speakers_by_side_and_counts_words():
    quotes = pd.DataFrame({"quote_id": ["Q01", "Q02", "Q03", "Q04"], "quote": ["one two three", "four", "five six", "seven"],
                           "speaker": ["Embassy", "Embassy", "Report", "Minister"],
                           "speaker_type": ["U.S. government", "U.S. government", "TIP Report text", "Cambodian government"],
                           "quote_type": ["x", "x", "y", "x"]})
    space = summaries.quote_space(quotes)
    by_side = space.groupby("side")["words"].sum()
    assert by_side.to_dict() == {"Cambodia (government)": 1, "U.S. (embassy, State Department)": 6}
    assert space.set_index("speaker_type").loc["U.S. government", "quotes"] == 2
    assert space["share_of_words"].sum() == pytest.approx(100, abs=0.1)


def test_quote_space_counts_tier_definitions_apart_from_the_sides():
    quotes = pd.DataFrame({"quote_id": ["Q01", "Q02", "Q03"], "quote": ["Minimum standards,", "fully meet the goal", "we act"],
                           "speaker": ["Report", "Report", "Embassy"],
                           "speaker_type": ["TIP Report text", "TIP Report text", "U.S. government"], "quote_type": ["y", "y", "x"]})
    by_side = summaries.quote_space(quotes).groupby("side")["words"].sum()
    # "fully meet the goal" is longer than the phrase "fully meet": a side's words, not a definition
    assert by_side.to_dict() == {summaries.LAW_WORDING: 2, "U.S. (embassy, State Department)": 6}


def test_quote_space_refuses_a_speaker_type_without_a_side():
    quotes = pd.DataFrame({"quote_id": ["Q01"], "quote": ["a"], "speaker": ["x"], "speaker_type": ["NGO"], "quote_type": ["x"]})
    with pytest.raises(ValueError, match="belong to no side"):
        summaries.quote_space(quotes)


def test_moves_need_placements_in_both_years():
    with pytest.raises(ValueError, match="no tier placements for report year 1999"):
        movements.moves_between(TIERS, 1999, 2022)


def test_a_report_grades_april_of_the_year_before_to_march():
    assert summaries.graded_period(2023) == ("2022-04-01", "2023-03-31")


def gap_tables():
    tiers = make_tiers([(2003, "AAA", "Asia", "Tier 2"), (2004, "AAA", "Asia", "Tier 1"), (2004, "BBB", "Asia", "Tier 3")])
    return {"tiers": tiers, "countries": pd.DataFrame({"iso3": ["AAA", "BBB"], "country": ["Aaa", "Bbb"]}),
            "not_ranked": pd.DataFrame({"report_year": [2003, 2004], "iso3": ["BBB", "BBB"]}),
            "tier2_by_elimination": pd.DataFrame({"report_year": [2005, 2005], "iso3": ["AAA", "BBB"],
                                                  "remaining_tier": ["Tier 2", "Special Case or Tier 2"]})}


def test_gap_kinds_tell_not_in_the_report_and_tier_2_by_elimination_from_no_placement_found():
    tables = gap_tables()
    grid = summaries.tier_grid(tables, ["AAA", "BBB"]).reindex(columns=[2003, 2004, 2005])
    kinds = summaries.gap_kinds(tables, grid)
    assert kinds.at["Bbb", 2003] == summaries.NOT_IN_REPORT
    assert pd.isna(kinds.at["Bbb", 2004])  # placed that year: a not_ranked row never hides a placement
    assert kinds.at["Aaa", 2005] == summaries.BY_ELIMINATION
    assert pd.isna(kinds.at["Bbb", 2005])  # Special Case or Tier 2: not drawn as Tier 2
    assert pd.isna(kinds.at["Aaa", 2003])
    assert summaries.gap_list(kinds) == {summaries.BY_ELIMINATION: ["Aaa 2005"], summaries.NOT_IN_REPORT: ["Bbb 2003"]}


def test_long_date_has_no_leading_zero():
    assert summaries.long_date("2022-07-09") == "9 July 2022"
