"""TIP tiers as an ordered category, with Special Case kept outside the order.

Step 2 of 4, analysis: may import tipreport.paths, tipreport.fileops, tipreport.data_in and other tipreport.analysis modules; never charts or outputs."""

import pandas as pd

RANKED_TIERS = ("Tier 1", "Tier 2", "Tier 2 Watch List", "Tier 3")
SPECIAL_CASE = "Special Case"
TIERS = RANKED_TIERS + (SPECIAL_CASE,)

#: Display order: the four ranked tiers from best to worst, then Special Case.
#: Do not compare tiers with ``<``/``>`` on this dtype: use :func:`tier_rank`,
#: which is missing for Special Case, so it can never count as "worse than Tier 3".
TIER_DTYPE = pd.CategoricalDtype(TIERS, ordered=True)

SHORT_LABELS = {
    "Tier 1": "Tier 1",
    "Tier 2": "Tier 2",
    "Tier 2 Watch List": "Watch List",
    "Tier 3": "Tier 3",
    "Special Case": "Special Case",
}


def _refuse_unknown(values) -> None:
    """Raise ValueError naming any value that is not a tier."""
    unknown = sorted(set(pd.Series(values, dtype="string").dropna()) - set(TIERS))
    if unknown:
        raise ValueError(f"unknown tier value(s) {unknown}; expected one of {list(TIERS)}")


def tier_rank(tiers: pd.Series) -> pd.Series:
    """Return 1-4 for Tier 1 … Tier 3 (higher is worse) and <NA> for Special Case."""
    ranks = {tier: number for number, tier in enumerate(RANKED_TIERS, start=1)}
    _refuse_unknown(tiers.astype("string"))
    return tiers.astype(str).map(ranks).astype("Int64")


def as_tier(values) -> pd.Series:
    """Convert tier strings to the ordered tier category, refusing unknown values."""
    series = pd.Series(values, dtype="string")
    _refuse_unknown(series)
    return series.astype(TIER_DTYPE)
