"""Computations the notebooks share: tier counts, transitions, histories, law-enforcement series.

Every function takes the validated tables (``load_all()``) and returns a DataFrame or
Series; nothing here reads files or fills gaps. Missing placements stay missing.

Step 2 of 4, analysis: may import tipreport.paths, tipreport.fileops, tipreport.data_in and other tipreport.analysis modules; never charts or outputs."""

from __future__ import annotations

import pandas as pd

from tipreport.analysis.movements import moves_between, placements
from tipreport.analysis.tiers import RANKED_TIERS, TIER_DTYPE, TIERS

NO_REGION = "No regional bureau"


def report_period(report_year: int) -> str:
    """The period a report edition grades: 1 April of the year before to 31 March."""
    return f"1 April {report_year - 1} – 31 March {report_year}"


def graded_period(report_year: int) -> tuple[str, str]:
    """First and last day (ISO dates) of the period a report edition grades (22 U.S.C. 7107(b)(1))."""
    return f"{report_year - 1}-04-01", f"{report_year}-03-31"


def tier_counts(tiers: pd.DataFrame, year: int) -> pd.Series:
    """Countries on each tier in a report year (all five values, zeros kept)."""
    counts = placements(tiers, year)["tier"].value_counts().reindex(list(TIERS), fill_value=0)
    counts.index.name = "tier"
    return counts.rename("countries")


def tiers_by_region(tiers: pd.DataFrame, year: int) -> pd.DataFrame:
    """Region × tier counts for one year, with a total column; the U.S. is its own row."""
    rows = placements(tiers, year).assign(region=lambda f: f["region"].fillna(NO_REGION))
    table = pd.crosstab(rows["region"], rows["tier"]).reindex(columns=list(TIERS), fill_value=0)
    table.columns = [str(c) for c in table.columns]
    table.columns.name = None
    table["total"] = table.sum(axis=1)
    return table


def shares(counts: pd.DataFrame) -> pd.DataFrame:
    """Row shares in percent of each tier column (the 'total' column is the denominator)."""
    return counts[list(TIERS)].div(counts["total"], axis=0).mul(100)


def group_placements(tables: dict, year: int, group: str) -> pd.DataFrame:
    """Placements in one comparison group: 'southeast_asia' or a region name."""
    countries = tables["countries"]
    if group == "southeast_asia":
        members = countries.loc[countries["southeast_asia"], "iso3"]
    else:
        members = countries.loc[countries["region"] == group, "iso3"]
        if members.empty:
            raise ValueError(f"unknown group {group!r}")
    rows = placements(tables["tiers"], year)
    return rows[rows["iso3"].isin(members)].sort_values(["tier", "country"])[["iso3", "country", "tier"]]


def transition_matrix(tiers: pd.DataFrame, year_from: int, year_to: int) -> pd.DataFrame:
    """Counts of countries by tier in ``year_from`` (rows) and ``year_to`` (columns)."""
    pairs = moves_between(tiers, year_from, year_to)
    matrix = pd.crosstab(pairs["tier_from"], pairs["tier_to"]).reindex(index=list(TIERS), columns=list(TIERS), fill_value=0)
    matrix.index = pd.Index([str(t) for t in matrix.index], name=f"{year_from} report")
    matrix.columns = pd.Index([str(t) for t in matrix.columns], name=f"{year_to} report")
    return matrix


def report_years(tiers: pd.DataFrame) -> pd.RangeIndex:
    """Every report year from the first to the latest in the data (years without rows included)."""
    return pd.RangeIndex(int(tiers["report_year"].min()), int(tiers["report_year"].max()) + 1, name="report_year")


def tier_history(tiers: pd.DataFrame, iso3: str) -> pd.DataFrame:
    """One country's placement in every report year of the data; years without a placement are <NA>."""
    rows = tiers[tiers["iso3"] == iso3].set_index("report_year")
    if rows.empty:
        raise ValueError(f"no placements for {iso3!r}")
    history = rows[["tier", "source_type"]].reindex(report_years(tiers))
    history["tier"] = history["tier"].astype(TIER_DTYPE)
    return history


def tier_grid(tables: dict, iso3s) -> pd.DataFrame:
    """Country × report-year table of tiers (<NA> where no placement was found)."""
    tiers = tables["tiers"]
    rows = tiers[tiers["iso3"].isin(list(iso3s))]
    grid = rows.pivot(index="country", columns="report_year", values="tier")
    return grid.reindex(columns=list(report_years(tiers)))


#: What a country-year without a placement is known to be (``gap_kinds``).
NOT_IN_REPORT = "not in the report"
BY_ELIMINATION = "Tier 2 by elimination"


def gap_kinds(tables: dict, grid: pd.DataFrame) -> pd.DataFrame:
    """For each empty cell of a ``tier_grid``: ``NOT_IN_REPORT`` where not_ranked.csv says the country was not in that
    report, ``BY_ELIMINATION`` where tier2_by_elimination.csv leaves it only Tier 2, else <NA> (no placement found)."""
    names = tables["countries"].set_index("iso3")["country"]
    kinds = pd.DataFrame(pd.NA, index=grid.index, columns=grid.columns, dtype="string")
    deduced = tables["tier2_by_elimination"]
    deduced = deduced[deduced["remaining_tier"].astype(str) == "Tier 2"]
    for table, kind in ((tables["not_ranked"], NOT_IN_REPORT), (deduced, BY_ELIMINATION)):
        for row in table.itertuples():
            country = names.get(row.iso3)
            if country in kinds.index and row.report_year in kinds.columns and pd.isna(grid.at[country, row.report_year]):
                kinds.at[country, row.report_year] = kind
    return kinds


def gap_list(gaps: pd.DataFrame) -> dict[str, list[str]]:
    """``gap_kinds`` as kind -> ['country year', ...] (kinds sorted, cells in grid order)."""
    cells = gaps.stack().dropna()
    return {kind: [f"{country} {year}" for (country, year), k in cells.items() if k == kind] for kind in sorted(set(cells))}


def long_date(date) -> str:
    """An ISO date as '19 July 2022' (day without a leading zero)."""
    date = pd.Timestamp(date)
    return f"{date.day} {date:%B %Y}"


def world_law_enforcement(law: pd.DataFrame) -> pd.DataFrame:
    """Worldwide figures from the report tables, one row per edition and data year, with labour shares."""
    world = law[(law["area_type"] == "world") & (law["series"] == "report table")].copy()
    for measure in ("prosecutions", "convictions", "victims_identified"):
        world[f"{measure}_labor_share"] = (world[f"{measure}_labor"] / world[measure] * 100).round(1)
    columns = ["report_year", "data_year", "prosecutions", "convictions", "victims_identified",
               "prosecutions_labor_share", "convictions_labor_share", "victims_identified_labor_share", "evidence"]
    return world.sort_values(["data_year", "report_year"])[columns].reset_index(drop=True)


def world_cross_checks(law: pd.DataFrame) -> pd.DataFrame:
    """Worldwide figures quoted by other sources, with ``doubtful`` where the row's note calls it a likely error."""
    checks = law[(law["series"] == "cross-check") & (law["area_type"] == "world")].copy()
    checks["doubtful"] = checks["note"].fillna("").str.contains("likely an error", case=False, regex=False).astype(bool)
    return checks


def edition_revisions(law: pd.DataFrame) -> pd.DataFrame:
    """Data years printed with different values by different sources (world and regions summed)."""
    tables = law[law["series"] == "report table"]
    world = tables[tables["area_type"] == "world"].assign(table="world table")
    regions = (tables[tables["area_type"] == "region"]
               .groupby(["report_year", "data_year"], as_index=False)[["prosecutions", "convictions", "new_or_amended_legislation"]]
               .sum().assign(table="sum of regional tables"))
    both = pd.concat([world, regions], ignore_index=True)
    years = both.groupby("data_year")["report_year"].nunique()
    revised = both[both["data_year"].isin(years[years > 1].index)]
    columns = ["data_year", "report_year", "table", "prosecutions", "convictions", "new_or_amended_legislation"]
    return revised[columns].sort_values(["data_year", "report_year"]).reset_index(drop=True)


def article_change(law: pd.DataFrame, measure: str) -> dict:
    """The article's East Asia and Pacific change for a measure: before, after, ratio, percent change."""
    claims = law[law["series"] == "article claim"].set_index("data_year")[measure]
    before, after = int(claims.loc[2021]), int(claims.loc[2022])
    return {"measure": measure, "2021": before, "2022": after,
            "ratio": round(after / before, 2), "percent_change": round((after / before - 1) * 100, 1)}


def words(text: str) -> int:
    """Number of words in a text (whitespace-separated tokens)."""
    return len(text.split())


#: The article's two sides, then everyone else: each speaker type belongs to one side.
SIDES = {"U.S. government": "U.S. (embassy, State Department)", "TIP Report text": "U.S. (embassy, State Department)",
         "Cambodian government": "Cambodia (government)", "Journalist or award body": "neither side (journalists, award body)"}
#: Quotations of the law's wording (the tier tests of 22 U.S.C. 7107(b)(1), the minimum standards' "serious and
#: sustained", the considerations of 7107(b)(3)(A)): the article quotes them to explain a placement, not as either
#: side's voice, so they are counted on their own, not in the U.S. side.
LAW_WORDING = "the law's wording (quoted)"
LAW_WORDING_PHRASES = frozenset({
    "minimum standards", "fully meet", "making significant efforts", "not making significant efforts to do so",
    "serious and sustained",
    "the extent to which officials or government employees have been complicit in severe forms of trafficking",
})


def is_law_wording(quote: str) -> bool:
    """Whether a quotation is one of the law's phrases (case and closing punctuation ignored)."""
    return quote.strip().rstrip(",.;").lower() in LAW_WORDING_PHRASES


def quote_space(quotes: pd.DataFrame) -> pd.DataFrame:
    """Quotes and quoted words per side, speaker type and quote type, with each row's share of all words.

    Quotations of the law's wording (``LAW_WORDING_PHRASES``) form a row of their own
    (side ``LAW_WORDING``), whoever the article attributes them to.
    """
    unknown = sorted(set(quotes["speaker_type"]) - set(SIDES))
    if unknown:
        raise ValueError(f"speaker type(s) {unknown} belong to no side; expected one of {list(SIDES)}")
    side = quotes["speaker_type"].map(SIDES).where(~quotes["quote"].map(is_law_wording), LAW_WORDING)
    counted = quotes.assign(words=quotes["quote"].map(words), side=side)
    table = (counted.groupby(["side", "speaker_type", "quote_type"])
             .agg(quotes=("quote_id", "count"), words=("words", "sum"), speakers=("speaker", lambda s: "; ".join(sorted(set(s)))))
             .reset_index())
    table["share_of_words"] = (table["words"] / table["words"].sum() * 100).round(1)
    return table.sort_values(["side", "words"], ascending=[True, False]).reset_index(drop=True)


def share_of_ranked(counts: pd.DataFrame, tiers=("Tier 2 Watch List", "Tier 3")) -> pd.Series:
    """Percent of each row's *ranked* governments (Tier 1 to Tier 3; Special Cases left out) on ``tiers``.

    Columns that are no tier (a total, a count of undetermined countries) are ignored.
    """
    ranked = counts[list(RANKED_TIERS)].sum(axis=1)
    if (ranked == 0).any():
        raise ValueError(f"no ranked government in row(s) {list(counts.index[ranked == 0])}")
    return counts[list(tiers)].sum(axis=1).div(ranked).mul(100)


def one_country_apart(counts: pd.DataFrame, first, second, tiers=("Tier 2 Watch List", "Tier 3")) -> bool:
    """Whether moving one government of ``first`` off ``tiers`` (or one of ``second`` onto them) would reverse their order.

    Shares are of ranked governments (``share_of_ranked``); a headline that ranks ``first`` above
    ``second`` should not rest on such a margin.
    """
    ranked = counts[list(RANKED_TIERS)].sum(axis=1)
    on = counts[list(tiers)].sum(axis=1)
    return bool((on[first] - 1) / ranked[first] <= on[second] / ranked[second]
                or on[first] / ranked[first] <= (on[second] + 1) / ranked[second])
