"""What Tier 3 costs: the President's determinations under TVPA section 110(d), year by year.

Each determination covers the fiscal year after a report (FY = report year + 1) and decides,
for every government of that report's Tier 3 list, whether assistance is withheld
(110(d)(1)(A)(i), (A)(ii), (B)), waived in full or in part in the national interest
(110(d)(4)) or not restricted because the government was reassessed (110(d)(3)).

Only what was read counts (``determination_documents.csv`` says how much of each text was):

- a fiscal year is ``complete text read``, ``partly read``, ``summary only`` or ``missing``
  (no document; computed from the range of fiscal years, never typed);
- a blank ``waiver`` is "waiver not read", never "no waiver";
- a Tier 3 government with no row in a year not read in full is ``unknown``, never
  "not restricted"; summaries cite no clause, so their rows stay ``summary only``;
- a full waiver read from a paragraph cut before its end is flagged (``waiver_paragraph_cut``):
  which clauses it covered was not read in full.

Step 2 of 4, analysis: may import tipreport.paths, tipreport.fileops, tipreport.data_in and other tipreport.analysis modules; never charts or outputs."""

from __future__ import annotations

import pandas as pd

from tipreport.analysis.movements import consecutive_runs

COMPLETE, PARTLY, SUMMARY, MISSING = "complete text read", "partly read", "summary only", "missing"
NOT_REQUIRED = "no determination required"
#: Section 110(c) asks for the determinations only after reports submitted "on or after January 1, 2003"
#: (22 U.S.C. 7107(c); data/README.md), so the first report that calls for one is the 2003 report.
FIRST_REPORT_REQUIRING_DETERMINATION = 2003
NOT_READ = "not read"
#: How much of a fiscal year's determination was read, best first.
READINGS = (COMPLETE, PARTLY, SUMMARY, MISSING)

REASSESSED, FULLY_WAIVED, PARTLY_WAIVED = "reassessed", "fully waived", "partly waived"
RESTRICTED, RESTRICTED_NOT_READ = "restricted, no waiver", "restricted, waiver not read"
UNKNOWN, SUMMARY_ONLY, NO_DOCUMENT = "unknown: not in the part read", "summary only", "missing: no document"
#: What a determination decided for one Tier 3 government, from least to most costly, then what was not read.
OUTCOMES = (REASSESSED, FULLY_WAIVED, PARTLY_WAIVED, RESTRICTED, RESTRICTED_NOT_READ, UNKNOWN, SUMMARY_ONLY, NO_DOCUMENT)
#: Outcomes of a government named under a restriction clause and not fully waived, as far as the text was read.
NAMED_FOR_RESTRICTIONS = (PARTLY_WAIVED, RESTRICTED, RESTRICTED_NOT_READ)
#: Outcomes that say what was decided (the others say what was not read).
READ_OUTCOMES = (REASSESSED, FULLY_WAIVED, PARTLY_WAIVED, RESTRICTED, RESTRICTED_NOT_READ)
#: Outcomes that say what was not read.
NOT_READ_OUTCOMES = (UNKNOWN, SUMMARY_ONLY, NO_DOCUMENT)
#: Where determination_documents.csv says a text was cut inside its first (d)(4) waiver paragraph.
CUT_IN_FIRST_WAIVER = "into the first 110(d)(4) paragraph"

RESTRICTIONS = ("d1Ai", "d1Aii", "d1B", "other")
PROVISION_WORDS = {
    "d1Ai": "110(d)(1)(A)(i): no nonhumanitarian, nontrade-related assistance",
    "d1Aii": "110(d)(1)(A)(ii): no such assistance and no exchange-program funding",
    "d1B": "110(d)(1)(B): vote against multilateral loans",
    "d3": "110(d)(3): reassessed",
    "d4_full": "110(d)(4): full national-interest waiver",
    "d4_partial": "110(d)(4): partial national-interest waiver",
    "other": "clause not cited",
}


def coverage(documents: pd.DataFrame) -> pd.DataFrame:
    """One row per fiscal year from the first to the last document: how much was read, and the PD.

    A year with several documents takes the best reading; a year with none is ``missing``.
    """
    rank = {reading: number for number, reading in enumerate(READINGS)}
    documents = documents.assign(rank=documents["completeness"].map(rank)).sort_values(["fiscal_year", "rank"], kind="stable")
    if documents["rank"].isna().any():
        bad = sorted(set(documents["completeness"]) - set(READINGS))
        raise ValueError(f"determination_documents: unknown completeness {bad}; expected one of {list(READINGS[:3])}")
    years = range(int(documents["fiscal_year"].min()), int(documents["fiscal_year"].max()) + 1)
    rows = []
    for year in years:
        found = documents[documents["fiscal_year"] == year]
        if found.empty:
            rows.append({"fiscal_year": year, "report_year": year - 1, "reading": MISSING, "documents": 0})
            continue
        numbered = found[found["pd_number"].notna()]
        main = (numbered if len(numbered) else found).iloc[0]
        rows.append({"fiscal_year": year, "report_year": int(main["report_year"]), "reading": READINGS[int(found["rank"].min())],
                     "documents": len(found), "pd_number": main["pd_number"], "signed_date": main["signed_date"],
                     "title": main["title"], "source_url": main["source_url"], "source_id": main["source_id"]})
    frame = pd.DataFrame(rows, columns=["fiscal_year", "report_year", "reading", "documents", "pd_number", "signed_date",
                                        "title", "source_url", "source_id"])
    return frame.set_index("fiscal_year")


def outcome_of(rows: pd.DataFrame, reading: str) -> str:
    """What the determination decided for one government, from its rows (one fiscal year).

    Reassessment and waivers come first; a restriction counts as "no waiver" only when every
    restriction row says ``none``; one blank waiver makes it "waiver not read".
    """
    if reading == MISSING:
        return NO_DOCUMENT
    if rows.empty:
        return UNKNOWN
    if reading == SUMMARY:
        return SUMMARY_ONLY
    provisions = set(rows["provision"])
    waivers = rows.loc[rows["provision"].isin(RESTRICTIONS), "waiver"].astype(object).fillna(NOT_READ).tolist()
    if "d3" in provisions:
        return REASSESSED
    if "d4_full" in provisions or (waivers and set(waivers) == {"full"}):
        return FULLY_WAIVED
    if "d4_partial" in provisions or "partial" in waivers:
        return PARTLY_WAIVED
    if NOT_READ in waivers:
        return RESTRICTED_NOT_READ
    return RESTRICTED


def outcomes(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per Tier 3 placement (``tiers.csv``): the fiscal year after it and what was decided.

    Columns: fiscal_year, report_year, iso3, country, reading, outcome, provisions, waiver,
    programs_waived, evidence (the determination's words, one line per row), pd_number,
    signed_date, source_url and source_id (the rows' source, else the year's document), and
    waiver_paragraph_cut (a full waiver whose paragraph the reading stopped in, see
    :func:`waiver_paragraph_cut_years`). A fiscal year after a report the law asked no determination
    for is ``no determination required``; any other year outside the documents' range is ``missing``.
    """
    tiers, determinations = tables["tiers"], tables["determinations"]
    years = coverage(tables["determination_documents"])
    cut_years = waiver_paragraph_cut_years(tables["determination_documents"], determinations)
    placements = tiers[tiers["tier"].astype(str) == "Tier 3"].sort_values(["report_year", "country"])
    stray = determinations.merge(placements[["report_year", "iso3"]], how="left", indicator=True)
    if (stray["_merge"] == "left_only").any():
        first = stray[stray["_merge"] == "left_only"].iloc[0]
        raise ValueError(f"determinations: {first['country']} ({first['iso3']}) has a FY {first['fiscal_year']} row "
                         f"but no Tier 3 placement in the {first['report_year']} report (tiers.csv)")
    grouped = {key: group for key, group in determinations.groupby(["fiscal_year", "iso3"])}
    records = []
    for placement in placements.itertuples():
        year = int(placement.report_year) + 1
        record = {"fiscal_year": year, "report_year": int(placement.report_year), "iso3": placement.iso3,
                  "country": placement.country}
        if placement.report_year < FIRST_REPORT_REQUIRING_DETERMINATION:
            records.append(record | {"reading": NOT_REQUIRED, "outcome": NOT_REQUIRED})
            continue
        if year < years.index.min() or year > years.index.max():
            records.append(record | {"reading": MISSING, "outcome": NO_DOCUMENT})
            continue
        document = years.loc[year]
        rows = grouped.get((year, placement.iso3), determinations.iloc[0:0])
        if rows.empty and document["reading"] == COMPLETE:
            raise ValueError(f"determinations: the FY {year} text was read in full but has no row for "
                             f"{placement.country} ({placement.iso3}), Tier 3 in the {placement.report_year} report")
        record |= {"reading": document["reading"], "outcome": outcome_of(rows, document["reading"])}
        record["waiver_paragraph_cut"] = record["outcome"] == FULLY_WAIVED and year in cut_years
        if len(rows):
            record |= {"provisions": ", ".join(rows["provision"]),
                       "waiver": ", ".join(rows["waiver"].fillna(NOT_READ)),
                       "programs_waived": "; ".join(rows["programs_waived"].dropna().drop_duplicates()) or pd.NA,
                       "evidence": "\n".join(f"{p}: “{e}”" for p, e in zip(rows["provision"], rows["evidence_phrase"])),
                       "pd_number": rows["pd_number"].iloc[0], "signed_date": rows["signed_date"].iloc[0],
                       "source_url": rows["source_url"].iloc[0], "source_id": rows["source_id"].iloc[0]}
        elif document["reading"] != MISSING:
            record |= {"pd_number": document["pd_number"], "signed_date": document["signed_date"],
                       "source_url": document["source_url"], "source_id": document["source_id"]}
        records.append(record)
    columns = ["fiscal_year", "report_year", "iso3", "country", "reading", "outcome", "provisions", "waiver",
               "programs_waived", "evidence", "pd_number", "signed_date", "source_url", "source_id"]
    frame = pd.DataFrame.from_records(records, columns=[*columns, "waiver_paragraph_cut"])
    for column in columns[2:]:
        frame[column] = frame[column].astype("string")
    frame["waiver_paragraph_cut"] = frame["waiver_paragraph_cut"].fillna(False).astype(bool)
    return frame


def waiver_paragraph_cut_years(documents: pd.DataFrame, determinations: pd.DataFrame) -> set[int]:
    """Fiscal years whose full waiver was read from a paragraph cut before its end.

    The document's note says the reading stopped inside the first (d)(4) paragraph, and the year
    has full-waiver rows: that paragraph is then the full waiver, so which clauses it covered was
    not read in full. A documents table without a ``note`` column says nothing of where texts were cut.
    """
    notes = documents["note"].fillna("") if "note" in documents else pd.Series("", index=documents.index)
    stopped = documents.loc[notes.str.contains(CUT_IN_FIRST_WAIVER, regex=False), "fiscal_year"]
    waived = determinations.loc[determinations["provision"] == "d4_full", "fiscal_year"]
    return {int(year) for year in set(stopped) & set(waived)}


def answered(outcomes: pd.DataFrame, iso3: str, fiscal_year: int) -> pd.Series:
    """The row of one government in one fiscal year (KeyError naming both if there is none)."""
    rows = outcomes[(outcomes["iso3"] == iso3) & (outcomes["fiscal_year"] == fiscal_year)]
    if rows.empty:
        raise KeyError(f"no Tier 3 placement of {iso3} in the {fiscal_year - 1} report, so no FY {fiscal_year} determination")
    return rows.iloc[0]


def counts_per_year(outcomes: pd.DataFrame, coverage: pd.DataFrame) -> pd.DataFrame:
    """Per fiscal year of ``coverage``: its reading, Tier 3 governments, and how many had each outcome."""
    within = outcomes[outcomes["fiscal_year"].isin(coverage.index)]
    counts = pd.crosstab(within["fiscal_year"], pd.Categorical(within["outcome"], OUTCOMES), dropna=False)
    counts = counts.reindex(coverage.index, fill_value=0)
    counts.columns = list(OUTCOMES)
    table = pd.concat([coverage[["report_year", "reading"]], counts.sum(axis=1).rename("Tier 3 governments"), counts], axis=1)
    table.index.name = "fiscal_year"
    return table


def summed_over(counts: pd.DataFrame, reading: str) -> pd.Series:
    """The outcome counts summed over the fiscal years of one reading, with the years named."""
    years = counts.index[counts["reading"] == reading]
    total = counts.loc[years, ["Tier 3 governments", *OUTCOMES]].sum()
    return total.rename(f"{reading}: FY {year_span(years)}")


def year_span(years) -> str:
    """Years as ranges: [2005, 2006, 2007, 2009] → '2005–2007, 2009'."""
    runs = consecutive_runs(int(y) for y in years)
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs) or "none"


def by_government(outcomes: pd.DataFrame, coverage: pd.DataFrame) -> pd.DataFrame:
    """Per government, over the fiscal years of ``coverage``: years with each outcome, years named for
    restrictions, full waivers whose paragraph was cut, years read and not read (with the years not read)."""
    within = outcomes[outcomes["fiscal_year"].isin(coverage.index)]
    table = pd.crosstab(within["iso3"], pd.Categorical(within["outcome"], OUTCOMES), dropna=False)
    table.columns = list(OUTCOMES)
    table.insert(0, "country", table.index.map(within.drop_duplicates("iso3").set_index("iso3")["country"]))
    table["named for restrictions"] = table[list(NAMED_FOR_RESTRICTIONS)].sum(axis=1)
    table["fully waived, paragraph cut"] = within.groupby("iso3")["waiver_paragraph_cut"].sum().reindex(table.index).astype(int)
    table["years read"] = table[list(READ_OUTCOMES)].sum(axis=1)
    table["years not read"] = table[list(NOT_READ_OUTCOMES)].sum(axis=1)
    table["Tier 3 years"] = table[list(OUTCOMES)].sum(axis=1)
    named = within[within["outcome"].isin(NAMED_FOR_RESTRICTIONS)].groupby("iso3")["fiscal_year"].apply(year_span)
    table["fiscal years named"] = table.index.map(named).fillna("")
    not_read = within[within["outcome"].isin(NOT_READ_OUTCOMES)].groupby("iso3").apply(
        lambda rows: "; ".join(f"{outcome}: FY {year_span(group['fiscal_year'])}"
                               for outcome, group in rows.groupby("outcome", sort=False)), include_groups=False)
    table["fiscal years not read"] = table.index.map(not_read).fillna("")
    return table.reset_index()


def most_restricted(by_government: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """Governments named for restrictions (not fully waived, as far as read) in the most fiscal years (ties at the cut kept)."""
    ranked = by_government[by_government["named for restrictions"] > 0].sort_values(
        ["named for restrictions", RESTRICTED, "country"], ascending=[False, False, True])
    if len(ranked) > top:
        ranked = ranked[ranked["named for restrictions"] >= ranked["named for restrictions"].iloc[top - 1]]
    return ranked.reset_index(drop=True)


def always_waived(by_government: pd.DataFrame) -> pd.DataFrame:
    """Governments fully waived in every fiscal year whose decision was read (at least one)."""
    waived = by_government[(by_government["years read"] > 0) & (by_government[FULLY_WAIVED] == by_government["years read"])]
    return waived.sort_values([FULLY_WAIVED, "country"], ascending=[False, True]).reset_index(drop=True)


def country_determinations(outcomes: pd.DataFrame, iso3: str) -> pd.DataFrame:
    """Every fiscal year after a Tier 3 report of one government, with what was decided."""
    return outcomes[outcomes["iso3"] == iso3].sort_values("fiscal_year").reset_index(drop=True)


def decision_words(row) -> str:
    """One line on what a row of :func:`outcomes` says was decided, and what was not read."""
    outcome, reading = row["outcome"], row["reading"]
    if outcome == NOT_REQUIRED:
        return (f"none: section 110(c) asks for one only after reports submitted on or after January 1, "
                f"{FIRST_REPORT_REQUIRING_DETERMINATION}, so not after the {row['report_year']} report")
    if outcome == NO_DOCUMENT:
        return "not read: no copy of the determination was found"
    if outcome == SUMMARY_ONLY:
        return "not read: only a summary was found, which cites no clause"
    if outcome == UNKNOWN:
        return ("not read: only part of the determination was read, and this government is not named in it"
                if reading == PARTLY else "not read: the summary found does not name this government")
    words = outcome
    if outcome == PARTLY_WAIVED and pd.notna(row["programs_waived"]):
        words += f" (still allowed: {row['programs_waived']})"
    if outcome == FULLY_WAIVED and row.get("waiver_paragraph_cut", False):
        words += " (its paragraph was cut before its end: which clauses it covered was not read in full)"
    if reading != COMPLETE:
        words += "; the determination was not read in full"
    return words


def format_determinations(rows: pd.DataFrame) -> str:
    """A country's determinations as plain text, one paragraph per fiscal year (for the command line)."""
    if rows.empty:
        return "Determinations (TVPA 110(d)): no Tier 3 placement found, so none applies."
    lines = ["Determinations (TVPA 110(d)) for the fiscal year after each Tier 3 report:"]
    for row in rows.to_dict("records"):
        signed = f", {row['pd_number'] if pd.notna(row['pd_number']) else 'PD number not read'}" \
                 f" dated {row['signed_date']}" if pd.notna(row["signed_date"]) else ""
        lines.append(f"  FY {row['fiscal_year']} ({row['report_year']} report; {row['reading']}{signed}): {decision_words(row)}")
        if pd.notna(row["evidence"]):
            lines += [f"    {line}" for line in str(row["evidence"]).splitlines()]
        if pd.notna(row["source_url"]):
            lines.append(f"    source: {row['source_url']}")
    return "\n".join(lines)
