"""Tier ordering helpers."""

import pandas as pd
import pytest

from tipreport.analysis.tiers import TIER_DTYPE, as_tier, tier_rank


def test_tier_rank_orders_ranked_tiers_and_leaves_special_case_out():
    ranks = tier_rank(pd.Series(["Tier 3", "Tier 1", "Special Case", "Tier 2 Watch List", "Tier 2"]))
    assert ranks.tolist()[:2] == [4, 1]
    assert ranks.isna().tolist() == [False, False, True, False, False]
    assert ranks[3] == 3 and ranks[4] == 2


def test_as_tier_refuses_unknown_values():
    with pytest.raises(ValueError, match=r"unknown tier value\(s\) \['Tier 4'\]"):
        as_tier(["Tier 1", "Tier 4"])


def test_as_tier_gives_the_ordered_dtype_sorting_best_to_worst():
    tiers = as_tier(["Special Case", "Tier 3", "Tier 1", "Tier 2 Watch List"])
    assert tiers.dtype == TIER_DTYPE
    assert tiers.sort_values().tolist() == ["Tier 1", "Tier 2 Watch List", "Tier 3", "Special Case"]


def test_tier_rank_refuses_free_strings():
    with pytest.raises(ValueError):
        tier_rank(pd.Series(["Tier 2 watchlist"]))
