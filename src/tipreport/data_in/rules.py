"""Rules of meaning that span columns, tables or the article: what a Table Schema cannot say.

frictionless checks each cell against its column (types, enums, keys). The rules here refuse
values that are impossible given another column, another table or the article's text: a
determination for a country that was not on Tier 3, a waiver in a year the law had none, a
quote the article does not contain. Each rule is one function that returns a
:class:`~tipreport.data_in.validate.Problem` per bad cell (file, line, column, value, the rule
in words); :func:`meaning_problems` runs them all. The loader refuses the package on any.

Step 1 of 4, data in: may import tipreport.paths, tipreport.fileops and other tipreport.data_in modules only."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

from tipreport.data_in.validate import Problem

#: The Tier 2 Watch List was first used in the 2004 report (TVPRA 2003; shared/reference/README.md).
WATCH_LIST_FIRST_REPORT = 2004
LABOUR_SUBSETS = {"prosecutions_labor": "prosecutions", "convictions_labor": "convictions",
                  "victims_identified_labor": "victims_identified"}
#: What a determination's own waiver column must say for these provisions (the codebook's convention).
WAIVER_OF_PROVISION = {"d4_full": "full", "d4_partial": "partial", "d3": "none"}
#: The clause that makes a government "policy or pattern" of trafficking proof of Tier 3 (state_sponsored_statute.csv).
STATE_SPONSOR_CLAUSE = "22 U.S.C. 7107(b)(3)(B)"
#: How precise an event's date is, and the form its date takes then.
DATE_FORMS = {"day": r"\d{4}-\d{2}-\d{2}", "month": r"\d{4}-\d{2}", "year": r"\d{4}"}


class Tables:
    """The loaded frames, the file line of every row, and where the files are: what a rule reads."""

    def __init__(self, frames: dict[str, pd.DataFrame], lines: dict[str, list[int]], data_dir: Path, article: str | None):
        self.frames, self.lines, self.data_dir = frames, lines, Path(data_dir)
        self.paragraphs = article.split("\n") if article is not None else None

    def problem(self, table: str, index, column: str | None, value, rule: str) -> Problem:
        """A Problem at row ``index`` of ``table`` (its line in the file)."""
        shown = None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
        return Problem(self.data_dir / f"{table}.csv", self.lines[table][index], column, shown, rule)

    def has(self, *names: str) -> bool:
        return all(name in self.frames for name in names)

    def tier_of(self) -> pd.Series:
        """tiers.csv's tier by (report_year, iso3)."""
        tiers = self.frames["tiers"]
        return pd.Series(tiers["tier"].astype(str).to_numpy(), index=pd.MultiIndex.from_arrays([tiers["report_year"], tiers["iso3"]]))


def placed_tier(tables: Tables, table: str) -> Iterator[tuple[int, pd.Series, str | None]]:
    """Each row of ``table`` with the tier its country had in that report (None when not placed)."""
    tiers = tables.tier_of()
    for index, row in tables.frames[table].iterrows():
        yield index, row, tiers.get((row["report_year"], row["iso3"]))


def names_match_countries(tables: Tables) -> list[Problem]:
    """Every table keyed by iso3 repeats the country name (and region) that countries.csv gives."""
    countries = tables.frames["countries"].set_index("iso3")
    problems = []
    for name, table in tables.frames.items():
        if name == "countries" or "iso3" not in table:
            continue
        for column in [c for c in ("country", "region") if c in table]:
            expected = table["iso3"].map(countries[column])
            differs = ~(table[column].fillna("") == expected.fillna(""))
            for index in table.index[differs]:
                problems.append(tables.problem(name, index, column, table.at[index, column],
                                               f"does not match countries.csv for {table.at[index, 'iso3']} (expected {expected[index]!r})"))
    return problems


def source_url_matches_register(tables: Tables) -> list[Problem]:
    """A row that repeats its source's URL repeats the one sources.csv registers for its source_id."""
    urls = tables.frames["sources"].set_index("source_id")["url"]
    problems = []
    for name, table in tables.frames.items():
        if name == "sources" or not {"source_id", "source_url"} <= set(table):
            continue
        expected = table["source_id"].map(urls)
        for index in table.index[expected.notna() & (table["source_url"] != expected)]:
            problems.append(tables.problem(name, index, "source_url", table.at[index, "source_url"],
                                           f"is not the URL sources.csv registers for {table.at[index, 'source_id']} (expected {expected[index]!r})"))
    return problems


def listed_sources_are_registered(tables: Tables) -> list[Problem]:
    """Every id in a ``source_ids`` list is in sources.csv."""
    known = set(tables.frames["sources"]["source_id"])
    problems = []
    for name, table in tables.frames.items():
        if "source_ids" not in table:
            continue
        for index, ids in table["source_ids"].items():
            for unknown in [i for i in str(ids).split() if i not in known]:
                problems.append(tables.problem(name, index, "source_ids", unknown, "not found in sources.source_id (expected a registered source)"))
    return problems


def watch_list_not_before_it_existed(tables: Tables) -> list[Problem]:
    """No Tier 2 Watch List placement before the report that first used the Watch List (2004)."""
    tiers = tables.frames["tiers"]
    early = tiers[(tiers["tier"] == "Tier 2 Watch List") & (tiers["report_year"] < WATCH_LIST_FIRST_REPORT)]
    return [tables.problem("tiers", index, "tier", "Tier 2 Watch List",
                           f"the Watch List was first used in the {WATCH_LIST_FIRST_REPORT} report (this row is for {row.report_year})")
            for index, row in early.iterrows()]


def former_governments_end_at_valid_to(tables: Tables) -> list[Problem]:
    """A former government is graded only up to its valid_to, and its successors only after it."""
    countries, tiers = tables.frames["countries"], tables.frames["tiers"]
    problems = []
    for _, country in countries[countries["successors"].notna()].iterrows():
        late = tiers[(tiers["iso3"] == country["iso3"]) & (tiers["report_year"] > country["valid_to"])]
        problems += [tables.problem("tiers", index, "report_year", row.report_year,
                                    f"{country['iso3']} is a former government graded up to {country['valid_to']} (countries.csv valid_to)")
                     for index, row in late.iterrows()]
        early = tiers[tiers["iso3"].isin(country["successors"].split()) & (tiers["report_year"] <= country["valid_to"])]
        problems += [tables.problem("tiers", index, "report_year", row.report_year,
                                    f"{row.iso3} succeeds {country['iso3']}, which was graded up to {country['valid_to']}: "
                                    f"expected a year after {country['valid_to']}")
                     for index, row in early.iterrows()]
    return problems


def not_in_a_report_and_placed(tables: Tables, table: str, what: str) -> list[Problem]:
    """Rows of ``table`` whose (report_year, iso3) also has a placement in tiers.csv."""
    return [tables.problem(table, index, "iso3", row["iso3"], f"{what}, but tiers.csv places {row['iso3']} in the {row['report_year']} report ({tier})")
            for index, row, tier in placed_tier(tables, table) if tier is not None]


def not_ranked_is_never_placed(tables: Tables) -> list[Problem]:
    """A country a source says was not in a report has no placement in that report."""
    return not_in_a_report_and_placed(tables, "not_ranked", "said to be not in this report")


def deduction_is_never_a_placement(tables: Tables) -> list[Problem]:
    """An elimination row is a deduction for a country with no placement that year; its last
    placement is the country's latest in tiers.csv before that year."""
    problems = not_in_a_report_and_placed(tables, "tier2_by_elimination", "a deduction is only for a country with no placement")
    tiers = tables.frames["tiers"]
    for index, row in tables.frames["tier2_by_elimination"].iterrows():
        earlier = tiers[(tiers["iso3"] == row["iso3"]) & (tiers["report_year"] < row["report_year"])]
        last = earlier.loc[earlier["report_year"].idxmax()] if len(earlier) else None
        expected = f"{last['report_year']} {last['tier']}" if last is not None else ""
        stated = "" if pd.isna(row["last_placement"]) else row["last_placement"]
        if stated != expected:
            problems.append(tables.problem("tier2_by_elimination", index, "last_placement", stated,
                                           f"is not the last placement in tiers.csv before {row['report_year']} (expected {expected!r})"))
    return problems


def labour_within_totals(tables: Tables) -> list[Problem]:
    """Labour-trafficking figures never exceed the totals they are part of; data precede their report."""
    law = tables.frames["law_enforcement"]
    problems = []
    for index, row in law.iterrows():
        for part, total in LABOUR_SUBSETS.items():
            if pd.notna(row[part]) and pd.notna(row[total]) and row[part] > row[total]:
                problems.append(tables.problem("law_enforcement", index, part, row[part], f"exceeds {total} ({row[total]}) of which it is a part"))
        if pd.notna(row["report_year"]) and row["data_year"] >= row["report_year"]:
            problems.append(tables.problem("law_enforcement", index, "data_year", row["data_year"],
                                           f"a report gives figures for years before its own (report year {row['report_year']})"))
    return problems


def fiscal_year_follows_report(tables: Tables) -> list[Problem]:
    """A determination acts on report N in fiscal year N + 1 and is signed in calendar year N."""
    problems = []
    for name in ("determinations", "determination_documents"):
        for index, row in tables.frames[name].iterrows():
            if row["fiscal_year"] != row["report_year"] + 1:
                problems.append(tables.problem(name, index, "fiscal_year", row["fiscal_year"],
                                               f"a determination covers the fiscal year after its report (expected {row['report_year'] + 1})"))
            if pd.notna(row["signed_date"]) and int(row["signed_date"][:4]) != row["report_year"]:
                problems.append(tables.problem(name, index, "signed_date", row["signed_date"],
                                               f"a determination is signed in its report's year (expected {row['report_year']})"))
    return problems


def determined_countries_were_on_tier_3(tables: Tables) -> list[Problem]:
    """A country named in a determination (restriction, waiver, reassessment) was on Tier 3 in that report."""
    return [tables.problem("determinations", index, "iso3", row["iso3"],
                           f"named in the FY {row['fiscal_year']} determination but placed {tier or 'nowhere'} "
                           f"in the {row['report_year']} report (expected Tier 3)")
            for index, row, tier in placed_tier(tables, "determinations") if tier != "Tier 3"]


def waiver_matches_provision(tables: Tables) -> list[Problem]:
    """A full waiver row says full, a partial one partial, a reassessment none; restrictions carry their
    own waiver status (blank: not read); every fiscal year with rows has a document read."""
    determinations = tables.frames["determinations"]
    problems = []
    for index, row in determinations.iterrows():
        expected = WAIVER_OF_PROVISION.get(row["provision"])
        if expected is not None and row["waiver"] != expected:
            problems.append(tables.problem("determinations", index, "waiver", row["waiver"],
                                           f"a {row['provision']} row's waiver is {expected!r}"))
    read = set(tables.frames["determination_documents"]["fiscal_year"])
    for index, row in determinations[~determinations["fiscal_year"].isin(read)].iterrows():
        problems.append(tables.problem("determinations", index, "fiscal_year", row["fiscal_year"],
                                       "no document for this fiscal year in determination_documents.csv (expected the text it was read in)"))
    return problems


def regime_of(rules: pd.DataFrame, year: int) -> pd.Series | None:
    """The watch_list_rules row that governs a report year, or None."""
    governs = (rules["first_report_year"] <= year) & (rules["last_report_year"].isna() | (rules["last_report_year"] >= year))
    return rules[governs].iloc[0] if governs.any() else None


def waivers_fit_the_law(tables: Tables) -> list[Problem]:
    """A waiver from the automatic downgrade goes with a Watch List placement that report, in a year the
    law in force had waivers and a government could have used up its plain Watch List years; a downgrade
    after the limit goes with a Tier 3 placement."""
    rules = tables.frames["watch_list_rules"]
    problems = []
    for index, row, tier in placed_tier(tables, "watch_list_waivers"):
        if row["event"] == "waiver_granted":
            regime = regime_of(rules, row["report_year"])
            if tier != "Tier 2 Watch List":
                problems.append(tables.problem("watch_list_waivers", index, "event", row["event"],
                                               f"a waiver keeps a government on the Watch List, but tiers.csv has "
                                               f"{row['iso3']} {tier or 'unplaced'} in {row['report_year']}"))
            elif regime is None or regime["max_waiver_years"] == 0:
                problems.append(tables.problem("watch_list_waivers", index, "report_year", row["report_year"],
                                               "no version of the law in watch_list_rules.csv allowed waivers in this report"))
            elif row["report_year"] < regime["counted_from_report_year"] + regime["years_before_downgrade"]:
                first = regime["counted_from_report_year"] + regime["years_before_downgrade"]
                problems.append(tables.problem("watch_list_waivers", index, "report_year", row["report_year"],
                                               f"under the {regime['regime']} no waiver could be needed before the {first} report"))
        elif row["event"] == "downgraded_after_limit" and tier != "Tier 3":
            problems.append(tables.problem("watch_list_waivers", index, "event", row["event"],
                                           f"tiers.csv has {row['iso3']} {tier or 'unplaced'} in {row['report_year']} (expected Tier 3)"))
    return problems


def waiver_coverage_is_consistent(tables: Tables) -> list[Problem]:
    """A complete waiver record names the memo read; every year with waiver rows has a coverage row."""
    coverage = tables.frames["watch_list_waiver_coverage"]
    problems = [tables.problem("watch_list_waiver_coverage", index, "memo_source_id", row["memo_source_id"],
                               "a complete record names the memo read, and only a complete one does")
                for index, row in coverage.iterrows() if (row["waiver_record"] == "complete") == pd.isna(row["memo_source_id"])]
    covered = set(coverage["report_year"])
    waivers = tables.frames["watch_list_waivers"]
    problems += [tables.problem("watch_list_waivers", index, "report_year", row["report_year"],
                                "no row for this year in watch_list_waiver_coverage.csv (expected complete or partial)")
                 for index, row in waivers[~waivers["report_year"].isin(covered)].iterrows()]
    return problems


def rules_quote_the_statute(tables: Tables) -> list[Problem]:
    """Each Watch List rule names statute versions that exist and quotes their words; periods do not overlap."""
    statute = tables.frames["watch_list_statute"].set_index("version")["verbatim_text"]
    rules = tables.frames["watch_list_rules"]
    problems = []
    for index, row in rules.iterrows():
        versions = row["statute_versions"].split()
        unknown = [v for v in versions if v not in statute.index]
        if unknown:
            problems.append(tables.problem("watch_list_rules", index, "statute_versions", " ".join(unknown),
                                           "not a version in watch_list_statute.csv"))
            continue
        words = " ".join(statute[v] for v in versions)
        for fragment in (part.strip() for part in row["evidence"].split(" | ")):
            if " ".join(fragment.split()) not in " ".join(words.split()):
                problems.append(tables.problem("watch_list_rules", index, "evidence", fragment,
                                               f"not in the words of {', '.join(versions)} (watch_list_statute.csv)"))
        others = rules.drop(index)
        last = row["last_report_year"] if pd.notna(row["last_report_year"]) else 10**4
        overlapping = others[(others["first_report_year"] <= last)
                             & (others["last_report_year"].isna() | (others["last_report_year"] >= row["first_report_year"]))]
        if len(overlapping) or (pd.notna(row["last_report_year"]) and row["last_report_year"] < row["first_report_year"]):
            problems.append(tables.problem("watch_list_rules", index, "first_report_year", row["first_report_year"],
                                           "periods must not overlap and must end after they begin"))
    return problems


def state_sponsors_were_on_tier_3(tables: Tables) -> list[Problem]:
    """A government named for a policy or pattern of trafficking is on Tier 3 that report (the statute makes
    it proof of failure to make significant efforts), in a report after the statute was enacted."""
    statute = tables.frames["state_sponsored_statute"]
    clause = statute[statute["provision"].str.startswith(STATE_SPONSOR_CLAUSE) & statute["enacted"].notna()]
    first = int(clause["enacted"].min()[:4]) if len(clause) else None
    problems = []
    for index, row, tier in placed_tier(tables, "state_sponsored"):
        if tier != "Tier 3":
            problems.append(tables.problem("state_sponsored", index, "iso3", row["iso3"],
                                           f"placed {tier or 'nowhere'} in the {row['report_year']} report (expected Tier 3)"))
        if first is not None and row["report_year"] < first:
            problems.append(tables.problem("state_sponsored", index, "report_year", row["report_year"],
                                           f"before the statute that created the list ({first})"))
    return problems


def normalised(text: str) -> str:
    """Whitespace and quote-mark style folded (how the article tables compare text with the article)."""
    text = re.sub("[“”\"]", '"', text)
    text = re.sub("[‘’']", "'", text)
    return re.sub(r"\s+", " ", text).strip()


def article_words_are_in_the_article(tables: Tables) -> list[Problem]:
    """Quotes, numbers and event phrases stand in the article paragraph they name; a number's value as
    written stands in its phrase; an event's date has the form its precision says."""
    if tables.paragraphs is None:
        return []
    problems = []
    checks = (("quotes", "quote", lambda row: '"' + row["quote"] + '"'),
              ("article_numbers", "phrase", lambda row: row["phrase"]),
              ("events", "article_phrase", lambda row: row["article_phrase"]))
    for table, column, spoken in checks:
        for index, row in tables.frames[table].iterrows():
            if pd.isna(row[column]) or pd.isna(row["paragraph"]):
                continue
            if not 1 <= row["paragraph"] <= len(tables.paragraphs):
                problems.append(tables.problem(table, index, "paragraph", row["paragraph"],
                                               f"the article has paragraphs 1 to {len(tables.paragraphs)}"))
            elif normalised(spoken(row)) not in normalised(tables.paragraphs[row["paragraph"] - 1]):
                problems.append(tables.problem(table, index, column, row[column], f"not in paragraph {row['paragraph']} of the article"))
    numbers = tables.frames["article_numbers"]
    for index, row in numbers.iterrows():
        if normalised(row["value_as_written"]) not in normalised(row["phrase"]):
            problems.append(tables.problem("article_numbers", index, "value_as_written", row["value_as_written"], "not in its phrase"))
    for index, row in tables.frames["events"].iterrows():
        form = DATE_FORMS.get(row["date_precision"])
        if pd.notna(row["date"]) and form and not re.fullmatch(form, row["date"]):
            problems.append(tables.problem("events", index, "date", row["date"], f"a date of precision {row['date_precision']!r} is written {form}"))
    return problems


#: Every rule, with the tables it reads (skipped when the package lacks one).
RULES: tuple[tuple[Callable[[Tables], list[Problem]], tuple[str, ...]], ...] = (
    (names_match_countries, ("countries",)),
    (source_url_matches_register, ("sources",)),
    (listed_sources_are_registered, ("sources",)),
    (watch_list_not_before_it_existed, ("tiers",)),
    (former_governments_end_at_valid_to, ("countries", "tiers")),
    (not_ranked_is_never_placed, ("tiers", "not_ranked")),
    (deduction_is_never_a_placement, ("tiers", "tier2_by_elimination")),
    (labour_within_totals, ("law_enforcement",)),
    (fiscal_year_follows_report, ("determinations", "determination_documents")),
    (determined_countries_were_on_tier_3, ("tiers", "determinations")),
    (waiver_matches_provision, ("determinations", "determination_documents")),
    (waivers_fit_the_law, ("tiers", "watch_list_waivers", "watch_list_rules")),
    (waiver_coverage_is_consistent, ("watch_list_waivers", "watch_list_waiver_coverage")),
    (rules_quote_the_statute, ("watch_list_rules", "watch_list_statute")),
    (state_sponsors_were_on_tier_3, ("tiers", "state_sponsored", "state_sponsored_statute")),
    (article_words_are_in_the_article, ("quotes", "article_numbers", "events")),
)


def meaning_problems(frames: dict[str, pd.DataFrame], lines: dict[str, list[int]], data_dir: Path,
                     article: str | None = None) -> list[Problem]:
    """Every rule's problems, for the tables the package has (``article``: the article's text, one paragraph a line)."""
    tables = Tables(frames, lines, data_dir, article)
    problems = []
    for rule, needs in RULES:
        if tables.has(*needs):
            problems += rule(tables)
    return problems
