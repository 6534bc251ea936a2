"""The latest reports against each other: complete lists, the state-sponsored list, Tier 2 bounds.

In the latest reports only some tier lists are complete (their count equals a published
count); Tier 2 is then known only *by elimination* (``tier2_by_elimination.csv``: absent from
every complete list, so Tier 2 or, for a few, Special Case). This module compares what those
complete lists allow exactly, counts Tier 2 moves as a lower and an upper bound, and computes
a report year's tier shares from its published counts instead of the countries found.

Step 2 of 4, analysis: may import tipreport.paths, tipreport.fileops, tipreport.data_in and other tipreport.analysis modules; never charts or outputs."""

from __future__ import annotations

import pandas as pd

from tipreport.analysis.completeness import year_status
from tipreport.analysis.movements import classify_moves
from tipreport.analysis.tiers import SPECIAL_CASE, TIERS

TIER_2 = "Tier 2"
#: The label of a country left by elimination with more than one possible tier.
UNDETERMINED = "Tier 2 or Special Case"
#: How a year's tier counts were obtained.
COMPLETE = "complete list"
BY_ELIMINATION = "published counts, Tier 2 by elimination"
FOUND_ONLY = "countries found (incomplete list)"
#: The lists that must be complete (found = published) before Tier 2 can be had by elimination.
ELIMINATION_NEEDS = ("Tier 1", "Tier 2 Watch List", "Tier 3")


def list_is_complete(tables: dict, year: int, tier: str) -> bool:
    """True when the year is complete, or the tier's count found equals a published count."""
    status = year_status(tables)
    if year not in status.index:
        return False
    return bool(status.at[year, "complete"]) or status.at[year, f"{tier} status"] == "matches the published count"


def complete_list(tables: dict, year: int, tier: str) -> pd.DataFrame:
    """The countries on ``tier`` in ``year`` (iso3, country); raises unless the list is complete."""
    if not list_is_complete(tables, year, tier):
        raise ValueError(f"the {year} report's {tier} list is not complete in the data: no exact comparison possible")
    tiers = tables["tiers"]
    rows = tiers[(tiers["report_year"] == year) & (tiers["tier"].astype(str) == tier)]
    return rows[["iso3", "country"]].sort_values("country").reset_index(drop=True)


def placement_labels(tables: dict, year: int) -> pd.Series:
    """iso3 -> the year's tier, or '<tier> (by elimination)' for a deduced country; others absent."""
    tiers = tables["tiers"]
    placed = tiers[tiers["report_year"] == year].set_index("iso3")["tier"].astype(str)
    deduced = tables["tier2_by_elimination"]
    deduced = deduced[deduced["report_year"] == year].set_index("iso3")["remaining_tier"].astype(str) + " (by elimination)"
    overlap = sorted(set(placed.index) & set(deduced.index))
    if overlap:
        raise ValueError(f"tier2_by_elimination.csv, report year {year}: {overlap} also have a placement in tiers.csv")
    return pd.concat([placed, deduced])


def list_changes(tables: dict, tier: str, years) -> pd.DataFrame:
    """Who joined and who left a complete tier list between consecutive years of ``years``.

    Columns: year_from, year_to, change ('joined' or 'left'), iso3, country, other_year_tier (the
    placement in the other year, '(by elimination)' when deduced, 'no placement found' otherwise).
    """
    years = sorted(years)
    names = tables["countries"].set_index("iso3")["country"]
    rows = []
    for year_from, year_to in zip(years, years[1:]):
        before = set(complete_list(tables, year_from, tier)["iso3"])
        after = set(complete_list(tables, year_to, tier)["iso3"])
        labels_from, labels_to = placement_labels(tables, year_from), placement_labels(tables, year_to)
        for change, members, other in (("joined", after - before, labels_from), ("left", before - after, labels_to)):
            for iso3 in sorted(members, key=lambda code: names.get(code, code)):
                rows.append({"year_from": year_from, "year_to": year_to, "change": change, "iso3": iso3,
                             "country": names.get(iso3, iso3), "other_year_tier": other.get(iso3, "no placement found")})
    columns = ["year_from", "year_to", "change", "iso3", "country", "other_year_tier"]
    return pd.DataFrame(rows, columns=columns)


def list_sizes(tables: dict, tiers, years) -> pd.DataFrame:
    """Number of countries on each complete list (rows: tiers, columns: years)."""
    return pd.DataFrame({year: {tier: len(complete_list(tables, year, tier)) for tier in tiers} for year in years})


def group_on_tier(tables: dict, year: int, tier: str, group: str = "southeast_asia") -> list[str]:
    """Names of a group's countries (a boolean column of countries.csv) on a complete tier list."""
    countries = tables["countries"]
    members = set(countries.loc[countries[group].astype(bool), "iso3"])
    rows = complete_list(tables, year, tier)
    return rows.loc[rows["iso3"].isin(members), "country"].tolist()


def state_sponsored_grid(state_sponsored: pd.DataFrame) -> pd.DataFrame:
    """Country × report year: True where the report names the government for a 'policy or pattern'."""
    grid = pd.crosstab(state_sponsored["country"], state_sponsored["report_year"]).astype(bool)
    years = range(int(state_sponsored["report_year"].min()), int(state_sponsored["report_year"].max()) + 1)
    grid = grid.reindex(columns=list(years), fill_value=False)
    order = grid.apply(lambda row: (-row.sum(), row.name), axis=1).sort_values().index
    return grid.loc[order]


def state_sponsored_changes(state_sponsored: pd.DataFrame) -> pd.DataFrame:
    """Per report year: the list's size, and who joined and left since the year before."""
    by_year = state_sponsored.groupby("report_year")["country"].apply(set).sort_index()
    rows = []
    for year, members in by_year.items():
        before = by_year.get(year - 1)
        rows.append({"report_year": int(year), "governments": len(members),
                     "joined": ", ".join(sorted(members - before)) if before is not None else "(first list)",
                     "left": ", ".join(sorted(before - members)) if before is not None else ""})
    return pd.DataFrame(rows)


def first_year_on_list(state_sponsored: pd.DataFrame, iso3: str) -> int | None:
    """The first report year naming ``iso3`` for a 'policy or pattern' (None if never)."""
    years = state_sponsored.loc[state_sponsored["iso3"] == iso3, "report_year"]
    return int(years.min()) if len(years) else None


def _possible(label: str) -> list[str]:
    """The tiers a placement label allows ('Special Case or Tier 2 (by elimination)' allows two)."""
    possible = label.removesuffix(" (by elimination)").split(" or ")
    unknown = sorted(set(possible) - set(TIERS))
    if unknown:
        raise ValueError(f"placement {label!r}: {unknown} is not a tier")
    return possible


def tier2_move_bounds(tables: dict, year_from: int, year_to: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Moves between two reports counted as bounds, when Tier 2 is partly known by elimination.

    A country counts when it is placed or deduced in both years. ``lower`` counts a move only
    when both placements were read; ``upper`` adds every move a deduced placement allows (a
    deduction with two possible tiers adds to each move it allows). Returns (bounds per move:
    move, lower, upper; every country with a deduced end: country, from, to, possible moves).
    """
    before, after = placement_labels(tables, year_from), placement_labels(tables, year_to)
    both = sorted(set(before.index) & set(after.index))
    read_rows, deduced_rows = [], []
    for iso3 in both:
        moves = set()
        for tier_from in _possible(before[iso3]):
            for tier_to in _possible(after[iso3]):
                moves.add(str(classify_moves(pd.Series([tier_from]), pd.Series([tier_to]))["move"].iloc[0]))
        if "(by elimination)" in before[iso3] or "(by elimination)" in after[iso3]:
            deduced_rows.append({"iso3": iso3, "from": before[iso3], "to": after[iso3], "possible moves": ", ".join(sorted(moves))})
        else:
            read_rows.append(moves.pop())
    read = pd.Series(read_rows, dtype="string").value_counts()
    deduced = pd.DataFrame(deduced_rows, columns=["iso3", "from", "to", "possible moves"])
    names = tables["countries"].set_index("iso3")["country"]
    deduced.insert(1, "country", deduced["iso3"].map(names))
    bounds = []
    for move in ("upgrade", "downgrade", "same", "special case"):
        lower = int(read.get(move, 0))
        possible = int(deduced["possible moves"].str.split(", ").map(lambda moves, move=move: move in moves).sum())
        bounds.append({"move": move, "lower": lower, "upper": lower + possible})
    table = pd.DataFrame(bounds)
    table.attrs.update(countries=len(both), read=len(read_rows), deduced=len(deduced_rows))
    return table, deduced.sort_values("country").reset_index(drop=True)


def report_tier_counts(tables: dict) -> pd.DataFrame:
    """Per report year: countries on each tier *of the report*, the denominator and how it was obtained.

    - complete years: the placements found (basis 'complete list');
    - years with an elimination table whose Tier 1, Watch List and Tier 3 lists are complete
      against a published number of governments: those lists and the special cases found, Tier 2
      the published total minus all of them (checked against the Tier 2 rows found plus the
      deduced ones); ``UNDETERMINED`` counts the deduced countries that may be Special Cases;
    - other years: the countries found (basis 'countries found (incomplete list)'), never a share
      of the report.

    Columns: the five tiers, UNDETERMINED, total, basis, ``Tier 2 published`` (every exact
    published Tier 2 count, for comparison).
    """
    status = year_status(tables)
    tiers = tables["tiers"]
    deduced = tables["tier2_by_elimination"]
    rows = []
    for year in status.index:
        found = tiers[tiers["report_year"] == year]["tier"].astype(str).value_counts()
        counts = {tier: int(found.get(tier, 0)) for tier in TIERS}
        counts[UNDETERMINED] = 0
        own = deduced[deduced["report_year"] == year]
        published = status.at[year, "published"]
        if status.at[year, "complete"]:
            basis, total = COMPLETE, sum(counts.values())
        elif len(own) and pd.notna(published) and all(list_is_complete(tables, year, t) for t in ELIMINATION_NEEDS):
            undetermined = int((own["remaining_tier"] != TIER_2).sum())
            rest = int(published) - sum(counts[t] for t in (*ELIMINATION_NEEDS, SPECIAL_CASE)) - undetermined
            expected = counts[TIER_2] + int((own["remaining_tier"] == TIER_2).sum())
            if rest != expected:
                raise ValueError(f"report year {year}: published total {published} leaves {rest} for Tier 2, but "
                                 f"{expected} are placed or deduced there (tiers.csv, tier2_by_elimination.csv)")
            counts[TIER_2], counts[UNDETERMINED] = rest, undetermined
            basis, total = BY_ELIMINATION, int(published)
        else:
            basis, total = FOUND_ONLY, sum(counts.values())
        rows.append({"report_year": int(year), **counts, "total": total, "basis": basis,
                     "Tier 2 published": status.at[year, "Tier 2 published"]})
    return pd.DataFrame(rows).astype({"Tier 2 published": "Int64"}).set_index("report_year")


def report_tier_shares(tables: dict) -> pd.DataFrame:
    """``report_tier_counts`` with each tier (and UNDETERMINED) as a percent of the year's total."""
    counts = report_tier_counts(tables)
    columns = [*TIERS, UNDETERMINED]
    shares = counts[columns].div(counts["total"], axis=0).mul(100)
    return shares.join(counts[["total", "basis"]])


def regional_tier_counts(tables: dict) -> pd.DataFrame:
    """Report year × region: countries per tier, with deduced Tier 2 counted where a year is had by elimination.

    Long table: report_year, region, the five tiers, UNDETERMINED, total, basis (as in
    ``report_tier_counts``). Countries in no regional bureau are left out.
    """
    basis = report_tier_counts(tables)["basis"]
    regions = tables["countries"].set_index("iso3")["region"]
    placed = tables["tiers"][["report_year", "iso3", "tier"]].assign(tier=lambda f: f["tier"].astype(str))
    deduced = tables["tier2_by_elimination"][["report_year", "iso3", "remaining_tier"]].rename(columns={"remaining_tier": "tier"})
    deduced = deduced[deduced["report_year"].map(basis) == BY_ELIMINATION]
    deduced = deduced.assign(tier=deduced["tier"].where(deduced["tier"] == TIER_2, UNDETERMINED))
    rows = pd.concat([placed, deduced], ignore_index=True).assign(region=lambda f: f["iso3"].map(regions)).dropna(subset=["region"])
    table = pd.crosstab([rows["report_year"], rows["region"]], rows["tier"]).reindex(columns=[*TIERS, UNDETERMINED], fill_value=0)
    table.columns.name = None
    table["total"] = table.sum(axis=1)
    table = table.reset_index()
    table["basis"] = table["report_year"].map(basis)
    return table
