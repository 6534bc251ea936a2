"""Movement across the whole panel, and runs of consecutive years.

Everything is derived from the tier table: the report years, which of them are
incomplete, the first year with a Watch List placement. A year with no placement
for a country is a gap: it ends a run and is never bridged. Watch List spells and
their time limit are in ``tipreport.analysis.watch_list``.

Step 2 of 4, analysis: may import tipreport.paths, tipreport.fileops, tipreport.data_in and other tipreport.analysis modules; never charts or outputs."""

from __future__ import annotations

import pandas as pd

from tipreport.analysis.completeness import year_status
from tipreport.analysis.tiers import SPECIAL_CASE, tier_rank

WATCH_LIST = "Tier 2 Watch List"
TIER_2 = "Tier 2"

MOVES = ("upgrade", "downgrade", "same", "special case")


def incomplete_years(tables: dict) -> list[int]:
    """Report years whose list is not known to be complete (computed by ``coverage.year_status``)."""
    status = year_status(tables)
    return sorted(int(y) for y in status.index[~status["complete"].astype(bool)])


def watch_list_first_year(tiers: pd.DataFrame) -> int:
    """The first report year with any Watch List placement in the data."""
    years = tiers.loc[tiers["tier"] == WATCH_LIST, "report_year"]
    if years.empty:
        raise ValueError("no Watch List placement in the data")
    return int(years.min())


def consecutive_year_pairs(tiers: pd.DataFrame) -> list[tuple[int, int]]:
    """(year, year + 1) for every two consecutive report years that both have placements."""
    years = set(int(y) for y in tiers["report_year"].unique())
    return [(y, y + 1) for y in sorted(years) if y + 1 in years]


def classify_moves(tier_from: pd.Series, tier_to: pd.Series) -> pd.DataFrame:
    """move (upgrade/downgrade/same/special case) and whether it stays within Tier 2 in the law's terms.

    The Watch List is part of Tier 2 in the statute (§ 7107(b)(2)(A)(ii)-(iii): countries
    "listed pursuant to paragraph (1)(B)"), so Tier 2 <-> Watch List moves are flagged.
    """
    step = tier_rank(tier_to) - tier_rank(tier_from)
    same_value = tier_from.astype(str) == tier_to.astype(str)
    special = (tier_from.astype(str) == SPECIAL_CASE) | (tier_to.astype(str) == SPECIAL_CASE)
    move = pd.Series("same", index=tier_from.index)
    move[(step < 0).fillna(False)] = "upgrade"
    move[(step > 0).fillna(False)] = "downgrade"
    move[special & ~same_value] = "special case"
    ends = pd.DataFrame({"from": tier_from.astype(str), "to": tier_to.astype(str)})
    within = ends.isin([TIER_2, WATCH_LIST]).all(axis=1) & ~same_value
    return pd.DataFrame({"move": move, "steps": step, "within_tier_2": within})


def placements(tiers: pd.DataFrame, year: int) -> pd.DataFrame:
    """The placements of one report year; raises if that year has none."""
    rows = tiers[tiers["report_year"] == year]
    if rows.empty:
        raise ValueError(f"no tier placements for report year {year}")
    return rows


def moves_between(tiers: pd.DataFrame, year_from: int, year_to: int) -> pd.DataFrame:
    """Countries placed in both years (fixed denominator), by name: tier_from, tier_to, move, steps, within_tier_2."""
    before = placements(tiers, year_from)[["iso3", "country", "tier"]]
    after = placements(tiers, year_to)[["iso3", "tier"]]
    pairs = before.merge(after, on="iso3", suffixes=("_from", "_to"), validate="one_to_one")
    pairs = pairs.sort_values("country").reset_index(drop=True)
    return pd.concat([pairs, classify_moves(pairs["tier_from"], pairs["tier_to"])], axis=1)


def panel_movements(tiers: pd.DataFrame, incomplete=()) -> pd.DataFrame:
    """Per consecutive pair of report years: N placed in both, upgrades, downgrades, unchanged.

    ``same`` counts countries whose value did not change, a Special Case that stayed one
    included (``same special case`` says how many). ``upgrade/downgrade within tier 2``
    count the moves between Tier 2 and the Watch List (moves within Tier 2 in the law's terms). ``partial`` marks pairs
    involving an incomplete year; ``watch list created`` the pair into the first Watch List year.
    """
    created = watch_list_first_year(tiers)
    incomplete = set(incomplete)
    rows = []
    for year_from, year_to in consecutive_year_pairs(tiers):
        moves = moves_between(tiers, year_from, year_to)
        counts = moves["move"].value_counts()
        kept_special = ((moves["move"] == "same") & (moves["tier_from"].astype(str) == SPECIAL_CASE)).sum()
        rows.append({"from": year_from, "to": year_to, "N": len(moves),
                     **{move: int(counts.get(move, 0)) for move in MOVES},
                     "same special case": int(kept_special),
                     "upgrade within tier 2": int((moves["within_tier_2"] & (moves["move"] == "upgrade")).sum()),
                     "downgrade within tier 2": int((moves["within_tier_2"] & (moves["move"] == "downgrade")).sum()),
                     "changed %": round(100 * (len(moves) - counts.get("same", 0)) / len(moves), 1) if len(moves) else None,
                     "partial": bool({year_from, year_to} & incomplete),
                     "watch list created": year_to == created})
    return pd.DataFrame(rows)


def change_rate(tiers: pd.DataFrame, iso3s) -> pd.DataFrame:
    """Per country: consecutive-year pairs with both placements, pairs with a change, share changed."""
    rows = []
    for iso3 in iso3s:
        own = tiers[tiers["iso3"] == iso3].set_index("report_year")["tier"].astype(str)
        pairs = [(y, y + 1) for y in own.index if y + 1 in own.index]
        changed = sum(own[a] != own[b] for a, b in pairs)
        name = tiers.loc[tiers["iso3"] == iso3, "country"]
        rows.append({"iso3": iso3, "country": name.iloc[0] if len(name) else iso3, "pairs": len(pairs),
                     "changed": int(changed), "share changed %": round(100 * changed / len(pairs), 1) if pairs else None})
    table = pd.DataFrame(rows).sort_values(["share changed %", "country"], ascending=[False, True], na_position="last")
    table["rank"] = table["share changed %"].rank(ascending=False, method="min").astype("Int64")
    return table.reset_index(drop=True)


def consecutive_runs(years) -> list[tuple[int, int]]:
    """(first, last) of each run of consecutive years: a missing year ends a run, never bridged."""
    runs: list[tuple[int, int]] = []
    for year in sorted(years):
        if runs and year == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], year)
        else:
            runs.append((year, year))
    return runs
