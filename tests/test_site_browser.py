"""The reading site in a browser: every page, every country page included, from ``file://``.

The tests drive Debian's headless Chromium with selenium and ``chromium-driver``, and fail on
any console error, image that does not load or has no alt text, or internal link or anchor that
does not resolve. They save screenshots to build/test-artifacts/. Without Chromium they are
skipped with a message saying how to install it; ``.ci/run`` installs it.

Every page is loaded in turn into one frame of a harness page, by one script (a WebDriver
round trip per page costs more than the page itself); console errors of framed pages reach the
browser log like those of a top-level page, and a test below shows that they do.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tipreport.data_in.load import load_all
from tipreport.paths import REPO_ROOT

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
CHROMEDRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None)
INSTALL_HINT = "Chromium not installed: run `apt-get install -y chromium chromium-driver`"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--allow-file-access-from-files", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-quic", "--window-size=1280,1000"]
ARTIFACTS = REPO_ROOT / "build" / "test-artifacts"

#: What a test needs of a loaded page, once its images are decoded (or failed).
PAGE_FACTS_FUNCTION = """async function pageFacts(doc) {
  await Promise.all([...doc.images].map(i => i.decode().catch(() => null)));
  return {
    images: [...doc.images].map(i => ({src: i.getAttribute('src'), alt: i.getAttribute('alt'),
                                      complete: i.complete, width: i.naturalWidth})),
    links: [...doc.querySelectorAll('[href], [src]')].map(e => e.getAttribute('href') ?? e.getAttribute('src')),
    ids: [...doc.querySelectorAll('[id]')].map(e => e.id),
    title: doc.title,
    text: doc.body.innerText.length,
  };
}"""
HARNESS = "<!doctype html><title>pages under test</title><iframe id='page' style='width:1280px;height:1000px'></iframe>"
EVERY_PAGE_FACTS = PAGE_FACTS_FUNCTION + """
const [urls, done] = [arguments[0], arguments[arguments.length - 1]];
const frame = document.getElementById('page'), facts = {};
(async () => {
  for (const url of urls) {
    await new Promise(loaded => { frame.onload = loaded; frame.src = url; });
    try {
      facts[url] = await pageFacts(frame.contentDocument);
    } catch (error) {
      facts[url] = {failed: String(error)};
    }
  }
  done(facts);
})();"""

SCREENSHOTS = {"index.html": "site-index.png", "countries/index.html": "site-countries.png",
               "countries/KHM.html": "site-country-KHM.png", "countries/SCG.html": "site-country-SCG.png",
               "04_cambodia.html": "site-notebook-04_cambodia.png"}


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip(INSTALL_HINT)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_script_timeout(300)
    try:
        yield driver
    finally:
        driver.quit()


def load_in_harness(browser, folder: Path, pages: list[Path]) -> tuple[dict[str, dict], list[str]]:
    """Load ``pages`` one after another in the harness frame: {page: facts} and the console's errors."""
    harness = folder / "harness.html"
    harness.write_text(HARNESS, encoding="utf-8")
    browser.get(harness.as_uri())
    browser.get_log("browser")  # start from an empty log
    facts = browser.execute_async_script(EVERY_PAGE_FACTS, [page.as_uri() for page in pages])
    errors = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    errors += [f"{url}: its facts could not be read ({page['failed']})" for url, page in facts.items() if "failed" in page]
    return {page: facts[page.as_uri()] for page in pages}, errors


@pytest.fixture(scope="module")
def loaded_pages(site, browser, tmp_path_factory) -> tuple[dict[str, dict], list[str]]:
    """Every page of the site loaded in Chromium from file://: {page: facts}, and the console errors."""
    pages, errors = load_in_harness(browser, tmp_path_factory.mktemp("harness"), sorted(site.rglob("*.html")))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, screenshot in SCREENSHOTS.items():
        browser.get((site / name).as_uri())
        browser.save_screenshot(str(ARTIFACTS / screenshot))
    errors += [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    return {path.relative_to(site).as_posix(): facts for path, facts in pages.items()}, errors


def test_the_harness_reports_a_framed_page_s_console_error_and_broken_image(browser, tmp_path):
    """The harness sees what a top-level load would: an uncaught error and an image that fails, in the log and facts."""
    page = tmp_path / "broken.html"
    page.write_text('<!doctype html><title>broken</title><p>text</p><img src="missing.png" alt="gone">'
                    '<script>throw new Error("broken on purpose")</script>', encoding="utf-8")
    facts, errors = load_in_harness(browser, tmp_path, [page])
    assert facts[page]["images"] == [{"src": "missing.png", "alt": "gone", "complete": True, "width": 0}]
    assert any("broken on purpose" in error for error in errors), errors
    assert any("missing.png" in error for error in errors), errors


def test_browser_every_page_renders_without_console_errors(site, loaded_pages):
    pages, errors = loaded_pages
    assert sorted(pages) == sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html"))
    assert sum(name.startswith("countries/") for name in pages) == len(set(load_all()["tiers"]["iso3"])) + 1
    assert errors == [], f"console errors: {errors}"
    for name, facts in pages.items():
        assert facts["title"] and facts["text"] > 200, f"{name}: rendered empty"


def test_browser_every_image_loads_and_has_alt_text(loaded_pages):
    count = 0
    for name, facts in loaded_pages[0].items():
        for image in facts["images"]:
            count += 1
            assert (image["alt"] or "").strip(), f"{name}: <img src={image['src']}> has no alt text"
            assert image["complete"] and image["width"] > 0, f"{name}: <img src={image['src']}> did not load"
    figures = len(list((REPO_ROOT / "figures").glob("*.json")))
    assert count >= figures * 2 + len(set(load_all()["tiers"]["iso3"])), "gallery, notebooks and every country chart"


def test_browser_every_internal_link_resolves(site, loaded_pages):
    pages, _ = loaded_pages
    checked = 0
    for name, facts in pages.items():
        for link in facts["links"]:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                assert parts.scheme in ("http", "https", "data", "mailto"), f"{name}: {link}"
                continue
            target = (site / name).parent / unquote(parts.path) if parts.path else site / name
            target = target.resolve()
            assert target.is_relative_to(site.resolve()) and target.is_file(), f"{name}: {link} does not resolve"
            if parts.fragment and target.suffix == ".html":
                ids = pages[target.relative_to(site.resolve()).as_posix()]["ids"]
                assert parts.fragment in ids, f"{name}: {link}: no such anchor"
            checked += 1
    assert checked > 1000


def test_browser_country_chart_draws_the_tiers_in_their_colours(site, browser):
    """The chart element of Cambodia's page, as the browser paints it, holds its tiers' colours."""
    from PIL import Image
    from selenium.webdriver.common.by import By

    from tipreport.charts.style import TIER_COLORS

    browser.get((site / "countries" / "KHM.html").as_uri())
    png = browser.find_element(By.CSS_SELECTOR, ".step-chart img").screenshot_as_png
    colours = {colour for _, colour in Image.open(io.BytesIO(png)).convert("RGB").getcolors(1 << 20)}
    tiers = set(load_all()["tiers"].query("iso3 == 'KHM'")["tier"].astype(str))
    for tier in tiers:
        rgb = tuple(int(TIER_COLORS[tier][i:i + 2], 16) for i in (1, 3, 5))
        assert any(sum(abs(a - b) for a, b in zip(rgb, colour)) < 12 for colour in colours), f"{tier} not painted"


def test_browser_filter_script_keeps_only_the_chosen_region(site, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    countries = load_all()["countries"]
    ranked = countries[countries["iso3"].isin(set(load_all()["tiers"]["iso3"]))]
    browser.get((site / "countries" / "index.html").as_uri())
    Select(browser.find_element(By.NAME, "region")).select_by_visible_text("Europe")
    shown = browser.execute_script("return [...document.querySelectorAll('#country-table tbody tr')]"
                                   ".filter(row => row.checkVisibility()).map(row => row.id)")
    assert sorted(shown) == sorted(ranked.loc[ranked["region"] == "Europe", "iso3"])


def test_browser_cambodia_determinations_are_shown_with_their_sources(site, browser):
    """The determinations section of Cambodia's page, as the browser lays it out: one visible row per fiscal year after
    a Tier 3 report, each decision in words, the partly read and summary-only years saying "not read"."""
    from selenium.webdriver.common.by import By

    tiers = load_all()["tiers"]
    expected = sorted(int(year) + 1 for year in tiers.query("iso3 == 'KHM' and tier == 'Tier 3'")["report_year"])
    browser.get((site / "countries" / "KHM.html").as_uri())
    section = browser.find_element(By.ID, "determinations")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    section.screenshot(str(ARTIFACTS / "site-country-KHM-determinations.png"))
    rows = {row.get_attribute("id"): row for row in section.find_elements(By.CSS_SELECTOR, "tbody tr")}
    assert sorted(rows) == [f"fy{year}" for year in expected]
    assert all(row.is_displayed() and row.size["height"] > 0 for row in rows.values())
    texts = {key: row.text for key, row in rows.items()}
    assert "fully waived" in texts["fy2024"] and "Algeria, Cambodia, Djibouti" in texts["fy2024"]
    assert "not read in full" in texts["fy2006"] and texts["fy2026"].startswith("FY 2026") and "not read" in texts["fy2026"]
    links = {key: [a.get_attribute("href") for a in row.find_elements(By.CSS_SELECTOR, "a")] for key, row in rows.items()}
    assert all(links[f"fy{year}"] for year in (2006, 2023, 2024, 2025)) and links["fy2003"] == []
