"""The latest-report comparisons on small hand-made tables whose answers are known.

Two report years, 2024 (complete: five countries, a published total of 5) and 2025 (Tier 1,
Watch List and Tier 3 complete against published counts, Tier 2 partly found, the rest deduced).
"""

import pandas as pd
import pytest

from tipreport.analysis import latest_report as lr
from tipreport.analysis.tiers import TIER_DTYPE

PLACEMENTS = [
    (2024, "AAA", "Tier 1"), (2024, "BBB", "Tier 2"), (2024, "CCC", "Tier 2 Watch List"), (2024, "DDD", "Tier 3"),
    (2024, "EEE", "Tier 2"), (2024, "FFF", "Tier 2"),
    (2025, "AAA", "Tier 1"), (2025, "BBB", "Tier 2"), (2025, "CCC", "Tier 3"), (2025, "DDD", "Tier 2 Watch List"),
]
#: 2025: EEE and FFF absent from every complete list, so Tier 2 (FFF: Special Case or Tier 2) by elimination.
DEDUCED = [(2025, "EEE", "Tier 2"), (2025, "FFF", "Special Case or Tier 2")]
REGIONS = {"AAA": "Africa", "BBB": "Africa", "CCC": "Europe", "DDD": "Europe", "EEE": "Europe", "FFF": None}


def make_tables(placements=PLACEMENTS, deduced=DEDUCED, total_2025="6", state_sponsored=()):
    tiers = pd.DataFrame(placements, columns=["report_year", "iso3", "tier"])
    tiers["tier"] = tiers["tier"].astype(TIER_DTYPE)
    tiers["country"] = tiers["iso3"].str.title()
    totals = pd.DataFrame([
        {"report_year": 2024, "countries_ranked": "6", "tier1": None, "tier2": None, "watch_list": None, "tier3": None,
         "special_cases": None, "source_id": "S1"},
        {"report_year": 2025, "countries_ranked": total_2025, "tier1": "1", "tier2": "3", "watch_list": "1", "tier3": "1",
         "special_cases": None, "source_id": "S2"}])
    countries = pd.DataFrame({"iso3": list(REGIONS), "country": [c.title() for c in REGIONS], "region": list(REGIONS.values()),
                              "southeast_asia": [c in ("CCC", "DDD") for c in REGIONS]})
    elimination = pd.DataFrame(list(deduced), columns=["report_year", "iso3", "remaining_tier"])
    listed = pd.DataFrame(list(state_sponsored), columns=["report_year", "iso3", "country"])
    return {"tiers": tiers, "published_totals": totals, "countries": countries, "tier2_by_elimination": elimination,
            "state_sponsored": listed}


def test_a_list_is_complete_when_the_year_is_or_its_count_matches_a_published_one():
    tables = make_tables()
    assert lr.list_is_complete(tables, 2024, "Tier 2")
    assert lr.list_is_complete(tables, 2025, "Tier 3")
    assert not lr.list_is_complete(tables, 2025, "Tier 2")
    with pytest.raises(ValueError, match="2025 report's Tier 2 list is not complete"):
        lr.complete_list(tables, 2025, "Tier 2")


def test_list_changes_name_who_joined_and_left_with_the_other_years_placement():
    changes = lr.list_changes(make_tables(), "Tier 3", [2024, 2025]).set_index("iso3")
    assert changes["change"].to_dict() == {"CCC": "joined", "DDD": "left"}
    assert changes["other_year_tier"].to_dict() == {"CCC": "Tier 2 Watch List", "DDD": "Tier 2 Watch List"}


def test_a_deduced_placement_is_labelled_as_one():
    changes = lr.list_changes(make_tables(), "Tier 2 Watch List", [2024, 2025]).set_index("iso3")
    assert changes.loc["CCC", "other_year_tier"] == "Tier 3"
    labels = lr.placement_labels(make_tables(), 2025)
    assert labels["EEE"] == "Tier 2 (by elimination)"


def test_a_country_both_placed_and_deduced_is_refused():
    with pytest.raises(ValueError, match=r"report year 2025: \['BBB'\] also have a placement"):
        lr.placement_labels(make_tables(deduced=[*DEDUCED, (2025, "BBB", "Tier 2")]), 2025)


def test_group_on_tier_names_the_groups_members_on_a_complete_list():
    assert lr.group_on_tier(make_tables(), 2025, "Tier 3") == ["Ccc"]
    assert lr.group_on_tier(make_tables(), 2025, "Tier 1") == []


def test_move_bounds_count_read_moves_below_and_add_every_move_a_deduction_allows_above():
    bounds, deduced = lr.tier2_move_bounds(make_tables(), 2024, 2025)
    table = bounds.set_index("move")
    # read in both: AAA same, BBB same, CCC down (WL -> T3), DDD up (T3 -> WL)
    assert table["lower"].to_dict() == {"upgrade": 1, "downgrade": 1, "same": 2, "special case": 0}
    # EEE Tier 2 -> Tier 2 (deduced): same; FFF Tier 2 -> Special Case or Tier 2: same or special case
    assert table["upper"].to_dict() == {"upgrade": 1, "downgrade": 1, "same": 4, "special case": 1}
    assert bounds.attrs == {"countries": 6, "read": 4, "deduced": 2}
    assert deduced.set_index("iso3")["possible moves"].to_dict() == {"EEE": "same", "FFF": "same, special case"}


def test_report_counts_use_the_published_total_and_leave_tier_2_to_elimination():
    counts = lr.report_tier_counts(make_tables())
    assert counts.loc[2024, "basis"] == lr.COMPLETE and counts.loc[2024, "total"] == 6
    row = counts.loc[2025]
    assert row["basis"] == lr.BY_ELIMINATION
    assert (row["Tier 1"], row["Tier 2"], row["Tier 2 Watch List"], row["Tier 3"], row[lr.UNDETERMINED]) == (1, 2, 1, 1, 1)
    assert row["total"] == 6 and row["Tier 2 published"] == 3
    shares = lr.report_tier_shares(make_tables())
    assert round(shares.loc[2025, "Tier 2"], 6) == round(200 / 6, 6)


def test_report_counts_refuse_a_published_total_the_placements_do_not_add_up_to():
    with pytest.raises(ValueError, match="report year 2025: published total 7 leaves 3 for Tier 2, but 2 are placed"):
        lr.report_tier_counts(make_tables(total_2025="7"))


def test_a_year_without_a_usable_published_total_is_a_share_of_the_countries_found():
    counts = lr.report_tier_counts(make_tables(total_2025=None))
    assert counts.loc[2025, "basis"] == lr.FOUND_ONLY and counts.loc[2025, "total"] == 4


def test_regional_counts_add_deduced_tier_2_and_leave_out_countries_without_a_region():
    regional = lr.regional_tier_counts(make_tables()).set_index(["report_year", "region"])
    assert regional.loc[(2025, "Europe"), "Tier 2"] == 1  # EEE, deduced
    assert regional.loc[(2025, "Europe"), "total"] == 3
    assert regional.loc[(2024, "Africa"), "total"] == 2
    assert "FFF" not in regional.to_string()
    assert regional.loc[(2025, "Europe"), "basis"] == lr.BY_ELIMINATION


def test_state_sponsored_changes_and_first_year():
    listed = [(2020, "AAA", "Aaa"), (2020, "BBB", "Bbb"), (2021, "AAA", "Aaa"), (2022, "AAA", "Aaa"), (2022, "CCC", "Ccc")]
    tables = make_tables(state_sponsored=listed)
    changes = lr.state_sponsored_changes(tables["state_sponsored"]).set_index("report_year")
    assert changes["governments"].to_dict() == {2020: 2, 2021: 1, 2022: 2}
    assert changes.loc[2021, "left"] == "Bbb" and changes.loc[2022, "joined"] == "Ccc"
    assert lr.first_year_on_list(tables["state_sponsored"], "CCC") == 2022
    assert lr.first_year_on_list(tables["state_sponsored"], "DDD") is None
    grid = lr.state_sponsored_grid(tables["state_sponsored"])
    assert list(grid.index) == ["Aaa", "Bbb", "Ccc"] and grid.loc["Bbb"].tolist() == [True, False, False]
