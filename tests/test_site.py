"""The reading site (``make site``): built from the committed notebooks, checked in a real browser.

The build tests always run. The browser tests drive headless Chromium through the Chrome
DevTools Protocol over ``--remote-debugging-pipe`` (standard library only: no Selenium, no
Playwright, no driver), load every page from ``file://``, and fail on any console error,
image that does not load or has no alt text, or internal link that does not resolve. They
save screenshots to build/test-artifacts/. Without Chromium they are skipped with a message
saying how to install it; ``.ci/run`` installs it.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import re
import select
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

from tipreport.paths import REPO_ROOT
from tipreport.site import SiteBuildError, build_site

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
INSTALL_HINT = "Chromium not installed: run `apt-get install -y chromium chromium-driver`"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-quic"]
ARTIFACTS = REPO_ROOT / "build" / "test-artifacts"
REPO_PARTS = ("notebooks", "figures", "data", "curation", "README.md", "CITATION.cff", "LICENSE")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_site(REPO_ROOT, tmp_path_factory.mktemp("site") / "site")


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


def test_build_is_deterministic(tmp_path):
    first, second = build_site(REPO_ROOT, tmp_path / "a"), build_site(REPO_ROOT, tmp_path / "b")
    one, two = files_of(first), files_of(second)
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []
    text = "".join(content.decode("utf-8") for name, content in one.items() if name.endswith(".html"))
    assert str(REPO_ROOT) not in text and str(tmp_path) not in text, "absolute paths leaked into the site"


def test_site_has_every_page(site):
    notebooks = sorted(path.stem for path in (REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    pages = sorted(path.name for path in site.glob("*.html"))
    assert pages == sorted([f"{name}.html" for name in notebooks] + ["index.html", "figures.html", "data.html"])
    index = (site / "index.html").read_text(encoding="utf-8")
    for name in notebooks:
        assert f'href="{name}.html"' in index
    assert "How to cite" in index and 'href="CITATION.cff"' in index and (site / "CITATION.cff").is_file()


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
        page = (site / record["notebook"].replace(".ipynb", ".html")).read_text(encoding="utf-8")
        figure = re.search(rf'<figure id="{record["name"]}"><img src="figures/{record["name"]}.svg" alt="([^"]+)"', page)
        assert figure, f"{record['name']} not shown in {record['notebook']}"
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
        page = Page(path.read_text(encoding="utf-8"))
        assert not page.all("script"), f"{path.name}: the site needs no JavaScript"
        for tag, attribute in (("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src")):
            for attrs in page.all(tag):
                value = attrs.get(attribute) or ""
                assert not re.match(r"(?i)(https?:)?//", value), f"{path.name}: <{tag} {attribute}={value}>"
    css = (site / "assets" / "style.css").read_text(encoding="utf-8")
    assert "http" not in css and "@import" not in css


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
    with pytest.raises(SiteBuildError, match=r"04_cambodia.ipynb, cell \d+ .*'04_cambodia_tiers_by_year'.*missing"):
        build_site(repo_copy, tmp_path / "out")


def test_refuses_a_figure_whose_sidecar_names_another_notebook(repo_copy, tmp_path):
    sidecar = repo_copy / "figures" / "02_tiers_2023.json"
    record = json.loads(sidecar.read_text(encoding="utf-8"))
    record["notebook"] = "01_the_data.ipynb"
    sidecar.write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(SiteBuildError, match=r"02_tier_comparisons_2023.ipynb, cell \d+ .*stale"):
        build_site(repo_copy, tmp_path / "out")


@pytest.mark.parametrize(("link", "error"), [
    ("[the notes](../notes/missing.md)", r"notebooks/06_checking_the_article.ipynb: link '../notes/missing.md'"),
    ("[the codebook](../data/README.md#no-such-section)", r"no id 'no-such-section' in data.html"),
])
def test_refuses_a_link_or_anchor_it_cannot_resolve(repo_copy, tmp_path, link, error):
    path = repo_copy / "notebooks" / "06_checking_the_article.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[0].source += f"\n\nSee {link}."
    nbformat.write(notebook, path)
    with pytest.raises(SiteBuildError, match=error):
        build_site(repo_copy, tmp_path / "out")


def test_a_failed_build_leaves_the_previous_site(repo_copy, tmp_path):
    out = build_site(repo_copy, tmp_path / "out")
    before = files_of(out)
    (repo_copy / "figures" / "05_quoted_words_by_side.json").unlink()
    with pytest.raises(SiteBuildError):
        build_site(repo_copy, out)
    assert files_of(out) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out", "repo"], "no staging folder left behind"


# --------------------------------------------------------------------------- browser (headless Chromium)


class DevTools:
    """Minimal Chrome DevTools Protocol client over --remote-debugging-pipe (fds 3 and 4)."""

    def __init__(self, binary: str, user_data_dir: Path):
        to_browser_read, self._write = os.pipe()
        self._read, from_browser_write = os.pipe()

        def wire_pipes():  # runs in the child: its fd 3 reads our commands, fd 4 carries its replies
            high_read = fcntl.fcntl(to_browser_read, fcntl.F_DUPFD, 10)
            high_write = fcntl.fcntl(from_browser_write, fcntl.F_DUPFD, 10)
            os.dup2(high_read, 3)
            os.dup2(high_write, 4)

        self.process = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={user_data_dir}", "--remote-debugging-pipe",
             "--window-size=1280,1000", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=wire_pipes, pass_fds=(3, 4))
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []
        self.session: str | None = None

    def _receive(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no reply from Chromium")
            ready, _, _ = select.select([self._read], [], [], remaining)
            if ready:
                chunk = os.read(self._read, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, timeout: float = 30, session: bool = True, **params) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            event = self._receive(deadline)
            self.events.append(event)
            if event.get("method") == method:
                return event

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        try:
            while True:
                self.events.append(self._receive(deadline))
        except TimeoutError:
            pass

    def open_tab(self) -> None:
        target = self.send("Target.createTarget", session=False, url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", session=False, targetId=target, flatten=True)["sessionId"]
        for domain in ("Page.enable", "Runtime.enable", "Log.enable"):
            self.send(domain)
        self.send("Emulation.setDeviceMetricsOverride", width=1280, height=1000, deviceScaleFactor=1, mobile=False)

    def load(self, url: str) -> None:
        self.events = []
        result = self.send("Page.navigate", url=url)
        assert not result.get("errorText"), f"{url}: {result['errorText']}"
        self.wait_for("Page.loadEventFired")
        self.evaluate("Promise.all([...document.images].map(i => i.decode().catch(() => null)))")
        self.drain(0.2)

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def errors(self) -> list[str]:
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(" ".join(str(arg.get("value", arg.get("description"))) for arg in params.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                found.append(params["exceptionDetails"].get("text", "exception"))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                found.append(f"{params['entry'].get('text')} {params['entry'].get('url', '')}".strip())
        return found

    def screenshot(self, path: Path) -> None:
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            self.send("Browser.close", session=False, timeout=5)
        except Exception:  # noqa: BLE001 - the browser may already be gone; terminate below
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._read)
        os.close(self._write)


PAGE_FACTS = """(() => ({
  images: [...document.images].map(i => ({src: i.getAttribute('src'), alt: i.getAttribute('alt'),
                                          complete: i.complete, width: i.naturalWidth})),
  links: [...document.querySelectorAll('[href], [src]')].map(e => e.getAttribute('href') ?? e.getAttribute('src')),
  ids: [...document.querySelectorAll('[id]')].map(e => e.id),
  title: document.title,
  text: document.body.innerText.length,
}))()"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not CHROMIUM:
        pytest.skip(INSTALL_HINT)
    tools = DevTools(CHROMIUM, tmp_path_factory.mktemp("chromium-profile"))
    try:
        tools.open_tab()
        yield tools
    finally:
        tools.close()


@pytest.fixture(scope="module")
def loaded_pages(site, browser) -> dict[str, dict]:
    """Every page of the site loaded in Chromium from file://: its facts and console errors."""
    pages = {}
    for path in sorted(site.rglob("*.html")):
        browser.load(path.as_uri())
        facts = browser.evaluate(PAGE_FACTS)
        facts["errors"] = browser.errors()
        pages[path.relative_to(site).as_posix()] = facts
        if path.name == "index.html":
            browser.screenshot(ARTIFACTS / "site-index.png")
        if path.name == "04_cambodia.html":
            browser.evaluate("document.getElementById('04_cambodia_tiers_by_year').scrollIntoView()")
            browser.screenshot(ARTIFACTS / "site-notebook-04_cambodia.png")
    return pages


def test_browser_every_page_renders_without_console_errors(loaded_pages):
    assert len(loaded_pages) >= 9
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
    assert count >= len(list((REPO_ROOT / "figures").glob("*.json"))) * 2, "gallery + notebook pages show every figure"


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
    assert checked > 100


def test_browser_screenshots_saved(loaded_pages):
    for name in ("site-index.png", "site-notebook-04_cambodia.png"):
        data = (ARTIFACTS / name).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 10_000, name
