"""How complete the tier table is, report year by report year, computed from the data.

A year's completeness is never typed: it is the comparison of the placements found in
``tiers.csv`` with every published statement of that year's totals in
``published_totals.csv``. A year is *complete* only when the number of countries found
equals a published number of countries ranked.

Step 2 of 4, analysis: may import tipreport.paths, tipreport.fileops, tipreport.data_in and other tipreport.analysis modules; never charts or outputs."""

from __future__ import annotations

import re

import pandas as pd

from tipreport.analysis.tiers import TIERS

#: published_totals.csv column → the measure it states (a tier, or all countries).
MEASURES = {
    "countries_ranked": "countries",
    "tier1": "Tier 1",
    "tier2": "Tier 2",
    "watch_list": "Tier 2 Watch List",
    "tier3": "Tier 3",
    "special_cases": "Special Case",
}

#: How a stated total is read: (pattern, kind, count from the match). Only ``exact``
#: statements can make a year or tier complete; the others are shown, never matched.
STATED_FORMS = (
    (r"(\d+)", "exact", lambda m: int(m[1])),
    (r"(\d+) \(\+(\d+) special cases\)", "exact", lambda m: int(m[1]) + int(m[2])),
    (r"(\d+) \([A-Z][a-z]+\)", "exact", lambda m: int(m[1])),
    (r"(\d+) \(\?\)", "uncertain", lambda m: int(m[1])),
    (r"about (\d+)", "approximate", lambda m: int(m[1])),
    (r"(?:more than|over) (\d+)", "lower bound", lambda m: int(m[1]) + 1),
    (r"(\d+)\+", "lower bound", lambda m: int(m[1])),
)


def read_stated(text: str) -> tuple[str, int | None]:
    """(kind, count) of a stated total such as '188', 'more than 80' or '30 (?)'.

    Anything else (e.g. '133 (incl. WL?)') is 'unclear' with no count: shown, never used.
    """
    for pattern, kind, count in STATED_FORMS:
        match = re.fullmatch(pattern, text.strip())
        if match:
            return kind, count(match)
    return "unclear", None


def published_counts(published_totals: pd.DataFrame) -> pd.DataFrame:
    """One row per (statement, measure) stated: report_year, measure, stated, kind, count, source_id."""
    rows = []
    for statement in published_totals.itertuples(index=False):
        for column, measure in MEASURES.items():
            stated = getattr(statement, column)
            if pd.isna(stated) or stated == "":
                continue
            kind, count = read_stated(str(stated))
            rows.append({"report_year": int(statement.report_year), "measure": measure, "stated": str(stated),
                         "kind": kind, "count": count, "source_id": statement.source_id})
    columns = ["report_year", "measure", "stated", "kind", "count", "source_id"]
    return pd.DataFrame(rows, columns=columns).astype({"count": "Int64"})


def found_counts(tiers: pd.DataFrame) -> pd.DataFrame:
    """Placements found per report year: countries and each tier (zeros kept)."""
    counts = pd.crosstab(tiers["report_year"], tiers["tier"].astype(str)).reindex(columns=list(TIERS), fill_value=0)
    counts.insert(0, "countries", counts.sum(axis=1))
    counts.columns.name = None
    return counts


def measure_status(found: int, exact: list[int]) -> tuple[int | None, str]:
    """(published number, label) for one year and measure, given the exact statements."""
    if not exact:
        return None, "no published count"
    if found in exact:
        return found, "matches the published count"
    above = [count for count in exact if count > found]
    if above:
        published = min(set(above), key=lambda count: (-above.count(count), count))  # most often stated
        return published, f"{found} of {published} found ({published - found} missing)"
    published = max(exact)
    return published, f"{found} found, above every published count ({', '.join(map(str, sorted(set(exact))))})"


def tier_status(tables: dict) -> pd.DataFrame:
    """Per report year and measure (countries, each tier): found, published, status, every statement."""
    found = found_counts(tables["tiers"])
    stated = published_counts(tables["published_totals"])
    rows = []
    for year in found.index:
        for measure in found.columns:
            statements = stated[(stated["report_year"] == year) & (stated["measure"] == measure)]
            exact = [int(c) for c in statements.loc[statements["kind"] == "exact", "count"]]
            published, label = measure_status(int(found.at[year, measure]), exact)
            rows.append({"report_year": int(year), "measure": measure, "found": int(found.at[year, measure]),
                         "published": published, "status": label,
                         "statements": "; ".join(statements["stated"].drop_duplicates())})
    return pd.DataFrame(rows).astype({"published": "Int64"})


def year_status(tables: dict) -> pd.DataFrame:
    """Completeness of each report year, indexed by report_year.

    Columns: ``countries`` (found), ``published`` (a published number of countries
    ranked, nullable), ``complete`` (found equals a published number), ``status``
    ("complete", "k of N found", "no published count", or "k found, above ...");
    then per tier the number found, the published number, and ``<tier> status``.
    """
    detail = tier_status(tables)
    totals = detail[detail["measure"] == "countries"].set_index("report_year")
    status = pd.DataFrame({"countries": totals["found"], "published": totals["published"]})
    status["complete"] = (totals["status"] == "matches the published count").astype(bool)
    status["status"] = totals["status"].where(~status["complete"], "complete").str.replace(r" \(\d+ missing\)", "", regex=True)
    for tier in TIERS:
        rows = detail[detail["measure"] == tier].set_index("report_year")
        status[tier] = rows["found"]
        status[f"{tier} published"] = rows["published"]
        status[f"{tier} status"] = rows["status"]
    status.index.name = "report_year"
    return status


def coverage_by_year(tables: dict) -> pd.DataFrame:
    """Countries placed per report year, by tier, with the year's computed completeness.

    Columns: countries, the five tiers, published, complete, status (from :func:`year_status`).
    """
    status = year_status(tables)
    counts = found_counts(tables["tiers"])
    return counts.join(status[["published", "complete", "status"]])


def missing_known_from_adjacent_years(tables: dict) -> pd.DataFrame:
    """Countries placed in the neighbouring report years (both, or the one there is) but not found in a year.

    Only for years that are not complete; "not in the report" (``not_ranked.csv``) is
    kept apart from "not found". Columns: report_year, iso3, country, not_ranked.
    """
    tiers = tables["tiers"]
    status = year_status(tables)
    placed = tiers.groupby("report_year")["iso3"].apply(set)
    not_ranked = set(zip(tables["not_ranked"]["report_year"], tables["not_ranked"]["iso3"]))
    names = tables["countries"].set_index("iso3")["country"]
    rows = []
    for year in placed.index:
        neighbours = [placed[y] for y in (year - 1, year + 1) if y in placed.index]
        if status.at[year, "complete"] or not neighbours:
            continue
        for iso3 in sorted(set.intersection(*neighbours) - placed[year]):
            rows.append({"report_year": year, "iso3": iso3, "country": names[iso3],
                         "not_ranked": (year, iso3) in not_ranked})
    return pd.DataFrame(rows, columns=["report_year", "iso3", "country", "not_ranked"])


def found_vs_published(tables: dict) -> pd.DataFrame:
    """Compact per-year table: found/published for the countries and each tier, and the year's status."""
    status = year_status(tables)

    def cell(found, published):
        return f"{found}" if pd.isna(published) else f"{found}/{published}"

    table = pd.DataFrame(index=status.index)
    table["countries"] = [cell(f, p) for f, p in zip(status["countries"], status["published"])]
    for tier in TIERS:
        table[tier] = [cell(f, p) for f, p in zip(status[tier], status[f"{tier} published"])]
    table["status"] = status["status"]
    return table

