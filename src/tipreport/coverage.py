"""How complete the tier table is, report year by report year."""

import pandas as pd

from tipreport.tiers import TIERS

#: Completeness of each report year in ``tiers.csv``, as the reference curation states
#: it (shared/reference/README.md and tiers/NOTES*.md): every placement found for
#: 2020-2023; 2001-2015 as coded by the Kelley & Heiss dataset (nearly complete);
#: 2016-2019 and 2024 only partly found.
COMPLETE_YEARS = frozenset(range(2020, 2024))
PARTIAL_YEARS = frozenset({2016, 2017, 2018, 2019, 2024})


def coverage_status(year: int) -> str:
    """'complete', 'partial' or 'nearly complete' for a report year."""
    if year in COMPLETE_YEARS:
        return "complete"
    if year in PARTIAL_YEARS:
        return "partial"
    return "nearly complete"


def coverage_by_year(tiers: pd.DataFrame) -> pd.DataFrame:
    """Countries placed per report year, by tier, with the year's completeness."""
    counts = pd.crosstab(tiers["report_year"], tiers["tier"]).reindex(columns=list(TIERS), fill_value=0)
    counts.columns = [str(column) for column in counts.columns]
    counts.insert(0, "countries", counts.sum(axis=1))
    counts["status"] = [coverage_status(int(year)) for year in counts.index]
    counts.columns.name = None
    return counts
