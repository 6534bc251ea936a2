"""Check the article's factual claims against the data package: one row per distinct claim.

Each row gives the article's words, the article's value, the value in our data (shown,
not only judged), a verdict and the sources. The verdict vocabulary is small:

- ``confirmed``: the data say the same as the article.
- ``differs``: the data say something else (the row's ``our data`` says what).
- ``not found in the report text we have``: the article attributes words or a number to the
  report, and the parts of the report available to us do not contain them (only excerpts of
  the report were read, so this is not proof that the report does not say it).
- ``cannot be checked``: no source other than the article holds the fact, or a placement
  the check needs is missing.

Values are read from the tables, never typed here; the module only encodes which claim
refers to which countries, years and events.

Step 2 of 4, analysis: may import tipreport.paths, tipreport.fileops, tipreport.data_in and other tipreport.analysis modules; never charts or outputs."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from tipreport.analysis import determinations as d
from tipreport.paths import ARTICLE_PATH

CONFIRMED = "confirmed"
DIFFERS = "differs"
NOT_IN_TEXT = "not found in the report text we have"
CANNOT_CHECK = "cannot be checked"
VERDICTS = (CONFIRMED, DIFFERS, NOT_IN_TEXT, CANNOT_CHECK)
VERDICT_MEANINGS = {
    CONFIRMED: "the data say the same as the article",
    DIFFERS: "the data say something else",
    NOT_IN_TEXT: "attributed to the report, but absent from the parts of the report we have",
    CANNOT_CHECK: "no source besides the article, or a needed placement is missing",
}

#: The article's report year and the focus country.
REPORT_YEAR = 2023
FOCUS = "KHM"
LAW_MEASURES = ("prosecutions", "convictions", "victims_identified")


@dataclass(frozen=True)
class TierClaim:
    """The article says these countries were on ``tier`` in ``year``; names as the article writes them."""

    claim_id: str
    year: int
    tier: str
    countries: dict[str, str]  # iso3 -> name as written in the article


TIER_CLAIMS = (
    TierClaim("cambodia-tier-2023", REPORT_YEAR, "Tier 3", {"KHM": "Cambodia"}),
    TierClaim("tier3-countries-2023", REPORT_YEAR, "Tier 3", {"CHN": "China", "PRK": "North Korea", "RUS": "Russia"}),
    TierClaim("tier2wl-countries-2023", REPORT_YEAR, "Tier 2 Watch List", {"VNM": "Vietnam", "BRN": "Brunei", "MYS": "Malaysia"}),
    TierClaim("tier2-countries-2023", REPORT_YEAR, "Tier 2", {"TLS": "Timor Leste", "THA": "Thailand", "LAO": "Laos", "JPN": "Japan"}),
    TierClaim("tier1-countries-2023", REPORT_YEAR, "Tier 1", {"USA": "US", "GBR": "United Kingdom", "SGP": "Singapore", "FRA": "France"}),
)

#: Every country the article places on a tier in 2023 (Myanmar is "the only other Southeast Asian" Tier 3 country).
ARTICLE_NAMED = frozenset({iso3 for claim in TIER_CLAIMS for iso3 in claim.countries} | {"MMR"})

#: Dated claims: claim id -> (event id in events.csv, the article's words, unit compared, the article's value).
DATE_CLAIMS = {
    "report-released-thursday": ("E05", "the US government reported on Thursday", "weekday", "Thursday"),
    "vod-licence-revoked-february": ("E03", "The Cambodia government revoked Voice of Democracy’s media license in February.", "month", "February 2023"),
    "taiwan-anti-fraud-office-earlier-this-year": ("E04", "which earlier this year launched an anti-fraud office", "year", "2023"),
    "mech-dara-tip-hero": ("E06", "The US State Department recognized journalist Mech Dara as a “TIP Report Hero”", "year", "2023"),
}

#: Events the article reports whose date or fact no source confirmed: claim id -> event id.
UNVERIFIED_EVENT_CLAIMS = {"sopa-award-on-thursday": "E12", "camboja-bokor-report-february": "E10"}

#: The event of the 2022 report's release (the article's "last July").
DOWNGRADE_EVENT = "E01"

#: The article's open question on assistance restrictions (paragraph 17), after its claim id's phrase (paragraph 16).
RESTRICTIONS_QUESTION = ("The spokesperson did not say whether Biden had decided whether Cambodia would face funding "
                         "restrictions as a result of its Tier 3 ranking.")


def _row(claim_id, says, article_value, data_value, verdict, sources) -> dict:
    if verdict not in VERDICTS:
        raise ValueError(f"claim {claim_id!r}: unknown verdict {verdict!r}; expected one of {list(VERDICTS)}")
    return {"claim_id": claim_id, "article says": says, "article value": article_value, "our data": data_value,
            "verdict": verdict, "sources": sources}


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
    """Confirmed when every named country is on the stated tier; cannot be checked if one has no placement."""
    found = {iso3: _tier_of(tables, claim.year, iso3) for iso3 in claim.countries}
    missing = [iso3 for iso3, (tier, _) in found.items() if tier is None]
    wrong = [iso3 for iso3, (tier, _) in found.items() if tier is not None and tier != claim.tier]
    verdict = DIFFERS if wrong else CANNOT_CHECK if missing else CONFIRMED
    data_value = "; ".join(f"{claim.countries[iso3]}: {tier or 'no placement'}" for iso3, (tier, _) in found.items())
    return _row(claim.claim_id, _phrase(tables, claim.claim_id), f"{claim.tier} ({claim.year} report)", data_value, verdict,
                " ".join(sorted({source for _, source in found.values() if source})))


def check_only_other_southeast_asian(tables: dict) -> dict:
    """'The only other Southeast Asian country included in Tier 3 was Myanmar.'"""
    countries = tables["countries"].set_index("iso3")
    tiers = tables["tiers"]
    rows = tiers[(tiers["report_year"] == REPORT_YEAR) & (tiers["tier"] == "Tier 3")]
    southeast = rows[rows["iso3"].map(countries["southeast_asia"]).fillna(False).astype(bool)]
    others = sorted(set(southeast["iso3"]) - {FOCUS})
    members = countries.index[countries["southeast_asia"].astype(bool)]
    placed = set(tiers.loc[tiers["report_year"] == REPORT_YEAR, "iso3"])
    unplaced = sorted(set(members) - placed)
    verdict = CONFIRMED if others == ["MMR"] and not unplaced else DIFFERS if others != ["MMR"] else CANNOT_CHECK
    data_value = f"Southeast Asian Tier 3 besides Cambodia: {', '.join(sorted(countries.loc[others, 'country'])) or 'none'}"
    if unplaced:
        data_value += f"; no placement for {', '.join(countries.loc[unplaced, 'country'])}"
    return _row("tier3-southeast-asia-2023", _phrase(tables, "tier3-southeast-asia-2023"), "Myanmar only (besides Cambodia)",
                data_value, verdict, " ".join(sorted(southeast["source_id"])))


def article_sentence(phrase: str, text: str | None = None) -> str:
    """The whole sentence of the article (``data/article``) that begins with ``phrase``."""
    text = ARTICLE_PATH.read_text(encoding="utf-8") if text is None else text
    start = text.find(phrase)
    if start < 0:
        raise KeyError(f"{ARTICLE_PATH.name}: no sentence begins with {phrase!r}")
    end = min((i for i in (text.find(". ", start + len(phrase)), text.find(".\n", start + len(phrase))) if i >= 0),
              default=len(text) - 1)
    return text[start:end + 1].strip()


def check_second_year(tables: dict, article: str | None = None) -> dict:
    """'For the second year in a row, Cambodia failed to meet the minimum standards ... and was not making significant
    efforts to do so': Tier 3 in the last two reports, not before.

    The whole sentence is the statutory Tier 3 test (22 U.S.C. 7107(b)(1)(C): governments that do not fully comply
    with the minimum standards and are not making significant efforts), and 'second year in a row' governs both
    halves, so the claim is a second consecutive Tier 3 placement.
    """
    years = (REPORT_YEAR - 2, REPORT_YEAR - 1, REPORT_YEAR)
    history = {year: _tier_of(tables, year, FOCUS) for year in years}
    tiers = [history[year][0] for year in years]
    if None in tiers:
        verdict = CANNOT_CHECK
    else:
        verdict = CONFIRMED if tiers[0] != "Tier 3" and tiers[1] == tiers[2] == "Tier 3" else DIFFERS
    return _row("cambodia-tier3-second-year", article_sentence(_phrase(tables, "cambodia-tier3-second-year"), article),
                f"Tier 3 (the Tier 3 test, 22 U.S.C. 7107(b)(1)(C)) in the {years[1]} and {years[2]} reports, not in the {years[0]} report",
                "; ".join(f"the {year} report: {tier or 'no placement'}" for year, tier in zip(years, tiers)),
                verdict, " ".join(s for _, s in history.values() if s))


def check_first_downgrade(tables: dict) -> dict:
    """'Cambodia was first downgraded to Tier 3 last July': the July release, the downgrade, and 'first'."""
    event = tables["events"].set_index("event_id").loc[DOWNGRADE_EVENT]
    released = pd.Timestamp(event["date"])
    year = released.year
    before, after = _tier_of(tables, year - 1, FOCUS)[0], _tier_of(tables, year, FOCUS)
    tiers = tables["tiers"]
    earlier = tiers[(tiers["iso3"] == FOCUS) & (tiers["tier"] == "Tier 3") & (tiers["report_year"] < year)]
    earlier_years = sorted(int(y) for y in earlier["report_year"])
    downgraded = after[0] == "Tier 3" and before not in (None, "Tier 3")
    data_value = (f"{year} report released {released:%d %B %Y} ({event['date_basis']}): {before or 'no placement'} → "
                  f"{after[0] or 'no placement'}; " + (f"also on Tier 3 in the {', '.join(map(str, earlier_years))} reports"
                                                        if earlier_years else "no earlier Tier 3 placement"))
    if after[0] is None or before is None:
        verdict = CANNOT_CHECK
    else:
        verdict = CONFIRMED if downgraded and released.month == 7 and not earlier_years else DIFFERS
    return _row("cambodia-tier-2022", _phrase(tables, "cambodia-tier-2022"),
                "first time on Tier 3, by the report released in July of the previous year", data_value, verdict,
                " ".join(sorted({after[1] or "", str(event["source_id"]), *earlier["source_id"]} - {""})))


def check_victim_estimate(tables: dict) -> dict:
    """The article's 'more than 10,000 victims', attributed to the report, against the report text we have."""
    numbers = tables["article_numbers"].set_index("claim_id")
    article = int(numbers.loc["scam-compound-victims", "value"])
    excerpts = tables["report_excerpts"]
    report = excerpts[(excerpts["topic"] == "scam compound victims") & (excerpts["report_year"] == REPORT_YEAR)]
    says = _phrase(tables, "scam-compound-victims")
    if report.empty:
        return _row("scam-compound-victims", says, f"more than {article:,}", "no excerpt of the report on this", CANNOT_CHECK, "")
    found = [f"“{row.excerpt}”" for row in report.itertuples()]
    matches = any(f"{article:,}" in row.excerpt or str(article) in row.excerpt for row in report.itertuples())
    data_value = (f"{REPORT_YEAR} report text we have: " + "; ".join(found)
                  + f". The figure {article:,} does not appear in it" * (not matches))
    return _row("scam-compound-victims", says, f"more than {article:,}", data_value, CONFIRMED if matches else NOT_IN_TEXT,
                " ".join(sorted(report["source_id"])))


def check_law_enforcement(tables: dict) -> dict:
    """The article's East Asia and Pacific figures (two data years, three measures), number by number.

    Confirmed when another source prints every figure with the same value; differs when another
    source prints any of them differently; cannot be checked when no other source prints them.
    """
    law = tables["law_enforcement"]
    claims = law[(law["series"] == "article claim") & (law["area"] == "East Asia and Pacific")]
    others = law[(law["series"] != "article claim") & (law["area"] == "East Asia and Pacific")]
    compared, differing, unmatched = [], [], 0
    for claim in claims.itertuples():
        same_year = others[others["data_year"] == claim.data_year]
        for measure in LAW_MEASURES:
            value = getattr(claim, measure)
            printed = same_year[measure].dropna()
            if printed.empty:
                unmatched += 1
                continue
            for other_value, source in zip(printed, same_year.loc[printed.index, "source_id"]):
                compared.append(f"{claim.data_year} {measure.replace('_', ' ')}: article {value:,}, {source} {int(other_value):,}")
                if int(other_value) != int(value):
                    differing.append(compared[-1])
    years = sorted(int(y) for y in claims["data_year"])
    article_value = "; ".join(f"{row.data_year}: " + ", ".join(f"{getattr(row, m):,} {m.replace('_', ' ')}" for m in LAW_MEASURES)
                              for row in claims.itertuples())
    if differing:
        verdict, data_value = DIFFERS, "; ".join(differing)
    elif compared and not unmatched:
        verdict, data_value = CONFIRMED, "; ".join(compared)
    else:
        verdict = CANNOT_CHECK
        data_value = (f"no source besides the article prints East Asia and Pacific figures for data years "
                      f"{', '.join(map(str, years))}" + (f" ({len(compared)} of the figures compared: {'; '.join(compared)})" if compared else ""))
    return _row("eap-law-enforcement", f"{_phrase(tables, 'eap-prosecutions-2022')} … {_phrase(tables, 'eap-increase-from-2021')}",
                article_value, data_value, verdict, " ".join(sorted(set(claims["source_id"]) | set(others["source_id"]))))


def check_date_claim(tables: dict, claim_id: str) -> dict:
    """A relative date in the article ('on Thursday', 'in February') against the event's sourced date."""
    event_id, phrase, unit, article_value = DATE_CLAIMS[claim_id]
    event = tables["events"].set_index("event_id").loc[event_id]
    if pd.isna(event["date"]):
        return _row(claim_id, phrase, article_value, f"{event['event']}: no date found", CANNOT_CHECK, str(event["source_id"]))
    date = pd.Timestamp(event["date"])
    found = {"weekday": f"{date:%A}", "month": f"{date:%B %Y}", "year": f"{date:%Y}"}[unit]
    return _row(claim_id, phrase, article_value, f"{event['event']}: {date:%d %B %Y} ({event['date_basis']})",
                CONFIRMED if found == article_value else DIFFERS, str(event["source_id"]))


def check_unverified_event(tables: dict, claim_id: str) -> dict:
    """An event the article reports that no source confirmed: cannot be checked, with the event's note."""
    event = tables["events"].set_index("event_id").loc[UNVERIFIED_EVENT_CLAIMS[claim_id]]
    if event["date_basis"] != "not verified":
        raise ValueError(f"event {event.name} is {event['date_basis']!r}: check it with a date claim instead")
    return _row(claim_id, str(event["article_phrase"]), str(event["event"]), "not found in any other available source",
                CANNOT_CHECK, str(event["source_id"]) if pd.notna(event["source_id"]) else "")


def check_assistance_restrictions(tables: dict) -> dict:
    """'Tier 3 countries may face restrictions ... as determined by' the President, and the article's open question.

    The determination for the fiscal year after the article's report answers it. Confirmed when that
    text was read in full, names the focus country and restricts at least one Tier 3 government;
    differs when, read in full, it restricts none; cannot be checked when it was not read in full.
    """
    year = REPORT_YEAR + 1
    coverage = d.coverage(tables["determination_documents"])
    outcomes = d.outcomes(tables)
    says = f"{_phrase(tables, 'tier3-funding-restrictions')} … {RESTRICTIONS_QUESTION}"
    article_value = "restrictions possible, as the President determines; whether Cambodia faces them: not said"
    reading = coverage.at[year, "reading"] if year in coverage.index else d.MISSING
    year_rows = outcomes[outcomes["fiscal_year"] == year]
    focus = year_rows[year_rows["iso3"] == FOCUS]
    if reading != d.COMPLETE or focus.empty:
        return _row("tier3-funding-restrictions", says, article_value,
                    f"FY {year} determination: {reading}; {FOCUS} {'not a Tier 3 government' if focus.empty else 'not read'}",
                    CANNOT_CHECK, "")
    row = focus.iloc[0]
    restricted = year_rows[year_rows["outcome"].isin([d.PARTLY_WAIVED, d.RESTRICTED])]
    determination = tables["determinations"]
    determination = determination[(determination["fiscal_year"] == year) & (determination["iso3"] == FOCUS)]
    words = "; ".join(quote_cut(phrase) for phrase in determination["evidence_phrase"])
    # signed_date is the signing date for most years, the White House release date for some (data/README.md): "dated"
    data_value = (f"FY {year} determination (PD {row['pd_number']}, dated {pd.Timestamp(row['signed_date']):%d %B %Y}), "
                  f"read in full: {row['country']} {row['outcome']}: {words}. Restrictions kept, at least in part, "
                  f"for {len(restricted)} of the {len(year_rows)} Tier 3 governments of the {REPORT_YEAR} report")
    return _row("tier3-funding-restrictions", says, article_value, data_value, CONFIRMED if len(restricted) else DIFFERS,
                " ".join(sorted(set(determination["source_id"]))))


def quote_cut(phrase: str) -> str:
    """A quoted excerpt in curly quotation marks, with '…' where it starts or stops inside a sentence."""
    phrase = str(phrase).strip()
    starts_inside = phrase[:1].islower()
    stops_inside = not phrase.endswith((".", ";", ":", "!", "?"))
    return f"“{'…' * starts_inside}{phrase}{'…' * stops_inside}”"


def check_claims(tables: dict) -> pd.DataFrame:
    """Every distinct factual claim of the article, one row each."""
    rows = [check_second_year(tables), check_first_downgrade(tables)]
    rows += [check_tier_claim(tables, claim) for claim in TIER_CLAIMS]
    rows.append(check_only_other_southeast_asian(tables))
    rows.append(check_victim_estimate(tables))
    rows.append(check_law_enforcement(tables))
    rows += [check_date_claim(tables, claim_id) for claim_id in DATE_CLAIMS]
    rows += [check_unverified_event(tables, claim_id) for claim_id in UNVERIFIED_EVENT_CLAIMS]
    rows.append(check_assistance_restrictions(tables))
    return pd.DataFrame(rows)
