"""One country's record (tipreport.analysis.country), its chart and ``python -m tipreport country``."""

from __future__ import annotations

import pandas as pd
import pytest

from tipreport.analysis.country import CountryNotFound, find_country, format_record, history, moves, watch_list_spells
from tipreport.charts.country_chart import alt_text, headline
from tipreport.outputs.cli import main

URL = "https://example.org/{}/{}"


def countries_table() -> pd.DataFrame:
    """Yugoslavia (2001) → Serbia and Montenegro (2002–2003) → Serbia and Montenegro; plus Aland."""
    return pd.DataFrame({
        "iso3": ["YUG", "SCG", "SRB", "MNE", "ALA"],
        "country": ["Yugoslavia", "Serbia and Montenegro", "Serbia", "Montenegro", "Aland"],
        "region": ["Europe"] * 5,
        "successors": pd.Series(["SCG", "SRB MNE", None, None, None], dtype="string"),
        "valid_to": pd.Series([2001, 2003, None, None, None], dtype="Int64"),
    })


def tiers_table(rows: list[tuple[int, str, str]]) -> pd.DataFrame:
    return pd.DataFrame({
        "report_year": [year for year, _, _ in rows],
        "iso3": [iso3 for _, iso3, _ in rows],
        "tier": [tier for _, _, tier in rows],
        "source_type": "narrative",
        "source_id": "S00000001",
        "source_url": [URL.format(year, iso3) for year, iso3, _ in rows],
        "disagreement": [year == 2005 for year, _, _ in rows],
        "year_inferred": False,
        "source_note": "hand-made",
    })


def status_table(partial: set[int]) -> pd.DataFrame:
    years = pd.Index(range(2001, 2007), name="report_year")
    return pd.DataFrame({"complete": [year not in partial for year in years],
                         "status": ["1 of 9 found" if year in partial else "complete" for year in years]}, index=years)


TIERS = tiers_table([
    (2001, "YUG", "Tier 2"), (2002, "SCG", "Tier 3"), (2003, "SCG", "Tier 2"),
    (2004, "SRB", "Tier 2"), (2005, "SRB", "Tier 2 Watch List"), (2006, "SRB", "Tier 2 Watch List"),
    (2004, "ALA", "Tier 1"), (2006, "ALA", "Special Case"),
])


NOT_RANKED = pd.DataFrame({"report_year": [2003], "iso3": ["ALA"], "country": ["Aland"],
                           "evidence_phrase": ["Aland was not in the 2003 Report"], "source_id": ["S00000002"],
                           "source_url": ["https://example.org/not-ranked"]})


def tables(not_ranked: pd.DataFrame = NOT_RANKED.iloc[:0]) -> dict[str, pd.DataFrame]:
    return {"tiers": TIERS, "countries": countries_table(), "not_ranked": not_ranked}


def states(iso3: str, partial: set[int] = frozenset()) -> list[str]:
    return history(iso3, tables(), status_table(set(partial)))["placement"].tolist()


def test_successor_years_are_graded_as_part_of_the_predecessor_of_that_year():
    assert states("SRB") == ["graded as part of Yugoslavia", "graded as part of Serbia and Montenegro",
                             "graded as part of Serbia and Montenegro", "Tier 2", "Tier 2 Watch List",
                             "Tier 2 Watch List"]


def test_a_former_government_is_labelled_succeeded_after_its_last_year():
    assert states("SCG") == ["graded as part of Yugoslavia", "Tier 3", "Tier 2", "succeeded by Serbia and Montenegro",
                             "succeeded by Serbia and Montenegro", "succeeded by Serbia and Montenegro"]
    assert states("YUG")[1:] == ["succeeded by Serbia and Montenegro"] * 5


def test_years_without_a_placement_say_whether_the_year_is_complete():
    assert states("ALA", partial={2002}) == ["not in the report", "not found (1 of 9 found)", "not in the report",
                                             "Tier 1", "not in the report", "Special Case"]


def test_a_year_a_source_says_the_country_was_not_in_is_not_in_the_report_with_that_source():
    record = history("ALA", tables(NOT_RANKED), status_table({2002, 2003}))
    year = record.set_index("report_year").loc[2003]
    assert (year["placement"], year["source_url"]) == ("not in the report", "https://example.org/not-ranked")
    assert record.set_index("report_year").at[2002, "placement"] == "not found (1 of 9 found)"


def test_placed_years_carry_their_source_and_flags():
    record = history("SRB", tables(), status_table(set()))
    placed = record[record["state"] == "placed"]
    assert placed["source_url"].tolist() == [URL.format(year, "SRB") for year in (2004, 2005, 2006)]
    assert placed["disagreement"].tolist() == [False, True, False]
    assert record.loc[record["state"] != "placed", "source_url"].isna().all()
    assert str(record["tier"].dtype) == "category" and record["tier"].cat.ordered


def test_moves_need_two_consecutive_ranked_years():
    years = pd.Series([2001, 2002, 2003, 2005, 2006, 2007, 2008])
    tiers = pd.Series(["Tier 2", "Tier 3", "Tier 3", "Tier 1", "Special Case", "Tier 2", "Tier 1"])
    assert moves(years, tiers).fillna("").tolist() == ["", "down", "same", "", "", "", "up"]


def test_watch_list_spells_are_runs_of_consecutive_years():
    record = pd.DataFrame({"report_year": [2001, 2002, 2003, 2004, 2005, 2007],
                           "tier": ["Tier 2 Watch List", "Tier 2 Watch List", "Tier 2", "Tier 2 Watch List",
                                    "Tier 2 Watch List", "Tier 2 Watch List"]})
    assert watch_list_spells(record) == [(2001, 2002), (2004, 2005), (2007, 2007)]


@pytest.mark.parametrize(("asked", "found"), [("SRB", "SRB"), ("srb", "SRB"), ("serbia", "SRB"), (" Aland ", "ALA")])
def test_find_country_by_name_or_code(asked, found):
    assert find_country(countries_table(), asked) == found


def test_a_typo_gets_close_names_suggested():
    with pytest.raises(CountryNotFound, match=r"no country or territory 'Serbai'.*did you mean Serbia \(SRB\)"):
        find_country(countries_table(), "Serbai")
    with pytest.raises(CountryNotFound, match=r"'Qqqq'.*give a name or ISO3 code"):
        find_country(countries_table(), "Qqqq")


def test_headline_counts_the_current_run_and_alt_text_lists_every_year():
    record = history("SRB", tables(), status_table(set()))
    record.attrs.update(country="Serbia", iso3="SRB")
    assert headline(record) == "Serbia: Tier 2 Watch List in the 2006 report, in every report since 2005"
    former = history("SCG", tables(), status_table(set()))
    former.attrs.update(country="Serbia and Montenegro", iso3="SCG")
    assert headline(former).startswith("Serbia and Montenegro: ") and "its last as one government" in headline(former)
    assert "2001: graded as part of Yugoslavia; " in alt_text(record) and alt_text(record).endswith(
        "2006: Tier 2 Watch List.")


def test_format_record_shows_every_year_with_its_source():
    record = history("SRB", tables(), status_table({2006}))
    record.attrs.update(country="Serbia", iso3="SRB")
    text = format_record(record)
    assert text.splitlines()[0] == "Serbia (SRB): Tier 2 Watch List in the 2006 report"
    for year in range(2001, 2007):
        assert any(line.startswith(str(year)) for line in text.splitlines())
    assert URL.format(2005, "SRB") in text and "disagreement" in text


def test_command_line_prints_every_placement_source(capsys):
    from tipreport.data_in.load import load_all

    tiers = load_all()["tiers"]
    assert main(["country", "KHM"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Cambodia (KHM): ")
    for row in tiers[tiers["iso3"] == "KHM"].itertuples():
        line = next(line for line in out.splitlines() if line.startswith(str(row.report_year)))
        assert str(row.tier) in line and row.source_url in line


def test_command_line_typo_exits_with_suggestions(capsys):
    assert main(["country", "Cambodai"]) == 2
    assert "did you mean Cambodia (KHM)?" in capsys.readouterr().err
