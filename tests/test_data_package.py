"""The committed data package: schema, published totals, the article's tier statements, provenance."""

import csv
import io
import re

import pytest

from tipreport import load_all, load_table
from tipreport.analysis import determinations
from tipreport.analysis.completeness import found_vs_published, tier_status, year_status
from tipreport.data_in.build_tables import ARTICLE_URL, build_tables, source_id
from tipreport.data_in.validate import read_package
from tipreport.paths import DATA_DIR, REFERENCE_DIR


@pytest.fixture(scope="module")
def tables():
    return load_all()


def codebook_table(heading: str) -> list[list[str]]:
    """The body rows (cells stripped) of the first Markdown table after a heading of data/README.md."""
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    rows = []
    for line in readme[readme.index(heading) + len(heading):].splitlines():
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
        elif rows:
            break
    return rows[2:]


def test_no_count_is_above_every_published_statement_except_documented_disagreements(tables):
    detail = tier_status(tables)
    above = detail[detail["status"].str.contains("above every published count")]
    documented = {(int(row[0]), row[1]) for row in codebook_table("### Published totals that disagree with the panel")}
    assert set(zip(above["report_year"], above["measure"])) == documented


def test_the_codebook_coverage_table_is_the_computed_one(tables):
    computed = found_vs_published(tables)
    stated = codebook_table("### Coverage per report year")
    assert [row[0] for row in stated] == [str(year) for year in computed.index]
    assert [row[1:] for row in stated] == computed.astype(str).to_numpy().tolist()


def test_the_codebook_determination_coverage_is_the_computed_one(tables):
    computed = determinations.coverage(tables["determination_documents"])
    rows = tables["determinations"].groupby("fiscal_year").size()
    stated = codebook_table("### Coverage per fiscal year")
    assert [[int(row[0]), int(row[1]), row[2], int(row[3])] for row in stated] == \
        [[year, row.report_year, row.reading, rows.get(year, 0)] for year, row in computed.iterrows()]


def test_every_year_with_a_published_count_is_complete_or_short_of_it(tables):
    status = year_status(tables)
    with_count = status[status["published"].notna()]
    assert (with_count["complete"] == (with_count["countries"] == with_count["published"])).all()
    assert not status.loc[status["published"].isna(), "complete"].any()


def test_tier_is_an_ordered_category_with_special_case_kept(tables):
    tier = tables["tiers"]["tier"]
    assert list(tier.cat.categories) == ["Tier 1", "Tier 2", "Tier 2 Watch List", "Tier 3", "Special Case"]
    assert tier.cat.ordered
    assert tier.notna().all()
    assert (tier == "Special Case").sum() > 0


def tiers_in(tables, year, tier):
    frame = tables["tiers"]
    return set(frame.loc[(frame["report_year"] == year) & (frame["tier"] == tier), "country"])


def test_cambodia_is_tier_3_in_2022_and_2023(tables):
    tiers = tables["tiers"].set_index(["report_year", "iso3"])["tier"]
    assert tiers[(2022, "KHM")] == "Tier 3"
    assert tiers[(2023, "KHM")] == "Tier 3"
    assert tiers[(2021, "KHM")] != "Tier 3", "the article says 2022 was Cambodia's first year on Tier 3"


@pytest.mark.parametrize(("tier", "named"), [
    ("Tier 3", {"Cambodia", "China", "North Korea", "Russia", "Burma"}),
    ("Tier 2 Watch List", {"Vietnam", "Brunei", "Malaysia"}),
    ("Tier 2", {"Timor-Leste", "Thailand", "Laos", "Japan"}),
    ("Tier 1", {"United States", "United Kingdom", "Singapore", "France"}),
])
def test_countries_the_article_names_are_on_that_tier_in_2023(tables, tier, named):
    assert named <= tiers_in(tables, 2023, tier)


def test_myanmar_is_the_only_other_southeast_asian_country_on_tier_3_in_2023(tables):
    countries = tables["countries"]
    southeast_asia = set(countries.loc[countries["southeast_asia"], "country"])
    assert len(southeast_asia) == 11
    assert tiers_in(tables, 2023, "Tier 3") & southeast_asia == {"Cambodia", "Burma"}


def test_source_ids_follow_the_url_hash_rule(tables):
    sources = tables["sources"]
    assert (sources["url"].map(source_id) == sources["source_id"]).all()


def test_article_law_enforcement_figures_are_recorded_and_sourced_to_the_article(tables):
    law = tables["law_enforcement"]
    claims = law[law["series"] == "article claim"].set_index("data_year")
    assert (claims["source_id"] == source_id(ARTICLE_URL)).all()
    assert claims.loc[2021, ["prosecutions", "convictions", "victims_identified"]].tolist() == [1440, 1066, 3348]
    assert claims.loc[2022, ["prosecutions", "convictions", "victims_identified"]].tolist() == [4570, 1607, 4635]
    assert (claims["report_year"] == 2023).all()
    assert (claims["area"] == "East Asia and Pacific").all()


def test_2006_regional_figures_add_up_to_the_2008_global_table_for_2003(tables):
    """The two editions' tables are independent transcriptions: for 2003 they must agree exactly."""
    law = tables["law_enforcement"]
    table = law[law["series"] == "report table"]
    regional = table[(table["report_year"] == 2006) & (table["data_year"] == 2003)]
    world = table[(table["report_year"] == 2008) & (table["data_year"] == 2003)].iloc[0]
    assert len(regional) == 6
    for column in ("prosecutions", "convictions", "new_or_amended_legislation"):
        assert regional[column].sum() == world[column]


def test_load_table_returns_one_validated_table():
    countries = load_table("countries")
    assert countries["iso3"].is_unique
    with pytest.raises(KeyError, match="no table 'nope'"):
        load_table("nope")


def test_frictionless_validates_the_package():
    import frictionless  # pinned in requirements.txt: a missing install must fail, not skip

    report = frictionless.validate(str(DATA_DIR / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def origins() -> dict[str, dict]:
    """Each resource's ``origin`` (generated or curated, by what, from what), keyed by file name."""
    return {resource["path"]: resource.get("origin") for resource in read_package(DATA_DIR)["resources"]}


def generated_tables() -> set[str]:
    return {path for path, origin in origins().items() if origin["kind"] == "generated"}


def test_every_table_says_whether_it_is_generated_or_curated_by_hand():
    for path, origin in origins().items():
        assert origin and set(origin) == {"kind", "by", "from"}, f"{path}: origin must give kind, by and from"
        assert origin["kind"] in ("generated", "curated"), path
        assert origin["from"] and all(isinstance(source, str) and source for source in origin["from"]), path
        if origin["kind"] == "generated":
            assert "build-data" in origin["by"] and "build_tables.py" in origin["by"], path
        else:
            assert origin["by"] == "hand", path


def test_the_codebook_says_the_same_as_the_data_package():
    made = {row[0].split("](")[0].strip("[`"): row[3] for row in codebook_table("a test checks that the two agree.")
            if row[0].endswith(".csv)")}
    assert set(made) == set(origins())
    for path, origin in origins().items():
        said = "generated" if made[path].startswith("generated") else "curated" if made[path].startswith("curated by hand") else None
        assert said == origin["kind"], f"data/README.md says {made[path]!r} for {path}; datapackage.json says {origin['kind']}"


@pytest.mark.skipif(not REFERENCE_DIR.exists(), reason="../shared/reference not present beside the repository")
def test_generated_tables_are_exactly_what_the_reference_data_gives():
    rebuilt = build_tables()
    assert set(rebuilt) == generated_tables(), "datapackage.json's generated tables are the ones build-data writes"
    for name, text in rebuilt.items():
        assert (DATA_DIR / name).read_text(encoding="utf-8") == text, f"data/{name} differs from a rebuild: run make build-data"


def test_data_files_are_utf8_with_unix_line_ends():
    for path in DATA_DIR.glob("*.csv"):
        raw = path.read_bytes()
        raw.decode("utf-8")
        assert b"\r\n" not in raw, path.name
        assert raw.endswith(b"\n"), path.name


@pytest.mark.parametrize("name", ["quotes.csv", "sources.csv", "tiers.csv"])
def test_csv_round_trip_is_lossless(name):
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    assert buffer.getvalue() == text


def test_codebook_row_counts_match_the_files():
    """data/README.md states each table's row count: it must not drift from the files."""
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    stated = dict(re.findall(r"^\| \[`([a-z0-9_]+\.csv)`\]\([a-z0-9_]+\.csv\) \| ([0-9,]+) \|", readme, re.MULTILINE))
    assert len(stated) == len(read_package(DATA_DIR)["resources"])
    for name, count in stated.items():
        assert len(load_table(name.removesuffix(".csv"))) == int(count.replace(",", "")), name


def test_the_descriptor_is_data_package_v2_with_version_and_contributors():
    descriptor = read_package(DATA_DIR)
    assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", descriptor["version"])
    assert descriptor["contributors"] and all(c["title"] for c in descriptor["contributors"])


def test_every_boolean_field_states_its_only_true_and_false_spelling():
    for resource in read_package(DATA_DIR)["resources"]:
        for field in resource["schema"]["fields"]:
            if field["type"] == "boolean":
                assert (field["trueValues"], field["falseValues"]) == (["true"], ["false"]), (resource["name"], field["name"])


def test_changelog_data_package_and_citation_carry_the_same_version():
    version = read_package(DATA_DIR)["version"]
    changelog = (DATA_DIR.parent / "CHANGELOG.md").read_text(encoding="utf-8")
    citation = (DATA_DIR.parent / "CITATION.cff").read_text(encoding="utf-8")
    assert re.findall(r"^## ([0-9]+\.[0-9]+\.[0-9]+)$", changelog, re.MULTILINE)[0] == version
    assert re.findall(r"^version: (.+)$", citation, re.MULTILINE) == [version]


def test_the_correction_template_asks_for_year_country_value_and_source_url():
    template = (DATA_DIR.parent / ".github" / "ISSUE_TEMPLATE" / "data-correction.md").read_text(encoding="utf-8")
    for item in ("**Report year**", "**Country or territory**", "**Value the source gives**", "**Source URL**"):
        assert item in template
    assert "## How to report or correct a value" in (DATA_DIR / "README.md").read_text(encoding="utf-8")


def test_every_disagreement_row_is_listed_in_the_codebook(tables):
    listed = set()
    for years, countries, *_ in codebook_table("### Known disagreements between sources"):
        listed |= {(int(year), country.strip()) for year in years.split(",") for country in countries.split(",")}
    tiers = tables["tiers"]
    flagged = tiers.loc[tiers["disagreement"], ["report_year", "country"]]
    assert set(zip(flagged["report_year"], flagged["country"])) == listed


def test_the_codebook_counts_the_quotes_attributed_to_the_report_as_quotes_csv_does(tables):
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    attributed, report_text = map(int, re.search(r"\((\d+) rows attributed to the report: (\d+) `report text`", readme).groups())
    quotes = tables["quotes"]
    assert attributed == (quotes["speaker_type"] == "TIP Report text").sum()
    assert report_text == (quotes["quote_type"] == "report text").sum()
    q20 = quotes.set_index("quote_id").loc["Q20"]
    assert "**Q20**" in readme and q20["speaker_type"] == "TIP Report text"


@pytest.mark.parametrize("year", [2024, 2025])
def test_placements_and_deductions_make_up_every_government_assessed(tables, year):
    """In a year with complete Tier 1, Watch List and Tier 3 lists, what was found plus what is left by
    elimination is the published number of governments assessed."""
    published = year_status(tables).at[year, "published"]
    found = (tables["tiers"]["report_year"] == year).sum()
    deduced = (tables["tier2_by_elimination"]["report_year"] == year).sum()
    assert found + deduced == published


def test_the_2025_published_counts_add_up_to_one_more_than_the_governments_assessed(tables):
    """The codebook's statement: 2025's per-tier counts (published, or found for the special cases,
    which have none) add to 189 against 188 assessed."""
    detail = tier_status(tables)
    year = detail[(detail["report_year"] == 2025) & (detail["measure"] != "countries")]
    assert year["published"].fillna(year["found"]).sum() == 189
    assert year_status(tables).at[2025, "published"] == 188
    assert "add up to 189, against 188 governments assessed" in (DATA_DIR / "README.md").read_text(encoding="utf-8")
