"""The reading site in a browser: every page, every country page included, from ``file://``.

The tests drive Debian's headless Chromium with selenium and ``chromium-driver``, and fail on
any console error, image that does not load or has no alt text, or internal link or anchor that
does not resolve. They save screenshots to build/test-artifacts/. Without Chromium they are
skipped with a message saying how to install it; ``.ci/run`` installs it.
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
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-quic", "--window-size=1280,1000"]
ARTIFACTS = REPO_ROOT / "build" / "test-artifacts"

PAGE_FACTS = """const done = arguments[arguments.length - 1];
Promise.all([...document.images].map(i => i.decode().catch(() => null))).then(() => done({
  images: [...document.images].map(i => ({src: i.getAttribute('src'), alt: i.getAttribute('alt'),
                                          complete: i.complete, width: i.naturalWidth})),
  links: [...document.querySelectorAll('[href], [src]')].map(e => e.getAttribute('href') ?? e.getAttribute('src')),
  ids: [...document.querySelectorAll('[id]')].map(e => e.id),
  title: document.title,
  text: document.body.innerText.length,
}));"""

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
    driver.set_script_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def loaded_pages(site, browser) -> dict[str, dict]:
    """Every page of the site loaded in Chromium from file://: its facts and console errors."""
    pages = {}
    for path in sorted(site.rglob("*.html")):
        name = path.relative_to(site).as_posix()
        browser.get(path.as_uri())
        facts = browser.execute_async_script(PAGE_FACTS)
        facts["errors"] = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
        pages[name] = facts
        if name in SCREENSHOTS:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            browser.save_screenshot(str(ARTIFACTS / SCREENSHOTS[name]))
    return pages


def test_browser_every_page_renders_without_console_errors(site, loaded_pages):
    assert sorted(loaded_pages) == sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html"))
    assert sum(name.startswith("countries/") for name in loaded_pages) == len(set(load_all()["tiers"]["iso3"])) + 1
    for name, facts in loaded_pages.items():
        assert facts["errors"] == [], f"{name}: console errors {facts['errors']}"
        assert facts["title"] and facts["text"] > 200, f"{name}: rendered empty"


def test_browser_every_image_loads_and_has_alt_text(loaded_pages):
    count = 0
    for name, facts in loaded_pages.items():
        for image in facts["images"]:
            count += 1
            assert (image["alt"] or "").strip(), f"{name}: <img src={image['src']}> has no alt text"
            assert image["complete"] and image["width"] > 0, f"{name}: <img src={image['src']}> did not load"
    figures = len(list((REPO_ROOT / "figures").glob("*.json")))
    assert count >= figures * 2 + len(set(load_all()["tiers"]["iso3"])), "gallery, notebooks and every country chart"


def test_browser_every_internal_link_resolves(site, loaded_pages):
    checked = 0
    for name, facts in loaded_pages.items():
        for link in facts["links"]:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                assert parts.scheme in ("http", "https", "data", "mailto"), f"{name}: {link}"
                continue
            target = (site / name).parent / unquote(parts.path) if parts.path else site / name
            target = target.resolve()
            assert target.is_relative_to(site.resolve()) and target.is_file(), f"{name}: {link} does not resolve"
            if parts.fragment and target.suffix == ".html":
                ids = loaded_pages[target.relative_to(site.resolve()).as_posix()]["ids"]
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
    shown = [row.get_attribute("id") for row in browser.find_elements(By.CSS_SELECTOR, "#country-table tbody tr")
             if row.is_displayed()]
    assert sorted(shown) == sorted(ranked.loc[ranked["region"] == "Europe", "iso3"])
