"""Check the article's factual claims against the data package.

Each check returns one row: the claim, the article's value, the value in our data,
a verdict and the sources. Verdicts: ``confirmed`` (the data say the same),
``differs`` (the data say something else), ``not independently verifiable`` (no
source other than the article). The values are read from the tables, never typed here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

CONFIRMED, DIFFERS, UNVERIFIABLE = "confirmed", "differs", "not independently verifiable"
VERDICTS = (CONFIRMED, DIFFERS, UNVERIFIABLE)


@dataclass(frozen=True)
class TierClaim:
    """The article says these countries were on ``tier`` in ``year``; names as the article writes them."""

    claim_id: str
    year: int
    tier: str
    countries: dict[str, str]  # iso3 -> name as written in the article


TIER_CLAIMS = (
    TierClaim("cambodia-tier-2023", 2023, "Tier 3", {"KHM": "Cambodia"}),
    TierClaim("tier3-countries-2023", 2023, "Tier 3", {"CHN": "China", "PRK": "North Korea", "RUS": "Russia"}),
    TierClaim("tier2wl-countries-2023", 2023, "Tier 2 Watch List", {"VNM": "Vietnam", "BRN": "Brunei", "MYS": "Malaysia"}),
    TierClaim("tier2-countries-2023", 2023, "Tier 2", {"TLS": "Timor Leste", "THA": "Thailand", "LAO": "Laos", "JPN": "Japan"}),
    TierClaim("tier1-countries-2023", 2023, "Tier 1", {"USA": "US", "GBR": "United Kingdom", "SGP": "Singapore", "FRA": "France"}),
)

#: Every country the article places on a tier in 2023 (Myanmar is "the only other Southeast Asian" Tier 3 country).
ARTICLE_NAMED = frozenset({iso3 for claim in TIER_CLAIMS for iso3 in claim.countries} | {"MMR"})

#: Dated claims: claim id -> (event id in events.csv, what the article says about the date).
DATE_CLAIMS = {
    "report-released-thursday": ("E05", "the US government reported on Thursday", "weekday", "Thursday"),
    "downgraded-last-july": ("E01", "Cambodia was first downgraded to Tier 3 last July.", "month", "July 2022"),
    "vod-licence-revoked-february": ("E03", "The Cambodia government revoked Voice of Democracy’s media license in February.", "month", "February 2023"),
    "taiwan-anti-fraud-office-earlier-this-year": ("E04", "which earlier this year launched an anti-fraud office", "year", "2023"),
    "mech-dara-tip-hero": ("E06", "The US State Department recognized journalist Mech Dara as a “TIP Report Hero”", "year", "2023"),
}


def _phrase(tables: dict, claim_id: str) -> str:
    numbers = tables["article_numbers"]
    rows = numbers.loc[numbers["claim_id"] == claim_id, "phrase"]
    if rows.empty:
        raise KeyError(f"no article number with claim_id {claim_id!r}")
    return str(rows.iloc[0])


def _tier_of(tables: dict, year: int, iso3: str):
    tiers = tables["tiers"]
    rows = tiers[(tiers["report_year"] == year) & (tiers["iso3"] == iso3)]
    return (str(rows["tier"].iloc[0]), str(rows["source_id"].iloc[0])) if len(rows) else (None, None)


def check_tier_claim(tables: dict, claim: TierClaim) -> dict:
    """Confirmed when every named country is on the stated tier in that report year."""
    found = {iso3: _tier_of(tables, claim.year, iso3) for iso3 in claim.countries}
    wrong = {iso3: tier for iso3, (tier, _) in found.items() if tier != claim.tier}
    data_value = "; ".join(f"{claim.countries[iso3]}: {tier or 'no placement'}" for iso3, (tier, _) in found.items())
    return {"claim_id": claim.claim_id, "article says": _phrase(tables, claim.claim_id),
            "article value": f"{claim.tier} ({claim.year} report)", "our data": data_value,
            "verdict": DIFFERS if wrong else CONFIRMED,
            "sources": " ".join(sorted({source for _, source in found.values() if source}))}


def check_only_other_southeast_asian(tables: dict) -> dict:
    """'The only other Southeast Asian country included in Tier 3 was Myanmar.'"""
    countries = tables["countries"].set_index("iso3")
    tiers = tables["tiers"]
    rows = tiers[(tiers["report_year"] == 2023) & (tiers["tier"] == "Tier 3")]
    southeast = rows[rows["iso3"].map(countries["southeast_asia"])]
    others = sorted(set(southeast["iso3"]) - {"KHM"})
    return {"claim_id": "tier3-southeast-asia-2023", "article says": _phrase(tables, "tier3-southeast-asia-2023"),
            "article value": "Myanmar only (besides Cambodia)", "our data": ", ".join(countries.loc[others, "country"]),
            "verdict": CONFIRMED if others == ["MMR"] else DIFFERS, "sources": " ".join(sorted(southeast["source_id"]))}


def check_second_year(tables: dict) -> dict:
    """'For the second year in a row' on Tier 3: Tier 3 in 2022 and 2023, not in 2021."""
    history = {year: _tier_of(tables, year, "KHM") for year in (2021, 2022, 2023)}
    run = [history[2021][0] != "Tier 3", history[2022][0] == "Tier 3", history[2023][0] == "Tier 3"]
    return {"claim_id": "cambodia-tier3-second-year", "article says": _phrase(tables, "cambodia-tier3-second-year"),
            "article value": "second consecutive year on Tier 3",
            "our data": "; ".join(f"{year}: {tier}" for year, (tier, _) in history.items()),
            "verdict": CONFIRMED if all(run) else DIFFERS, "sources": " ".join(s for _, s in history.values() if s)}


def check_first_downgrade(tables: dict) -> dict:
    """'Cambodia was first downgraded to Tier 3 last July': was 2022 its first year on Tier 3?"""
    tiers = tables["tiers"]
    earlier = tiers[(tiers["iso3"] == "KHM") & (tiers["tier"] == "Tier 3") & (tiers["report_year"] < 2022)]
    years = ", ".join(str(y) for y in sorted(earlier["report_year"]))
    return {"claim_id": "cambodia-tier-2022", "article says": _phrase(tables, "cambodia-tier-2022"),
            "article value": "first time on Tier 3 in the 2022 report",
            "our data": f"also Tier 3 in the {years} reports" if years else "no earlier Tier 3 placement",
            "verdict": DIFFERS if years else CONFIRMED, "sources": " ".join(sorted(earlier["source_id"]))}


def check_victim_estimate(tables: dict) -> dict:
    """The article's 'more than 10,000 victims' against the report's own estimate."""
    numbers = tables["article_numbers"].set_index("claim_id")
    article = int(numbers.loc["scam-compound-victims", "value"])
    excerpts = tables["report_excerpts"]
    report = excerpts[(excerpts["topic"] == "scam compound victims") & (excerpts["report_year"] == 2023)].iloc[0]
    return {"claim_id": "scam-compound-victims", "article says": _phrase(tables, "scam-compound-victims"),
            "article value": f"more than {article:,}", "our data": f"2023 report: “{report['excerpt']}” ({int(report['value']):,})",
            "verdict": CONFIRMED if int(report["value"]) == article else DIFFERS, "sources": str(report["source_id"])}


def check_law_enforcement(tables: dict) -> list[dict]:
    """The article's East Asia and Pacific figures: is there any source besides the article?"""
    law = tables["law_enforcement"]
    claims = law[law["series"] == "article claim"]
    other = law[(law["series"] != "article claim") & (law["area"] == "East Asia and Pacific")
                & law["data_year"].isin(claims["data_year"])]
    rows = []
    for claim in claims.itertuples():
        for measure in ("prosecutions", "convictions", "victims_identified"):
            claim_id = f"eap-{measure.replace('_', '-')}-{claim.data_year}"
            rows.append({"claim_id": claim_id, "article says": _phrase(tables, claim_id),
                         "article value": f"{getattr(claim, measure):,}",
                         "our data": "no other source prints East Asia and Pacific figures for this year" if other.empty else "see law_enforcement.csv",
                         "verdict": UNVERIFIABLE if other.empty else CONFIRMED, "sources": claim.source_id})
    return rows


def check_date_claim(tables: dict, claim_id: str) -> dict:
    """A relative date in the article ('on Thursday', 'last July') against the event's sourced date."""
    event_id, phrase, unit, article_value = DATE_CLAIMS[claim_id]
    event = tables["events"].set_index("event_id").loc[event_id]
    date = pd.Timestamp(event["date"])
    found = {"weekday": f"{date:%A}", "month": f"{date:%B %Y}", "year": f"{date:%Y}"}[unit]
    return {"claim_id": claim_id, "article says": phrase, "article value": article_value,
            "our data": f"{event['event']}: {date:%d %B %Y} ({event['date_basis']})",
            "verdict": CONFIRMED if found == article_value else DIFFERS, "sources": str(event["source_id"])}


def check_claims(tables: dict) -> pd.DataFrame:
    """Every checked claim, one row each."""
    rows = [check_second_year(tables), check_first_downgrade(tables)]
    rows += [check_tier_claim(tables, claim) for claim in TIER_CLAIMS]
    rows.append(check_only_other_southeast_asian(tables))
    rows.append(check_victim_estimate(tables))
    rows += check_law_enforcement(tables)
    rows += [check_date_claim(tables, claim_id) for claim_id in DATE_CLAIMS]
    return pd.DataFrame(rows)
