"""The claims check on small hand-made tables with typed expected verdicts, and its links to the article."""

import pandas as pd
import pytest

from tipreport import load_all
from tipreport.analysis import claims as c
from tipreport.analysis.tiers import as_tier
from tipreport.paths import ARTICLE_PATH


def make_tables(tiers, law=(), excerpts=(), events=()):
    """Minimal tables: tiers as (year, iso3, tier); the article's phrases for the claims used."""
    tiers = pd.DataFrame(tiers, columns=["report_year", "iso3", "tier"])
    tiers = tiers.assign(tier=as_tier(tiers["tier"]), source_id="S" + tiers["iso3"] + tiers["report_year"].astype(str))
    countries = pd.DataFrame({"iso3": ["KHM", "MMR", "LAO", "THA", "CHN"],
                              "country": ["Cambodia", "Burma", "Laos", "Thailand", "China"],
                              "southeast_asia": [True, True, True, True, False]})
    phrases = ["cambodia-tier3-second-year", "cambodia-tier-2022", "tier3-southeast-asia-2023", "scam-compound-victims",
               "eap-prosecutions-2022", "eap-increase-from-2021"]
    numbers = pd.DataFrame({"claim_id": phrases, "phrase": [f"phrase of {p}" for p in phrases],
                            "value": [2, 3, 3, 10000, 4570, 2021]})
    law = pd.DataFrame(list(law), columns=["data_year", "area", "series", "prosecutions", "convictions",
                                           "victims_identified", "source_id"])
    excerpts = pd.DataFrame(list(excerpts), columns=["report_year", "topic", "excerpt", "source_id"])
    events = pd.DataFrame(list(events) or [("E01", "2022-07-19", "stated in source", "2022 report released", "Sx")],
                          columns=["event_id", "date", "date_basis", "event", "source_id"])
    return {"tiers": tiers, "countries": countries, "article_numbers": numbers, "law_enforcement": law,
            "report_excerpts": excerpts, "events": events}


CLAIM_2022 = (2022, "East Asia and Pacific", "article claim", 4570, 1607, 4635, "Sart")
CLAIM_2021 = (2021, "East Asia and Pacific", "article claim", 1440, 1066, 3348, "Sart")


def test_law_enforcement_without_another_source_cannot_be_checked():
    row = c.check_law_enforcement(make_tables([], law=[CLAIM_2022, CLAIM_2021]))
    assert row["verdict"] == c.CANNOT_CHECK
    assert "4,570 prosecutions" in row["article value"] and "1,440 prosecutions" in row["article value"]


def test_law_enforcement_is_confirmed_when_another_source_prints_the_same_numbers():
    other = [(2022, "East Asia and Pacific", "report table", 4570, 1607, 4635, "Srep"),
             (2021, "East Asia and Pacific", "report table", 1440, 1066, 3348, "Srep")]
    assert c.check_law_enforcement(make_tables([], law=[CLAIM_2022, CLAIM_2021, *other]))["verdict"] == c.CONFIRMED


def test_law_enforcement_differs_when_another_source_prints_another_number():
    other = [(2022, "East Asia and Pacific", "report table", 4570, 1600, 4635, "Srep")]
    row = c.check_law_enforcement(make_tables([], law=[CLAIM_2022, CLAIM_2021, *other]))
    assert row["verdict"] == c.DIFFERS
    assert "article 1,607, Srep 1,600" in row["our data"]


def test_law_enforcement_ignores_other_regions():
    other = [(2022, "Europe", "report table", 1, 1, 1, "Seur")]
    assert c.check_law_enforcement(make_tables([], law=[CLAIM_2022, *other]))["verdict"] == c.CANNOT_CHECK


@pytest.mark.parametrize("tiers_2021_2022_2023, expected", [
    (("Tier 2 Watch List", "Tier 3", "Tier 3"), c.CONFIRMED),
    (("Tier 3", "Tier 3", "Tier 3"), c.DIFFERS),        # a third year in a row
    (("Tier 2 Watch List", "Tier 2", "Tier 3"), c.DIFFERS),  # the first year
    (("Tier 2 Watch List", None, "Tier 3"), c.CANNOT_CHECK),  # a missing placement is not a verdict
])
def test_second_year_verdicts(tiers_2021_2022_2023, expected):
    rows = [(year, "KHM", tier) for year, tier in zip((2021, 2022, 2023), tiers_2021_2022_2023) if tier]
    assert c.check_second_year(make_tables(rows), "phrase of cambodia-tier3-second-year, it said.\n")["verdict"] == expected


def test_second_year_quotes_the_whole_sentence_and_confirms_it_plainly():
    rows = [(2021, "KHM", "Tier 2 Watch List"), (2022, "KHM", "Tier 3"), (2023, "KHM", "Tier 3")]
    article = "Intro.\nphrase of cambodia-tier3-second-year and was “not making significant efforts,” it said. Next one.\n"
    row = c.check_second_year(make_tables(rows), article)
    assert row["article says"] == "phrase of cambodia-tier3-second-year and was “not making significant efforts,” it said."
    assert row["verdict"] == c.CONFIRMED and "qualification" not in row
    assert row["our data"] == "the 2021 report: Tier 2 Watch List; the 2022 report: Tier 3; the 2023 report: Tier 3"


def test_article_sentence_refuses_a_phrase_not_in_the_article():
    with pytest.raises(KeyError, match="no sentence begins with"):
        c.article_sentence("not there", "Some other text.\n")


def test_quote_cut_marks_a_cut_at_either_end_only():
    assert c.quote_cut("section 110(d)(4), I determine that X") == "“…section 110(d)(4), I determine that X…”"
    assert c.quote_cut("Consistent with the Act, I determine that X.") == "“Consistent with the Act, I determine that X.”"


def southeast(extra=()):
    return [(2023, "KHM", "Tier 3"), (2023, "MMR", "Tier 3"), (2023, "LAO", "Tier 2"), (2023, "THA", "Tier 2"),
            (2023, "CHN", "Tier 3"), *extra]


def test_southeast_asia_is_confirmed_with_myanmar_alone_and_ignores_china():
    assert c.check_only_other_southeast_asian(make_tables(southeast()))["verdict"] == c.CONFIRMED


def test_southeast_asia_differs_when_another_member_is_on_tier_3():
    rows = [r for r in southeast() if r[1] != "LAO"] + [(2023, "LAO", "Tier 3")]
    row = c.check_only_other_southeast_asian(make_tables(rows))
    assert row["verdict"] == c.DIFFERS and "Burma, Laos" in row["our data"]


def test_southeast_asia_cannot_be_checked_when_a_member_has_no_placement():
    rows = [r for r in southeast() if r[1] != "THA"]
    row = c.check_only_other_southeast_asian(make_tables(rows))
    assert row["verdict"] == c.CANNOT_CHECK and "no placement for Thailand" in row["our data"]


def test_first_downgrade_differs_when_there_were_earlier_tier_3_years():
    rows = [(2005, "KHM", "Tier 3"), (2021, "KHM", "Tier 2 Watch List"), (2022, "KHM", "Tier 3")]
    row = c.check_first_downgrade(make_tables(rows))
    assert row["verdict"] == c.DIFFERS and "also on Tier 3 in the 2005 reports" in row["our data"]
    assert "19 July 2022" in row["our data"] and "Tier 2 Watch List → Tier 3" in row["our data"]


def test_first_downgrade_is_confirmed_for_a_first_tier_3_placement_released_in_july():
    rows = [(2021, "KHM", "Tier 2 Watch List"), (2022, "KHM", "Tier 3")]
    assert c.check_first_downgrade(make_tables(rows))["verdict"] == c.CONFIRMED
    june = [("E01", "2022-06-19", "stated in source", "2022 report released", "Sx")]
    assert c.check_first_downgrade(make_tables(rows, events=june))["verdict"] == c.DIFFERS


def test_victim_estimate_is_not_found_unless_the_excerpt_prints_the_number():
    absent = [(2023, "scam compound victims", "NGOs estimate that as many as 100,000 workers", "Sx")]
    row = c.check_victim_estimate(make_tables([], excerpts=absent))
    assert row["verdict"] == c.NOT_IN_TEXT and "as many as 100,000" in row["our data"]
    present = [(2023, "scam compound victims", "more than 10,000 victims", "Sx")]
    assert c.check_victim_estimate(make_tables([], excerpts=present))["verdict"] == c.CONFIRMED


def test_an_unknown_verdict_is_refused():
    with pytest.raises(ValueError, match="unknown verdict"):
        c._row("x", "says", "a", "b", "off by a factor of ten", "")


# Links to the real article and data: the encoded claims quote the article.

@pytest.fixture(scope="module")
def tables():
    return load_all()


def test_every_claim_is_one_row_quoting_the_article(tables):
    checked = c.check_claims(tables)
    text = ARTICLE_PATH.read_text(encoding="utf-8")
    assert checked["claim_id"].is_unique and set(checked["verdict"]) <= set(c.VERDICTS)
    assert checked["article says"].is_unique  # the same sentence is never checked twice
    for phrase in checked["article says"]:
        for part in phrase.split(" … "):
            assert part in text, part


def test_the_encoded_country_names_are_the_articles_own_words(tables):
    numbers = tables["article_numbers"].set_index("claim_id")
    for claim in c.TIER_CLAIMS:
        phrases = numbers.loc[[claim.claim_id], "phrase"].tolist()
        for name in claim.countries.values():
            assert any(name in phrase for phrase in phrases), (claim.claim_id, name)


def test_the_date_claims_quote_the_article():
    text = ARTICLE_PATH.read_text(encoding="utf-8")
    for phrase in (spec[1] for spec in c.DATE_CLAIMS.values()):
        assert phrase in text


def restriction_tables(reading="complete text read", cambodia=("d4_full", "full"), other=("d1Ai", "none")):
    """The 2023 report's Tier 3 list (Cambodia and Cuba) and a hand-made FY 2024 determination."""
    tables = make_tables([(2023, "KHM", "Tier 3"), (2023, "CUB", "Tier 3")])
    tables["tiers"]["country"] = tables["tiers"]["iso3"].map({"KHM": "Cambodia", "CUB": "Cuba"})
    tables["article_numbers"] = pd.DataFrame({"claim_id": ["tier3-funding-restrictions"],
                                              "phrase": ["countries ranked at Tier 3 may face restrictions"]})
    tables["determination_documents"] = pd.DataFrame([{
        "fiscal_year": 2024, "report_year": 2023, "pd_number": "2023-14", "signed_date": "2023-09-29", "title": "PD",
        "source_url": "https://example.org/pd", "source_id": "Spd", "completeness": reading}])
    tables["determinations"] = pd.DataFrame([
        {"fiscal_year": 2024, "report_year": 2023, "pd_number": "2023-14", "signed_date": "2023-09-29", "iso3": iso3,
         "country": name, "provision": provision, "waiver": waiver, "programs_waived": None, "source_id": f"S{iso3}",
         "source_url": "https://example.org/pd", "evidence_phrase": f"the words on {name}"}
        for iso3, name, (provision, waiver) in (("KHM", "Cambodia", cambodia), ("CUB", "Cuba", other))]).astype({"waiver": "string"})
    return tables


def test_assistance_restrictions_are_confirmed_by_a_determination_read_in_full():
    row = c.check_assistance_restrictions(restriction_tables())
    assert row["verdict"] == c.CONFIRMED and row["sources"] == "SKHM"
    assert row["our data"].startswith("FY 2024 determination (PD 2023-14, dated 29 September 2023), read in full: "
                                      "Cambodia fully waived: “…the words on Cambodia…”")
    assert row["our data"].endswith("for 1 of the 2 Tier 3 governments of the 2023 report")


def test_assistance_restrictions_differ_when_no_tier_3_government_kept_any():
    assert c.check_assistance_restrictions(restriction_tables(other=("d4_full", "full")))["verdict"] == c.DIFFERS


def test_assistance_restrictions_cannot_be_checked_from_a_partly_read_determination():
    row = c.check_assistance_restrictions(restriction_tables(reading="partly read", other=("d1Ai", None)))
    assert row["verdict"] == c.CANNOT_CHECK and "partly read" in row["our data"]


def test_the_restrictions_question_is_the_articles_and_is_answered_by_fy_2024(tables):
    assert c.RESTRICTIONS_QUESTION in ARTICLE_PATH.read_text(encoding="utf-8")
    row = c.check_claims(tables).set_index("claim_id").loc["tier3-funding-restrictions"]
    assert row["verdict"] == c.CONFIRMED
    assert "dated 29 September 2023" in row["our data"] and "Cambodia fully waived" in row["our data"]
