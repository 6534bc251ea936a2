"""Rules of meaning (tipreport.data_in.rules): each breaks one value in a copy of the data and sees its one line.

The copies are in memory (the loaded tables with their file lines) so each case costs no
frictionless run; one case goes through the files to show the loader refuses the package.
Rows are picked by content and their line numbers are read from the files here, not from the code.
"""

import copy
import csv
import shutil

import pandas as pd
import pytest

from tipreport import DataValidationError, load_all
from tipreport.data_in.load import _article_text
from tipreport.data_in.rules import RULES, Tables, meaning_problems
from tipreport.data_in.validate import validate_package
from tipreport.paths import DATA_DIR

ARTICLE = _article_text(DATA_DIR)[0]


@pytest.fixture(scope="module")
def committed():
    """(frames, lines) of the committed package."""
    frames = load_all()
    _, lines = validate_package(DATA_DIR)
    return frames, lines


def row_where(table: str, **match) -> tuple[int, int]:
    """(row index, line in the file) of the one row of data/<table>.csv whose cells equal ``match``."""
    with open(DATA_DIR / f"{table}.csv", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        found = []
        previous_end = 1
        for index, row in enumerate(reader):
            if all(row[key] == str(value) for key, value in match.items()):
                found.append((index, previous_end + 1))
            previous_end = reader.line_num
    assert len(found) == 1, (table, match, found)
    return found[0]


def rule_messages(committed, table: str, match: dict, changes: dict) -> list[tuple[str, str]]:
    """(rule, message) for every problem once the row of ``table`` matching ``match`` takes ``changes``."""
    frames, lines = committed
    frames = {name: frame.copy() for name, frame in frames.items()}
    index, _ = row_where(table, **match)
    for column, value in changes.items():
        frames[table][column] = frames[table][column].astype(object)
        frames[table].at[index, column] = value
    tables = Tables(frames, copy.deepcopy(lines), DATA_DIR, ARTICLE)
    return [(rule.__name__, str(problem).replace(str(DATA_DIR.parent) + "/", ""))
            for rule, needs in RULES if tables.has(*needs) for problem in rule(tables)]


def problems_after(committed, table: str, match: dict, changes: dict) -> list[str]:
    """The rules' messages once the row of ``table`` matching ``match`` takes ``changes``."""
    return [message for _, message in rule_messages(committed, table, match, changes)]


def line(table: str, **match) -> int:
    return row_where(table, **match)[1]


def test_the_committed_data_breaks_no_rule(committed):
    frames, lines = committed
    assert meaning_problems(frames, lines, DATA_DIR, ARTICLE) == []


CAMBODIA_FY2024 = {"fiscal_year": 2024, "iso3": "KHM", "provision": "d4_full"}
CHINA_2011_WAIVER = {"report_year": 2011, "iso3": "CHN"}


def case_determination_names_a_country_differently(committed):
    at = line("determinations", **CAMBODIA_FY2024)
    return (problems_after(committed, "determinations", CAMBODIA_FY2024, {"country": "Kampuchea"}),
            [f"data/determinations.csv, line {at}, column 'country': value 'Kampuchea': does not match countries.csv for KHM (expected 'Cambodia')"])


def case_source_url_is_not_the_registered_one(committed):
    match = {"report_year": 2025, "iso3": "KHM"}
    at = line("state_sponsored", **match)
    row = committed[0]["state_sponsored"].query("report_year == 2025 and iso3 == 'KHM'").iloc[0]
    return (problems_after(committed, "state_sponsored", match, {"source_url": "https://example.org/elsewhere"}),
            [f"data/state_sponsored.csv, line {at}, column 'source_url': value 'https://example.org/elsewhere': "
             f"is not the URL sources.csv registers for {row['source_id']} (expected {row['source_url']!r})"])


def case_statute_cites_an_unregistered_source(committed):
    match = {"version": "2019_(E)_congressional_notice"}
    at = line("watch_list_statute", **match)
    return (problems_after(committed, "watch_list_statute", match, {"source_ids": "S00000000"}),
            [f"data/watch_list_statute.csv, line {at}, column 'source_ids': value 'S00000000': "
             "not found in sources.source_id (expected a registered source)"])


def case_watch_list_placement_before_2004(committed):
    match = {"report_year": 2003, "iso3": "KHM"}
    at = line("tiers", **match)
    return (problems_after(committed, "tiers", match, {"tier": "Tier 2 Watch List"}),
            [f"data/tiers.csv, line {at}, column 'tier': value 'Tier 2 Watch List': the Watch List was first used in the 2004 report "
             "(this row is for 2003)"])


def case_former_government_graded_after_it_ended(committed):
    match = {"report_year": 2006, "iso3": "SCG"}
    at = line("tiers", **match)
    return (problems_after(committed, "tiers", match, {"report_year": 2007}),
            [f"data/tiers.csv, line {at}, column 'report_year': value '2007': SCG is a former government graded up to 2006 (countries.csv valid_to)"])


def case_successor_graded_beside_its_predecessor(committed):
    match = {"report_year": 2007, "iso3": "SRB"}
    at = line("tiers", **match)
    return (problems_after(committed, "tiers", match, {"report_year": 2006}),
            [f"data/tiers.csv, line {at}, column 'report_year': value '2006': SRB succeeds SCG, which was graded up to 2006: expected a year after 2006"])


def case_not_ranked_country_is_placed(committed):
    match = {"report_year": 2003, "iso3": "ARG"}
    at = line("not_ranked", **match)
    tier = committed[0]["tiers"].query("report_year == 2004 and iso3 == 'ARG'")["tier"].iloc[0]
    return (problems_after(committed, "not_ranked", match, {"report_year": 2004}),
            [f"data/not_ranked.csv, line {at}, column 'iso3': value 'ARG': said to be not in this report, "
             f"but tiers.csv places ARG in the 2004 report ({tier})"])


def case_deduction_states_an_older_last_placement(committed):
    match = {"report_year": 2025, "iso3": "BEN"}
    at = line("tier2_by_elimination", **match)
    return (problems_after(committed, "tier2_by_elimination", match, {"last_placement": "2023 Tier 2 Watch List"}),
            [f"data/tier2_by_elimination.csv, line {at}, column 'last_placement': value '2023 Tier 2 Watch List': "
             "is not the last placement in tiers.csv before 2025 (expected '2024 Tier 2 Watch List')"])


def case_labour_prosecutions_exceed_all_prosecutions(committed):
    frame = committed[0]["law_enforcement"]
    row = frame[frame["prosecutions_labor"].notna() & frame["report_year"].notna()].iloc[0]
    match = {"report_year": row["report_year"], "data_year": row["data_year"], "area": row["area"], "series": row["series"],
             "source_id": row["source_id"]}
    at = line("law_enforcement", **match)
    bigger = int(row["prosecutions"]) + 1
    return (problems_after(committed, "law_enforcement", match, {"prosecutions_labor": bigger}),
            [f"data/law_enforcement.csv, line {at}, column 'prosecutions_labor': value '{bigger}': "
             f"exceeds prosecutions ({row['prosecutions']}) of which it is a part"])


def case_figures_for_the_report_year_itself(committed):
    match = {"report_year": 2023, "data_year": 2022, "area": "East Asia and Pacific", "series": "article claim"}
    at = line("law_enforcement", **match)
    return (problems_after(committed, "law_enforcement", match, {"data_year": 2023}),
            [f"data/law_enforcement.csv, line {at}, column 'data_year': value '2023': a report gives figures for years before its own (report year 2023)"])


def case_determination_for_the_wrong_fiscal_year(committed):
    at = line("determinations", **CAMBODIA_FY2024)
    return (problems_after(committed, "determinations", CAMBODIA_FY2024, {"fiscal_year": 2030}),
            [f"data/determinations.csv, line {at}, column 'fiscal_year': value '2030': a determination covers the fiscal year "
             "after its report (expected 2024)",
             f"data/determinations.csv, line {at}, column 'fiscal_year': value '2030': no document for this fiscal year in "
             "determination_documents.csv (expected the text it was read in)"])


def case_determination_signed_a_year_late(committed):
    at = line("determinations", **CAMBODIA_FY2024)
    return (problems_after(committed, "determinations", CAMBODIA_FY2024, {"signed_date": "2024-09-29"}),
            [f"data/determinations.csv, line {at}, column 'signed_date': value '2024-09-29': a determination is signed in its report's year (expected 2023)"])


def case_determination_for_a_country_not_on_tier_3(committed):
    at = line("determinations", **CAMBODIA_FY2024)
    tier = committed[0]["tiers"].query("report_year == 2023 and iso3 == 'THA'")["tier"].iloc[0]
    return (problems_after(committed, "determinations", CAMBODIA_FY2024, {"iso3": "THA", "country": "Thailand"}),
            [f"data/determinations.csv, line {at}, column 'iso3': value 'THA': named in the FY 2024 determination but placed "
             f"{tier} in the 2023 report (expected Tier 3)"])


def case_full_waiver_row_says_none(committed):
    at = line("determinations", **CAMBODIA_FY2024)
    return (problems_after(committed, "determinations", CAMBODIA_FY2024, {"waiver": "none"}),
            [f"data/determinations.csv, line {at}, column 'waiver': value 'none': a d4_full row's waiver is 'full'"])


def case_waiver_for_a_government_not_on_the_watch_list(committed):
    match = {"report_year": 2013, "iso3": "RUS"}
    at = line("watch_list_waivers", **match)
    return (problems_after(committed, "watch_list_waivers", match, {"event": "waiver_granted"}),
            [f"data/watch_list_waivers.csv, line {at}, column 'event': value 'waiver_granted': a waiver keeps a government on the "
             "Watch List, but tiers.csv has RUS Tier 3 in 2013"])


def case_waiver_before_one_could_be_needed(committed):
    at = line("watch_list_waivers", **CHINA_2011_WAIVER)
    return (problems_after(committed, "watch_list_waivers", CHINA_2011_WAIVER, {"report_year": 2010}),
            [f"data/watch_list_waivers.csv, line {at}, column 'report_year': value '2010': under the 2008 text no waiver could be "
             "needed before the 2011 report",
             f"data/watch_list_waivers.csv, line {at}, column 'report_year': value '2010': no row for this year in "
             "watch_list_waiver_coverage.csv (expected complete or partial)"])


def case_waiver_in_a_period_without_waivers(committed):
    waiver = line("watch_list_waivers", **CHINA_2011_WAIVER)
    messages = problems_after(committed, "watch_list_rules", {"regime": "2008 text"}, {"max_waiver_years": 0})
    return ([m for m in messages if f"line {waiver}," in m],
            [f"data/watch_list_waivers.csv, line {waiver}, column 'report_year': value '2011': "
             "no version of the law in watch_list_rules.csv allowed waivers in this report"])


def case_downgrade_after_the_limit_to_the_watch_list(committed):
    match = {"report_year": 2013, "iso3": "CHN"}
    at = line("watch_list_waivers", **match)
    messages = problems_after(committed, "tiers", match, {"tier": "Tier 2 Watch List"})
    return ([m for m in messages if "watch_list_waivers" in m],
            [f"data/watch_list_waivers.csv, line {at}, column 'event': value 'downgraded_after_limit': tiers.csv has CHN "
             "Tier 2 Watch List in 2013 (expected Tier 3)"])


def case_complete_waiver_record_without_its_memo(committed):
    match = {"report_year": 2014}
    at = line("watch_list_waiver_coverage", **match)
    return (problems_after(committed, "watch_list_waiver_coverage", match, {"memo_source_id": pd.NA}),
            [f"data/watch_list_waiver_coverage.csv, line {at}, column 'memo_source_id': a complete record names the memo read, "
             "and only a complete one does"])


def case_rule_misquotes_the_statute(committed):
    match = {"regime": "2019 text"}
    at = line("watch_list_rules", **match)
    evidence = ("for 2 consecutive years after December 23, 2008 | The President may waive the application of clause (i) "
                "for up to 2 years | for more than 1 consecutive year after the country")
    return (problems_after(committed, "watch_list_rules", match, {"evidence": evidence}),
            [f"data/watch_list_rules.csv, line {at}, column 'evidence': value 'The President may waive the application of "
             "clause (i) for up to 2 years': not in the words of 2008_enacted_(D)(i), 2019_one_year_waiver_(D)(ii), "
             "2019_(F)_downgraded_and_reinstated (watch_list_statute.csv)"])


def case_rule_names_an_unknown_statute_version(committed):
    match = {"regime": "2008 text"}
    at = line("watch_list_rules", **match)
    return (problems_after(committed, "watch_list_rules", match, {"statute_versions": "2008_enacted_(D)(i) 2007_text"}),
            [f"data/watch_list_rules.csv, line {at}, column 'statute_versions': value '2007_text': not a version in watch_list_statute.csv"])


def case_rule_periods_overlap(committed):
    first = line("watch_list_rules", regime="2008 text")
    second = line("watch_list_rules", regime="2019 text")
    return (problems_after(committed, "watch_list_rules", {"regime": "2008 text"}, {"last_report_year": 2019}),
            [f"data/watch_list_rules.csv, line {first}, column 'first_report_year': value '2009': periods must not overlap and must end after they begin",
             f"data/watch_list_rules.csv, line {second}, column 'first_report_year': value '2019': periods must not overlap and must end after they begin"])


def case_state_sponsor_not_on_tier_3(committed):
    match = {"report_year": 2025, "iso3": "KHM"}
    sponsor = line("state_sponsored", **match)
    messages = problems_after(committed, "tiers", match, {"tier": "Tier 2 Watch List"})
    return ([m for m in messages if "state_sponsored" in m],
            [f"data/state_sponsored.csv, line {sponsor}, column 'iso3': value 'KHM': placed Tier 2 Watch List in the 2025 report (expected Tier 3)"])


def case_state_sponsor_before_the_statute(committed):
    match = {"report_year": 2020, "iso3": "PRK"}
    at = line("state_sponsored", **match)
    return (problems_after(committed, "state_sponsored", match, {"report_year": 2018}),
            [f"data/state_sponsored.csv, line {at}, column 'report_year': value '2018': before the statute that created the list (2019)"])


def case_quote_the_article_does_not_contain(committed):
    quote = committed[0]["quotes"].iloc[0]
    at = line("quotes", quote_id=quote["quote_id"])
    changed = quote["quote"] + " indeed"
    return (problems_after(committed, "quotes", {"quote_id": quote["quote_id"]}, {"quote": changed}),
            [f"data/quotes.csv, line {at}, column 'quote': value {changed!r}: not in paragraph {quote['paragraph']} of the article"])


def case_number_in_a_paragraph_the_article_lacks(committed):
    number = committed[0]["article_numbers"].iloc[0]
    at = line("article_numbers", number_id=number["number_id"])
    return (problems_after(committed, "article_numbers", {"number_id": number["number_id"]}, {"paragraph": 99}),
            [f"data/article_numbers.csv, line {at}, column 'paragraph': value '99': the article has paragraphs 1 to "
             f"{len(ARTICLE.split(chr(10)))}"])


def case_number_written_otherwise_than_in_its_phrase(committed):
    number = committed[0]["article_numbers"].iloc[0]
    at = line("article_numbers", number_id=number["number_id"])
    return (problems_after(committed, "article_numbers", {"number_id": number["number_id"]}, {"value_as_written": "1,234,567"}),
            [f"data/article_numbers.csv, line {at}, column 'value_as_written': value '1,234,567': not in its phrase"])


def case_event_date_not_of_its_precision(committed):
    event = committed[0]["events"].query("date_precision == 'day'").iloc[0]
    at = line("events", event_id=event["event_id"])
    return (problems_after(committed, "events", {"event_id": event["event_id"]}, {"date": event["date"][:7]}),
            [f"data/events.csv, line {at}, column 'date': value {event['date'][:7]!r}: a date of precision 'day' is written \\d{{4}}-\\d{{2}}-\\d{{2}}"])


CASES = {name.removeprefix("case_"): function for name, function in globals().items() if name.startswith("case_")}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_value_impossible_given_another_is_refused_in_one_line(committed, case):
    found, expected = CASES[case](committed)
    assert found == expected


def test_every_rule_refuses_at_least_one_case(committed, monkeypatch):
    """No rule goes untested: each produces a message in some case."""
    hit = set()
    original = rule_messages

    def recording(*args):
        found = original(*args)
        hit.update(rule for rule, _ in found)
        return found

    monkeypatch.setitem(globals(), "rule_messages", recording)
    for case in CASES.values():
        case(committed)
    assert hit == {rule.__name__ for rule, _ in RULES}


def test_the_loader_refuses_a_package_that_breaks_a_rule(tmp_path):
    data = shutil.copytree(DATA_DIR, tmp_path / "data")
    at = line("determinations", **CAMBODIA_FY2024)
    text = (data / "determinations.csv").read_text(encoding="utf-8").split("\n")
    text[at - 1] = text[at - 1].replace("2024,2023,2023-14", "2024,2022,2023-14", 1)
    (data / "determinations.csv").write_text("\n".join(text), encoding="utf-8")
    with pytest.raises(DataValidationError) as caught:
        load_all(data)
    assert [str(p).replace(str(tmp_path) + "/", "") for p in caught.value.problems] == [
        f"data/determinations.csv, line {at}, column 'fiscal_year': value '2024': a determination covers the fiscal year after its report (expected 2023)",
        f"data/determinations.csv, line {at}, column 'signed_date': value '2023-09-29': a determination is signed in its report's year (expected 2022)"]
