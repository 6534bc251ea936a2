"""The reading site (``make site``): what the build writes, and what it refuses.

The browser checks of the built pages are in ``test_site_browser.py`` (a file of their own so
that pytest-xdist's ``--dist loadfile`` runs them beside these); the ``site`` fixture, one
build per run shared by both files, is in ``conftest.py``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import markupsafe
import nbformat
import pytest

from tipreport.data_in.load import load_all
from tipreport.outputs import site as site_module
from tipreport.outputs.country_pages import country_pages
from tipreport.outputs.site import Linker, SiteBuildError, build_site, check_site, site_environment
from tipreport.paths import REPO_ROOT

REPO_PARTS = ("notebooks", "figures", "data", "curation", "README.md", "CITATION.cff", "LICENSE")
TIER_CLASSES = {"Tier 1": "tier-1", "Tier 2": "tier-2", "Tier 2 Watch List": "tier-2-watch-list", "Tier 3": "tier-3",
                "Special Case": "special-case"}


@pytest.fixture
def repo_copy(tmp_path) -> Path:
    """The parts of the repository the site is built from, copied so a test can break them."""
    root = tmp_path / "repo"
    root.mkdir()
    for part in REPO_PARTS:
        source = REPO_ROOT / part
        if source.is_dir():
            shutil.copytree(source, root / part, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        else:
            shutil.copyfile(source, root / part)
    return root


def files_of(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


class Page(HTMLParser):
    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def all(self, tag):
        return [attrs for name, attrs in self.tags if name == tag]


def first_code_cell(path: Path) -> int:
    notebook = nbformat.read(path, as_version=4)
    return next(i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code")


# --------------------------------------------------------------------------- build (always run)


def test_build_is_deterministic_and_checks_what_it_built(site, tmp_path, monkeypatch):
    """Two builds give the same bytes; the second shows that the link check ran on the staged site and that
    the country pages were rendered in ``site_environment``'s environment (the one the escaping test uses)."""
    checked, made, used = [], [], []
    monkeypatch.setattr(site_module, "check_site", lambda root, check=site_module.check_site: checked.append(root) or check(root))
    monkeypatch.setattr(site_module, "site_environment",
                        lambda title, make=site_module.site_environment: made.append(make(title)) or made[-1])
    monkeypatch.setattr(site_module, "country_pages",
                        lambda tables, env, render=site_module.country_pages: used.append(env) or render(tables, env))
    one, two = files_of(site), files_of(build_site(REPO_ROOT, tmp_path / "again"))
    assert len(checked) == 1 and checked[0].parent == tmp_path, "the link check did not run on the staged site"
    assert len(made) == 1 and used == made, "country pages were rendered in another environment than site_environment's"
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []
    text = "".join(content.decode("utf-8") for name, content in one.items() if name.endswith(".html"))
    assert str(REPO_ROOT) not in text and str(site) not in text, "absolute paths leaked into the site"


def test_site_has_every_page(site):
    notebooks = sorted(path.stem for path in (REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    pages = sorted(path.name for path in site.glob("*.html"))
    assert pages == sorted([f"{name}.html" for name in notebooks] + ["index.html", "figures.html", "data.html"])
    index = (site / "index.html").read_text(encoding="utf-8")
    for name in notebooks:
        assert f'href="{name}.html"' in index
    assert "How to cite" in index and 'href="CITATION.cff"' in index and (site / "CITATION.cff").is_file()
    ranked = set(load_all()["tiers"]["iso3"])
    countries = sorted(path.name for path in (site / "countries").glob("*.html"))
    assert countries == sorted([f"{iso3}.html" for iso3 in ranked] + ["index.html"])
    assert sorted(path.stem for path in (site / "countries").glob("*.svg")) == sorted(ranked)


def test_every_figure_is_in_the_gallery_with_its_alt_text_and_files(site):
    gallery = Page((site / "figures.html").read_text(encoding="utf-8"))
    images = {attrs["src"]: attrs["alt"] for attrs in gallery.all("img")}
    links = {attrs["href"] for attrs in gallery.all("a")}
    sidecars = sorted((REPO_ROOT / "figures").glob("*.json"))
    assert sidecars
    for sidecar in sidecars:
        record = json.loads(sidecar.read_text(encoding="utf-8"))
        assert images[f"figures/{record['name']}.svg"] == record["alt_text"]
        for file in record["files"]:
            assert f"figures/{file}" in links and (site / "figures" / file).is_file()


def test_notebook_figures_are_the_saved_svgs_not_inline_pngs(site):
    for sidecar in sorted((REPO_ROOT / "figures").glob("*.json")):
        record = json.loads(sidecar.read_text(encoding="utf-8"))
        page = Page((site / record["notebook"].replace(".ipynb", ".html")).read_text(encoding="utf-8"))
        images = {attrs["src"]: attrs.get("alt") for attrs in page.all("img")}
        assert images.get(f"figures/{record['name']}.svg") == record["alt_text"], \
            f"{record['name']} not shown with its alt text in {record['notebook']}"
        assert {"id": record["name"]} in page.all("figure")
    for page in site.glob("[0-9][0-9]_*.html"):
        assert "data:image/png" not in page.read_text(encoding="utf-8")


def test_data_page_documents_every_table(site):
    package = json.loads((REPO_ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    page = (site / "data.html").read_text(encoding="utf-8")
    for resource in package["resources"]:
        assert f'id="table-{resource["name"]}"' in page
        assert f'href="data/{resource["path"]}"' in page and (site / "data" / resource["path"]).is_file()
        for spec in resource["schema"]["fields"]:
            assert f"<code>{spec['name']}</code>" in page
    assert 'id="coverage-per-report-year"' in page, "the codebook's coverage table is rendered"


def test_no_network_assets(site):
    for path in sorted(site.rglob("*.html")):
        name = path.relative_to(site).as_posix()
        page = Page(path.read_text(encoding="utf-8"))
        scripts = [attrs.get("src") for attrs in page.all("script")]
        assert scripts == (["../assets/filter.js"] if name == "countries/index.html" else []), \
            f"{name}: only the country index has a script, our own"
        for tag, attribute in (("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src")):
            for attrs in page.all(tag):
                value = attrs.get(attribute) or ""
                assert not re.match(r"(?i)(https?:)?//", value), f"{name}: <{tag} {attribute}={value}>"
    for asset in ("style.css", "tiers.css", "pygments.css", "filter.js"):
        text = (site / "assets" / asset).read_text(encoding="utf-8")
        assert "http" not in text and "@import" not in text and "fetch(" not in text, asset


def test_refuses_a_notebook_with_an_unexecuted_cell(repo_copy, tmp_path):
    path = repo_copy / "notebooks" / "03_year_over_year_changes.ipynb"
    notebook = nbformat.read(path, as_version=4)
    index = first_code_cell(path) + 2
    while notebook.cells[index].cell_type != "code":
        index += 1
    notebook.cells[index].execution_count = None
    notebook.cells[index].outputs = []
    nbformat.write(notebook, path)
    with pytest.raises(SiteBuildError, match=rf"03_year_over_year_changes.ipynb, cell {index + 1}: .*not executed"):
        build_site(repo_copy, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_refuses_execution_counts_out_of_order(repo_copy, tmp_path):
    path = repo_copy / "notebooks" / "02_tier_comparisons_2023.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[first_code_cell(path)].execution_count = 7
    nbformat.write(notebook, path)
    with pytest.raises(SiteBuildError, match=r"02_tier_comparisons_2023.ipynb, cell \d+ \(In \[7\]\): execution count 7"):
        build_site(repo_copy, tmp_path / "out")


def test_refuses_an_error_output(repo_copy, tmp_path):
    path = repo_copy / "notebooks" / "05_the_quotes.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[first_code_cell(path)].outputs.append(
        nbformat.v4.new_output("error", ename="KeyError", evalue="'x'", traceback=[]))
    nbformat.write(notebook, path)
    with pytest.raises(SiteBuildError, match=r"05_the_quotes.ipynb, cell \d+ .*error output \(KeyError\)"):
        build_site(repo_copy, tmp_path / "out")


def test_refuses_a_missing_figure(repo_copy, tmp_path):
    (repo_copy / "figures" / "04_cambodia_tiers_by_year.json").unlink()
    with pytest.raises(SiteBuildError, match=r"04_cambodia.ipynb, cell \d+ .*shows an image that is not a saved figure"):
        build_site(repo_copy, tmp_path / "out")


def test_refuses_a_figure_whose_sidecar_names_another_notebook(repo_copy, tmp_path):
    sidecar = repo_copy / "figures" / "02_tiers_2023.json"
    record = json.loads(sidecar.read_text(encoding="utf-8"))
    record["notebook"] = "01_the_data.ipynb"
    sidecar.write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(SiteBuildError, match=r"02_tier_comparisons_2023.ipynb, cell \d+ .*stale"):
        build_site(repo_copy, tmp_path / "out")


def test_notebook_links_become_site_links_or_stay_for_the_check_to_judge(tmp_path):
    linker = Linker(REPO_ROOT, {"06_checking_the_article.ipynb": "06_checking_the_article.html"})
    source = "notebooks/06_checking_the_article.ipynb"
    assert linker.resolve("../data/README.md#no-such-section", source) == "data.html#no-such-section"
    assert linker.resolve("../notes/missing.md", source) == "../notes/missing.md", "not a file of the site: left as is"
    assert linker.resolve("../README.md", source) == "index.html"


def test_refuses_every_link_or_anchor_it_cannot_resolve_and_names_each(site, tmp_path):
    built = tmp_path / "built"
    shutil.copytree(site, built)
    page = built / "06_checking_the_article.html"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "</main>", '<a href="../notes/missing.md">notes</a> <a href="data.html#no-such-section">codebook</a></main>', 1),
        encoding="utf-8")
    with pytest.raises(SiteBuildError) as refused:
        check_site(built)
    problems = str(refused.value).splitlines()[1:]
    assert [problem.strip() for problem in problems] == [
        "06_checking_the_article.html: href='../notes/missing.md' does not resolve to a file of the site",
        "06_checking_the_article.html: href='data.html#no-such-section': no id 'no-such-section' in data.html"]


def test_a_failed_build_leaves_the_previous_site(site, repo_copy, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(site, out)  # a previous, complete build
    before = files_of(out)
    (repo_copy / "figures" / "05_quoted_words_by_side.json").unlink()
    with pytest.raises(SiteBuildError):
        build_site(repo_copy, out)
    assert files_of(out) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out", "repo"], "no staging folder left behind"


def test_a_sidecar_naming_a_file_outside_figures_is_refused_before_anything_is_written(repo_copy, tmp_path):
    sidecar = repo_copy / "figures" / "02_tiers_2023.json"
    record = json.loads(sidecar.read_text(encoding="utf-8"))
    record["files"].append("../x")
    sidecar.write_text(json.dumps(record), encoding="utf-8")
    (repo_copy / "x").write_text("not a figure", encoding="utf-8")
    before = sorted(path for path in tmp_path.rglob("*"))
    with pytest.raises(SiteBuildError, match=r"figures/02_tiers_2023.json: lists '\.\./x', not a file of this figure"):
        build_site(repo_copy, tmp_path / "out")
    assert sorted(path for path in tmp_path.rglob("*")) == before, "a refused build writes nothing"


def test_refuses_data_that_does_not_validate(repo_copy, tmp_path):
    path = repo_copy / "data" / "tiers.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",Cambodia,East Asia and Pacific,Tier 3,",
                                                             ",Cambodia,East Asia and Pacific,Tier 9,", 1),
                    encoding="utf-8")
    with pytest.raises(SiteBuildError, match=r"(?s)data/ does not validate, so no page is built:\n.*tiers.csv, line \d+, column 'tier': value 'Tier 9'"):
        build_site(repo_copy, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def rewrite_csv(path: Path, change) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        change(row)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def test_data_text_is_escaped():
    """A country name with markup, as the tables could hold it, reaches the pages as text."""
    hostile = 'Cambodia <script>alert("x")</script> & "Co"'
    tables = {name: table.copy() for name, table in load_all().items()}
    for table in ("countries", "tiers"):
        tables[table]["country"] = tables[table]["country"].mask(tables[table]["iso3"] == "KHM", hostile)
    pages = country_pages(tables, site_environment("a site"))
    assert "<script>alert" not in pages["countries/KHM.html"]
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;Co&#34;" in pages["countries/KHM.html"]
    assert "<script>alert" not in pages["countries/KHM.svg"]
    assert "<script>alert" not in pages["countries/index.html"] and "&lt;script&gt;alert" in pages["countries/index.html"]


def test_a_source_url_that_is_not_http_is_refused(repo_copy, tmp_path):
    def poison(row):
        if row.get("source_url", "").startswith("https://www.ecoi.net/de/dokument/2111636"):
            row["source_url"] = "javascript:alert(1)"

    rewrite_csv(repo_copy / "data" / "tiers.csv", poison)
    with pytest.raises(SiteBuildError, match=r"javascript:alert\(1\)"):
        build_site(repo_copy, tmp_path / "out")


def record_rows(page: str) -> dict[int, str]:
    """Report year → the HTML of its row in a country page's record table."""
    return {int(year): row for year, row in re.findall(r'<tr id="y(\d{4})">(.*?)</tr>', page, re.DOTALL)}


def test_cambodia_page_has_every_report_year_with_the_source_of_each_placement(site):
    tiers = load_all()["tiers"]
    years = range(int(tiers["report_year"].min()), int(tiers["report_year"].max()) + 1)
    rows = record_rows((site / "countries" / "KHM.html").read_text(encoding="utf-8"))
    assert sorted(rows) == list(years)
    khm = tiers[tiers["iso3"] == "KHM"]
    assert len(khm) > 20
    for placement in khm.itertuples():
        row = rows[placement.report_year]
        assert f'class="chip {TIER_CLASSES[str(placement.tier)]}">{placement.tier}<' in row
        assert f'<a href="{placement.source_url.replace("&", "&amp;")}"' in row
    for year in set(years) - set(khm["report_year"]):
        assert "<a href=\"http" not in rows[year], f"{year}: no placement, so no source link"


def test_former_governments_link_their_successors_and_back(site):
    tables = load_all()
    countries = tables["countries"]
    former = countries[countries["successors"].notna()]
    assert {"YUG", "SCG"} <= set(former["iso3"])
    for row in former.itertuples():
        page = (site / "countries" / f"{row.iso3}.html").read_text(encoding="utf-8")
        succeeded = re.search(r"<li>Succeeded by: (.*?)</li>", page).group(1)
        for code in row.successors.split():
            assert f'href="{code}.html"' in succeeded
            heir = (site / "countries" / f"{code}.html").read_text(encoding="utf-8")
            assert f'href="{row.iso3}.html"' in re.search(r"<li>Predecessor governments?: (.*?)</li>", heir).group(1)
        rows = record_rows(page)
        after = [year for year in rows if year > row.valid_to]
        assert after and all(">succeeded by " in rows[year] for year in after)
        assert not any(">succeeded by " in rows[year] for year in rows if year <= row.valid_to)


def test_country_index_lists_every_country_by_name_with_its_latest_placement(site):
    tables = load_all()
    tiers, countries = tables["tiers"], tables["countries"].set_index("iso3")
    latest = int(tiers["report_year"].max())
    page = (site / "countries" / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr id="([A-Z]{3})" data-region="([^"]*)" data-latest="([^"]*)"><td><a href="\1.html">([^<]+)</a>',
                      page)
    assert sorted(iso3 for iso3, *_ in rows) == sorted(set(tiers["iso3"]))
    names = [name for *_, name in rows]
    assert names == sorted(names, key=str.casefold)
    placed = tiers[tiers["report_year"] == latest].set_index("iso3")["tier"].astype(str)
    for iso3, region, shown, _ in rows:
        assert region == (countries.at[iso3, "region"] if isinstance(countries.at[iso3, "region"], str) else "")
        if iso3 in placed.index:
            assert shown == placed[iso3]
        else:
            assert not shown.startswith("Tier"), f"{iso3} has no {latest} placement but shows {shown}"
    for region in sorted(set(countries["region"].dropna())):
        assert f'<a href="#region-{region.lower().replace(" ", "-")}">' in page


def determination_rows(page: str) -> dict[int, str]:
    """Fiscal year → the HTML of its row in a country page's determinations table."""
    section = re.search(r'<section id="determinations">(.*?)</section>', page, re.DOTALL).group(1)
    return {int(year): row for year, row in re.findall(r'<tr id="fy(\d{4})">(.*?)</tr>', section, re.DOTALL)}


def test_cambodia_page_shows_the_determination_after_each_tier_3_report_with_its_source(site):
    tables = load_all()
    rows = determination_rows((site / "countries" / "KHM.html").read_text(encoding="utf-8"))
    tier3 = tables["tiers"].query("iso3 == 'KHM' and tier == 'Tier 3'")["report_year"]
    assert sorted(rows) == sorted(int(year) + 1 for year in tier3)
    assert {2006, 2023, 2024, 2025} <= set(rows)
    determinations = tables["determinations"].query("iso3 == 'KHM'")
    for row in determinations.itertuples():
        assert f'<a href="{row.source_url.replace("&", "&amp;")}"' in rows[row.fiscal_year]
        assert str(markupsafe.escape(row.evidence_phrase)) in rows[row.fiscal_year]
    assert "<td>fully waived</td>" in rows[2024] and "dated 2023-09-29" in rows[2024]
    assert "partly waived (still allowed: " in rows[2025] and "not read in full" not in rows[2025]
    assert "not read in full</span>" in rows[2006], "FY 2006 was only partly read"
    assert "not read: the summary found does not name this government" in rows[2026]
    assert "no determination required" in rows[2003] and "section 110(c)" in rows[2003] and "<a href" not in rows[2003]


def test_every_country_page_has_one_determination_row_per_tier_3_placement(site):
    tiers = load_all()["tiers"]
    tier3 = tiers[tiers["tier"] == "Tier 3"].groupby("iso3")["report_year"].apply(lambda years: sorted(int(y) + 1 for y in years))
    for iso3 in sorted(set(tiers["iso3"])):
        page = (site / "countries" / f"{iso3}.html").read_text(encoding="utf-8")
        assert sorted(determination_rows(page)) == tier3.get(iso3, []), iso3
        if iso3 not in tier3:
            assert "No Tier 3 placement found" in page, iso3
