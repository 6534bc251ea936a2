"""Computed completeness on small hand-made tables whose answers are known."""

import pandas as pd
import pytest

from tipreport.analysis.completeness import missing_known_from_adjacent_years, published_counts, read_stated, year_status
from tipreport.analysis.tiers import TIER_DTYPE


def make_tables(placements, statements, not_ranked=()):
    """placements: (year, iso3, tier); statements: (year, countries_ranked, tier1, tier3)."""
    tiers = pd.DataFrame(placements, columns=["report_year", "iso3", "tier"])
    tiers["tier"] = tiers["tier"].astype(TIER_DTYPE)
    totals = pd.DataFrame([{"report_year": year, "countries_ranked": countries, "tier1": tier1, "tier2": None,
                            "watch_list": None, "tier3": tier3, "special_cases": None, "source_id": f"S{i:08x}"}
                           for i, (year, countries, tier1, tier3) in enumerate(statements)])
    countries = pd.DataFrame({"iso3": sorted(set(tiers["iso3"]))})
    countries["country"] = countries["iso3"].str.title()
    return {"tiers": tiers, "published_totals": totals, "countries": countries,
            "not_ranked": pd.DataFrame(list(not_ranked), columns=["report_year", "iso3"])}


TABLES = make_tables(
    [(2020, "AAA", "Tier 1"), (2020, "BBB", "Tier 3"), (2020, "CCC", "Tier 2"),
     (2021, "AAA", "Tier 1"), (2021, "BBB", "Tier 3"),
     (2022, "AAA", "Tier 1"), (2022, "BBB", "Tier 3"), (2022, "CCC", "Tier 2"),
     (2023, "AAA", "Tier 1")],
    [(2020, "3", "1", None), (2021, "3", None, "1"), (2021, "more than 2", None, None),
     (2022, "2", "1", "2"), (2023, None, "1", None)],
)


@pytest.mark.parametrize("text, expected", [
    ("188", ("exact", 188)),
    ("187 (+3 special cases)", ("exact", 190)),
    ("1 (Haiti)", ("exact", 1)),
    ("30 (?)", ("uncertain", 30)),
    ("about 164", ("approximate", 164)),
    ("more than 80", ("lower bound", 81)),
    ("over 150", ("lower bound", 151)),
    ("20+", ("lower bound", 20)),
    ("133 (incl. WL?)", ("unclear", None)),
    ("27 (June) / 33 (after Sept reassessment)", ("unclear", None)),
])
def test_read_stated_reads_only_what_the_phrase_says(text, expected):
    assert read_stated(text) == expected


def test_published_counts_has_one_row_per_stated_measure():
    counts = published_counts(TABLES["published_totals"])
    assert len(counts) == 9
    assert counts.loc[counts["stated"] == "more than 2", "kind"].item() == "lower bound"


def test_a_year_is_complete_only_when_the_count_matches_a_published_number():
    status = year_status(TABLES)
    assert status["complete"].tolist() == [True, False, False, False]
    assert status.loc[2020, "status"] == "complete"
    assert status.loc[2021, "status"] == "2 of 3 found"
    assert status.loc[2022, "status"].startswith("3 found, above every published count")
    assert status.loc[2023, "status"] == "no published count" and pd.isna(status.loc[2023, "published"])


def test_tiers_are_checked_against_their_own_statements():
    status = year_status(TABLES)
    assert status.loc[2020, "Tier 1 status"] == "matches the published count"
    assert status.loc[2022, "Tier 3 status"] == "1 of 2 found (1 missing)"
    assert status.loc[2021, "Tier 1 status"] == "no published count"
    assert status.loc[2023, "Tier 1 published"] == 1


def test_the_most_often_stated_number_is_the_published_one():
    tables = make_tables([(2025, "AAA", "Tier 1")], [(2025, "188", None, None), (2025, "185", None, None),
                                                     (2025, "188", None, None)])
    assert year_status(tables).loc[2025, "published"] == 188


def test_missing_countries_come_from_the_neighbouring_years_and_not_ranked_is_kept_apart():
    tables = make_tables(TABLES["tiers"].values.tolist(), [(2020, "3", None, None)], not_ranked=[(2021, "CCC")])
    missing = missing_known_from_adjacent_years(tables)
    assert missing[["report_year", "iso3", "not_ranked"]].values.tolist() == [
        [2021, "CCC", True], [2023, "BBB", False], [2023, "CCC", False]]
