"""Panel movements and runs of consecutive years, on small hand-made panels (gaps and special cases included)."""

import pandas as pd
import pytest

from tipreport.analysis import movements
from tipreport.analysis.tiers import as_tier

WL = "Tier 2 Watch List"


def panel(rows):
    """A tier table from (year, iso3, tier) triples; the country name is the code."""
    frame = pd.DataFrame(rows, columns=["report_year", "iso3", "tier"])
    return frame.assign(country=frame["iso3"], tier=as_tier(frame["tier"]))


@pytest.fixture
def small():
    return panel([
        (2003, "AAA", "Tier 2"), (2004, "AAA", WL), (2005, "AAA", WL), (2006, "AAA", "Tier 3"),
        (2003, "BBB", "Tier 1"), (2004, "BBB", "Tier 1"), (2005, "BBB", "Tier 2"),           # BBB missing 2006
        (2003, "CCC", "Special Case"), (2004, "CCC", "Special Case"), (2005, "CCC", "Tier 3"), (2006, "CCC", "Tier 3"),
        (2004, "DDD", "Tier 3"), (2005, "DDD", WL), (2006, "DDD", "Tier 2"),
    ])


def test_pairs_use_only_countries_placed_in_both_years(small):
    table = movements.panel_movements(small).set_index("to")
    assert table.loc[2004, "N"] == 3 and table.loc[2005, "N"] == 4 and table.loc[2006, "N"] == 3
    assert table.loc[2004, ["upgrade", "downgrade", "same", "special case"]].tolist() == [0, 1, 2, 0]
    assert table.loc[2005, ["upgrade", "downgrade", "same", "special case"]].tolist() == [1, 1, 1, 1]
    assert table.loc[2004, "same special case"] == 1


def test_tier2_watch_list_moves_are_counted_within_tier_2(small):
    table = movements.panel_movements(small).set_index("to")
    assert table.loc[2004, "downgrade within tier 2"] == 1     # AAA Tier 2 -> WL
    assert table.loc[2005, "upgrade within tier 2"] == 0       # DDD Tier 3 -> WL is not within Tier 2
    assert table.loc[2006, "upgrade within tier 2"] == 1       # DDD WL -> Tier 2
    assert table.loc[2006, "downgrade within tier 2"] == 0     # AAA WL -> Tier 3 is not


def test_watch_list_creation_and_incomplete_pairs_are_flagged(small):
    table = movements.panel_movements(small, incomplete=[2006]).set_index("to")
    assert table["watch list created"].tolist() == [True, False, False]
    assert table["partial"].tolist() == [False, False, True]


def test_a_missing_report_year_gives_no_pair():
    tiers = panel([(2001, "AAA", "Tier 2"), (2003, "AAA", "Tier 3"), (2004, "AAA", WL)])
    assert movements.consecutive_year_pairs(tiers) == [(2003, 2004)]


def test_change_rate_counts_only_pairs_with_both_placements():
    tiers = panel([(2001, "AAA", "Tier 2"), (2002, "AAA", "Tier 3"), (2004, "AAA", "Tier 3"),
                   (2001, "BBB", "Tier 1"), (2002, "BBB", "Tier 1"), (2003, "BBB", "Tier 1")])
    rates = movements.change_rate(tiers, ["AAA", "BBB"]).set_index("iso3")
    assert rates.loc["AAA", ["pairs", "changed", "share changed %", "rank"]].tolist() == [1, 1, 100.0, 1]
    assert rates.loc["BBB", ["pairs", "changed", "share changed %", "rank"]].tolist() == [2, 0, 0.0, 2]


def test_consecutive_runs_end_at_every_missing_year():
    assert movements.consecutive_runs([2009, 2005, 2006, 2007, 2011, 2012]) == [(2005, 2007), (2009, 2009), (2011, 2012)]
    assert movements.consecutive_runs([]) == []
