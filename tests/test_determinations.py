"""The determinations analysis on small hand-made tables with typed expectations, then its links to the real data."""

import pandas as pd
import pytest

from tipreport import load_all
from tipreport.analysis import determinations as d
from tipreport.analysis.tiers import as_tier

NAMES = {"AAA": "Aland", "BBB": "Borduria", "CCC": "Carpania", "DDD": "Drusselstein"}


def tiers(*placements):
    """(report_year, iso3) placed on Tier 3."""
    frame = pd.DataFrame(placements, columns=["report_year", "iso3"])
    return frame.assign(country=frame["iso3"].map(NAMES), tier=as_tier(["Tier 3"] * len(frame)))


def documents(*years):
    """(fiscal_year, completeness) or (fiscal_year, completeness, note) per document."""
    return pd.DataFrame([{"fiscal_year": year, "report_year": year - 1, "pd_number": f"{year - 1}-1",
                          "signed_date": f"{year - 1}-09-30", "title": f"PD for FY {year}",
                          "source_url": f"https://example.org/{year}", "source_id": f"S{year}", "completeness": reading,
                          "note": note[0] if note else ""} for year, reading, *note in years])


def rows(*rows):
    """(fiscal_year, iso3, provision, waiver or None, programs_waived or None)."""
    return pd.DataFrame([{"fiscal_year": year, "report_year": year - 1, "pd_number": f"{year - 1}-1",
                          "signed_date": f"{year - 1}-09-30", "iso3": iso3, "country": NAMES[iso3], "provision": provision,
                          "waiver": waiver, "programs_waived": programs, "source_url": f"https://example.org/{year}#{iso3}",
                          "source_id": f"S{year}{iso3}",
                          "evidence_phrase": f"words on {NAMES[iso3]} under {provision}"}
                         for year, iso3, provision, waiver, programs in rows]).astype({"waiver": "string", "programs_waived": "string"})


def tables(placements, docs, determination_rows):
    return {"tiers": tiers(*placements), "determination_documents": documents(*docs), "determinations": rows(*determination_rows)}


def outcome(frame, year, iso3):
    return d.answered(frame, iso3, year)["outcome"]


def test_coverage_takes_the_best_reading_of_a_year_and_computes_the_missing_years():
    coverage = d.coverage(documents((2010, d.SUMMARY), (2010, d.PARTLY), (2013, d.COMPLETE)))
    assert coverage.index.tolist() == [2010, 2011, 2012, 2013]
    assert coverage["reading"].tolist() == [d.PARTLY, d.MISSING, d.MISSING, d.COMPLETE]
    assert coverage.at[2011, "documents"] == 0


def test_coverage_refuses_an_unknown_reading():
    with pytest.raises(ValueError, match="unknown completeness"):
        d.coverage(documents((2010, "skimmed")))


def test_a_partly_read_year_keeps_a_blank_waiver_and_a_missing_row_unknown():
    frame = d.outcomes(tables([(2009, "AAA"), (2009, "BBB")], [(2010, d.PARTLY)], [(2010, "AAA", "d1Ai", None, None)]))
    assert outcome(frame, 2010, "AAA") == d.RESTRICTED_NOT_READ  # never "no waiver"
    assert d.answered(frame, "AAA", 2010)["waiver"] == "not read"
    assert outcome(frame, 2010, "BBB") == d.UNKNOWN  # never "not restricted"
    assert "not named in it" in d.decision_words(d.answered(frame, "BBB", 2010))


def test_a_reassessment_is_not_a_restriction():
    frame = d.outcomes(tables([(2004, "AAA")], [(2005, d.PARTLY)], [(2005, "AAA", "d3", "none", None)]))
    assert outcome(frame, 2005, "AAA") == d.REASSESSED


def test_a_partial_waiver_with_programs_says_what_is_still_allowed():
    frame = d.outcomes(tables([(2022, "AAA")], [(2023, d.COMPLETE)],
                              [(2023, "AAA", "d1Ai", "partial", None), (2023, "AAA", "d4_partial", "partial", "health; education")]))
    row = d.answered(frame, "AAA", 2023)
    assert row["outcome"] == d.PARTLY_WAIVED and row["programs_waived"] == "health; education"
    assert d.decision_words(row) == "partly waived (still allowed: health; education)"
    assert row["evidence"].splitlines() == ["d1Ai: “words on Aland under d1Ai”", "d4_partial: “words on Aland under d4_partial”"]


def test_restricted_under_a_i_and_b_with_no_waiver_read_in_full():
    frame = d.outcomes(tables([(2023, "AAA"), (2023, "BBB")], [(2024, d.COMPLETE)],
                              [(2024, "AAA", "d1Ai", "none", None), (2024, "AAA", "d1B", "none", None),
                               (2024, "BBB", "d1Ai", "none", None), (2024, "BBB", "d1B", None, None)]))
    row = d.answered(frame, "AAA", 2024)
    assert (row["outcome"], row["provisions"], row["waiver"]) == (d.RESTRICTED, "d1Ai, d1B", "none, none")
    assert outcome(frame, 2024, "BBB") == d.RESTRICTED_NOT_READ  # one blank waiver is enough to leave it open


def test_waivers_of_every_restriction_make_a_full_waiver_and_a_d4_full_row_too():
    frame = d.outcomes(tables([(2023, "AAA"), (2023, "BBB")], [(2024, d.COMPLETE)],
                              [(2024, "AAA", "d1Ai", "full", None), (2024, "AAA", "d1B", "full", None),
                               (2024, "BBB", "d4_full", "full", "all")]))
    assert outcome(frame, 2024, "AAA") == outcome(frame, 2024, "BBB") == d.FULLY_WAIVED


def test_summary_rows_are_not_decisions():
    frame = d.outcomes(tables([(2025, "AAA"), (2025, "BBB")], [(2026, d.SUMMARY)], [(2026, "AAA", "other", "partial", None)]))
    assert (outcome(frame, 2026, "AAA"), outcome(frame, 2026, "BBB")) == (d.SUMMARY_ONLY, d.UNKNOWN)


def test_a_complete_text_without_a_tier_3_government_is_refused():
    with pytest.raises(ValueError, match=r"FY 2024 text was read in full but has no row for Borduria \(BBB\)"):
        d.outcomes(tables([(2023, "AAA"), (2023, "BBB")], [(2024, d.COMPLETE)], [(2024, "AAA", "d4_full", "full", None)]))


def test_a_row_without_a_tier_3_placement_is_refused():
    with pytest.raises(ValueError, match=r"Borduria \(BBB\) has a FY 2024 row but no Tier 3 placement in the 2023 report"):
        d.outcomes(tables([(2023, "AAA")], [(2024, d.COMPLETE)],
                          [(2024, "AAA", "d4_full", "full", None), (2024, "BBB", "d4_full", "full", None)]))


def test_no_determination_is_required_after_the_2002_report_and_missing_years_are_labelled():
    frame = d.outcomes(tables([(2002, "AAA"), (2005, "AAA"), (2003, "BBB")], [(2004, d.PARTLY), (2007, d.PARTLY)],
                              [(2004, "BBB", "d3", "none", None)]))
    assert outcome(frame, 2003, "AAA") == d.NOT_REQUIRED
    assert outcome(frame, 2006, "AAA") == d.NO_DOCUMENT
    assert d.country_determinations(frame, "AAA")["fiscal_year"].tolist() == [2003, 2006]
    text = d.format_determinations(d.country_determinations(frame, "AAA"))
    assert ("FY 2003 (2002 report; no determination required): none: section 110(c) asks for one only after reports "
            "submitted on or after January 1, 2003, so not after the 2002 report") in text
    assert "FY 2006 (2005 report; missing): not read: no copy of the determination was found" in text


def test_a_required_year_before_the_first_document_is_missing_not_exempt():
    frame = d.outcomes(tables([(2003, "AAA"), (2004, "AAA")], [(2005, d.PARTLY)], [(2005, "AAA", "d1Ai", None, None)]))
    row = d.answered(frame, "AAA", 2004)
    assert (row["reading"], row["outcome"]) == (d.MISSING, d.NO_DOCUMENT)


def test_a_full_waiver_from_a_paragraph_cut_before_its_end_is_flagged():
    cut = "Read from the start into the first 110(d)(4) paragraph, cut at \"of all programs,\"."
    docs = [(2010, d.PARTLY, cut), (2011, d.PARTLY, "Read to the end of the first 110(d)(4) paragraph."), (2012, d.PARTLY, cut)]
    determination_rows = [(2010, "AAA", "d4_full", "full", None), (2010, "BBB", "d1Ai", None, None),
                          (2011, "AAA", "d4_full", "full", None), (2012, "AAA", "d4_partial", "partial", "health")]
    built = tables([(year, iso3) for year in (2009, 2010, 2011) for iso3 in ("AAA", "BBB")], docs, determination_rows)
    assert d.waiver_paragraph_cut_years(built["determination_documents"], built["determinations"]) == {2010}
    frame = d.outcomes(built)
    flagged = frame.set_index(["fiscal_year", "iso3"])["waiver_paragraph_cut"]
    assert flagged[flagged].index.tolist() == [(2010, "AAA")]  # not the restricted BBB, not the whole-paragraph 2011
    assert "which clauses it covered was not read in full" in d.decision_words(d.answered(frame, "AAA", 2010))
    assert "clauses" not in d.decision_words(d.answered(frame, "AAA", 2011))


def small_history():
    """Four governments over FY 2021 (partly read), 2022 (missing), 2023 and 2024 (complete)."""
    placements = [(year, iso3) for year in (2020, 2021, 2022, 2023) for iso3 in ("AAA", "BBB", "CCC")] + [(2022, "DDD")]
    docs = [(2021, d.PARTLY), (2023, d.COMPLETE), (2024, d.COMPLETE)]
    determination_rows = [(2021, "AAA", "d1Ai", None, None), (2021, "CCC", "d4_full", "full", "all"),
                          (2023, "AAA", "d1Ai", "none", None), (2023, "BBB", "d4_partial", "partial", "health"),
                          (2023, "CCC", "d4_full", "full", "all"), (2023, "DDD", "d4_full", "full", "all"),
                          (2024, "AAA", "d1Aii", "none", None), (2024, "BBB", "d4_full", "full", "all"),
                          (2024, "CCC", "d4_full", "full", "all")]
    built = tables(placements, docs, determination_rows)
    return d.outcomes(built), d.coverage(built["determination_documents"])


def test_counts_per_year_count_every_tier_3_government_once_with_the_missing_year():
    frame, coverage = small_history()
    counts = d.counts_per_year(frame, coverage)
    assert counts.index.tolist() == [2021, 2022, 2023, 2024]
    assert counts.loc[2021, [d.RESTRICTED_NOT_READ, d.UNKNOWN, d.FULLY_WAIVED, "Tier 3 governments"]].tolist() == [1, 1, 1, 3]
    assert counts.loc[2022, [d.NO_DOCUMENT, "Tier 3 governments"]].tolist() == [3, 3]
    assert counts.loc[2023, [d.RESTRICTED, d.PARTLY_WAIVED, d.FULLY_WAIVED]].tolist() == [1, 1, 2]
    complete = d.summed_over(counts, d.COMPLETE)
    assert complete.name == "complete text read: FY 2023–2024"
    assert (complete["Tier 3 governments"], complete[d.FULLY_WAIVED], complete[d.RESTRICTED]) == (7, 4, 2)


def test_most_restricted_and_always_waived():
    frame, coverage = small_history()
    governments = d.by_government(frame, coverage).set_index("iso3")
    assert governments.loc["AAA", ["named for restrictions", "years read", "years not read", "Tier 3 years"]].tolist() == [3, 3, 1, 4]
    assert governments.loc["AAA", "fiscal years named"] == "2021, 2023–2024"
    assert governments.loc["AAA", "fiscal years not read"] == "missing: no document: FY 2022"
    assert governments.loc["BBB", "fiscal years not read"] == "unknown: not in the part read: FY 2021; missing: no document: FY 2022"
    most = d.most_restricted(governments.reset_index(), top=1)
    assert most["iso3"].tolist() == ["AAA"]
    # CCC was fully waived in all three years read; DDD in its one; BBB was once partly waived.
    assert d.always_waived(governments.reset_index())["iso3"].tolist() == ["CCC", "DDD"]


def test_most_restricted_keeps_ties_at_the_cut():
    frame, coverage = small_history()
    governments = d.by_government(frame, coverage)
    governments.loc[governments["iso3"] == "BBB", "named for restrictions"] = 3
    assert d.most_restricted(governments, top=1)["iso3"].tolist() == ["AAA", "BBB"]


@pytest.mark.parametrize("years, expected", [([2005, 2006, 2007, 2009], "2005–2007, 2009"), ([2016], "2016"), ([], "none")])
def test_year_span(years, expected):
    assert d.year_span(years) == expected


# Links to the real data.

@pytest.fixture(scope="module")
def real():
    tables = load_all()
    return d.outcomes(tables), d.coverage(tables["determination_documents"])


def test_the_real_coverage_matches_the_reference_notes(real):
    _, coverage = real
    reading = coverage["reading"]
    assert d.year_span(coverage.index[reading == d.COMPLETE]) == "2022–2025"
    assert d.year_span(coverage.index[reading == d.MISSING]) == "2016"
    assert d.year_span(coverage.index[reading == d.SUMMARY]) == "2004, 2026"


def test_cambodia_fy_2024_answers_the_article(real):
    frame, _ = real
    row = d.answered(frame, "KHM", 2024)
    assert (row["outcome"], row["reading"], row["pd_number"], row["signed_date"]) == (
        d.FULLY_WAIVED, d.COMPLETE, "2023-14", "2023-09-29")
    assert "Algeria, Cambodia, Djibouti, Papua New Guinea, Turkmenistan, and Venezuela" in row["evidence"]


def test_cambodias_record(real):
    frame, _ = real
    record = d.country_determinations(frame, "KHM").set_index("fiscal_year")["outcome"].to_dict()
    assert record == {2003: d.NOT_REQUIRED, 2006: d.PARTLY_WAIVED, 2023: d.FULLY_WAIVED, 2024: d.FULLY_WAIVED,
                      2025: d.PARTLY_WAIVED, 2026: d.UNKNOWN}


def test_the_cut_full_waiver_paragraphs_are_those_of_the_reference_notes(real):
    """NOTES: the FY 2009, 2010, 2012 and 2015 full-waiver paragraphs stop after "of all programs" or a little later;
    the FY 2014 one stops at "and 11[0(d)(1)(B)]" (determination_documents.csv)."""
    tables = load_all()
    assert d.waiver_paragraph_cut_years(tables["determination_documents"], tables["determinations"]) == {2009, 2010, 2012, 2014, 2015}
    frame, _ = real
    assert not frame.loc[frame["fiscal_year"].isin([2008, 2011, 2013]) | (frame["outcome"] != d.FULLY_WAIVED), "waiver_paragraph_cut"].any()
