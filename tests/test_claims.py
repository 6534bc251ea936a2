"""The claims check: its verdicts follow the data, and its encoded claims match the article text."""

import csv

import pytest

from tipreport import load_all
from tipreport.claims import (CONFIRMED, DATE_CLAIMS, DIFFERS, TIER_CLAIMS, UNVERIFIABLE, VERDICTS, check_claims,
                              check_date_claim, check_first_downgrade, check_tier_claim, check_victim_estimate)
from tipreport.paths import ARTICLE_PATH, DATA_DIR
from tipreport.tiers import TIER_DTYPE


@pytest.fixture
def tables():
    return load_all()


def article_text():
    return ARTICLE_PATH.read_text(encoding="utf-8")


def test_every_claim_has_a_known_verdict_and_quotes_the_article(tables):
    claims = check_claims(tables)
    assert claims["claim_id"].is_unique
    assert set(claims["verdict"]) <= set(VERDICTS)
    for phrase in claims["article says"]:
        assert phrase in article_text()


def test_the_encoded_country_names_are_the_articles_own_words(tables):
    numbers = tables["article_numbers"].set_index("claim_id")
    for claim in TIER_CLAIMS:
        phrases = numbers.loc[[claim.claim_id], "phrase"].tolist()
        for name in claim.countries.values():
            assert any(name in phrase for phrase in phrases), (claim.claim_id, name)


def test_the_date_claims_quote_the_article(tables):
    for phrase in (spec[1] for spec in DATE_CLAIMS.values()):
        assert phrase in article_text()


def test_victim_estimate_differs_when_read_straight_from_the_csv_files(tables):
    with open(DATA_DIR / "article_numbers.csv", encoding="utf-8") as handle:
        article = next(r for r in csv.DictReader(handle) if r["claim_id"] == "scam-compound-victims")
    with open(DATA_DIR / "report_excerpts.csv", encoding="utf-8") as handle:
        report = next(r for r in csv.DictReader(handle) if r["topic"] == "scam compound victims" and r["report_year"] == "2023")
    expected = CONFIRMED if float(article["value"]) == float(report["value"]) else DIFFERS
    assert check_victim_estimate(tables)["verdict"] == expected == DIFFERS


def set_tier(tables, year, iso3, tier):
    tiers = tables["tiers"]
    mask = (tiers["report_year"] == year) & (tiers["iso3"] == iso3)
    assert mask.sum() == 1
    tiers["tier"] = tiers["tier"].astype(str).where(~mask, tier).astype(TIER_DTYPE)


def test_a_tier_claim_turns_to_differs_when_the_data_disagree(tables):
    claim = next(c for c in TIER_CLAIMS if c.claim_id == "cambodia-tier-2023")
    assert check_tier_claim(tables, claim)["verdict"] == CONFIRMED
    set_tier(tables, 2023, "KHM", "Tier 2")
    assert check_tier_claim(tables, claim)["verdict"] == DIFFERS


def test_first_downgrade_is_confirmed_only_without_earlier_tier_3_years(tables):
    assert check_first_downgrade(tables)["verdict"] == DIFFERS
    for year in (2002, 2005):
        set_tier(tables, year, "KHM", "Tier 2")
    assert check_first_downgrade(tables)["verdict"] == CONFIRMED


def test_a_date_claim_checks_the_weekday_of_the_sourced_date(tables):
    assert check_date_claim(tables, "report-released-thursday")["verdict"] == CONFIRMED
    events = tables["events"]
    events.loc[events["event_id"] == "E05", "date"] = "2023-06-14"
    assert check_date_claim(tables, "report-released-thursday")["verdict"] == DIFFERS


def test_article_law_enforcement_figures_are_unverifiable_without_another_source(tables):
    claims = check_claims(tables)
    regional = claims[claims["claim_id"].str.startswith("eap-")]
    assert len(regional) == 6 and (regional["verdict"] == UNVERIFIABLE).all()
