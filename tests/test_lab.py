"""The JupyterLab path (``make lab``), in a browser: ``make test-lab``, run by CI after ``make test``.

JupyterLab is started from the project's environment (requirements-lab.txt, installed by ``make test-lab``
as ``make lab`` does) on 127.0.0.1 only, with a token, in a scratch folder holding a copy of a notebook:
nothing it saves or draws reaches notebooks/ or figures/. Headless Chromium opens the notebook, runs all
its cells from the Run menu, and the test fails on any cell that shows an error. A notebook made to fail
shows that the check sees errors. Marked ``lab``: ``make test`` leaves it out (conftest).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from test_site_browser import CHROMEDRIVER, CHROMIUM, CHROMIUM_FLAGS, INSTALL_HINT

from tipreport.paths import NOTEBOOKS_DIR, REPO_ROOT

pytestmark = pytest.mark.lab

#: The notebook run through the interface: one that loads every table and draws and saves a figure.
NOTEBOOK = "05_the_quotes.ipynb"
#: A notebook whose second cell fails, to show that the check sees an error.
FAILING = "failing.ipynb"
#: Seconds allowed for JupyterLab to answer, for the page to show the notebook, and for all cells to run.
SERVER_START, PAGE_LOAD, RUN_ALL = 60, 90, 240
ARTIFACTS = REPO_ROOT / "build" / "test-artifacts"

#: The open notebook's kernel indicator, once the kernel is idle.
IDLE = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator[data-status='idle']"
#: Per cell of the open notebook, as the page shows it: its prompt, and the errors and images it shows. JupyterLab
#: shows an error's traceback (and any warning) as a stderr output.
CELLS_SCRIPT = """
const notebook = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
if (!notebook) return null;
return [...notebook.querySelectorAll('.jp-Cell.jp-CodeCell')].map(cell => ({
  prompt: (cell.querySelector('.jp-InputArea-prompt') || {}).textContent || '',
  errors: cell.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]').length,
  text: [...cell.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]')].map(e => e.innerText).join('\\n'),
  images: cell.querySelectorAll('.jp-RenderedImage img').length,
}));
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 in a scratch folder: (base URL, token, scratch folder); stopped afterwards."""
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip(INSTALL_HINT)
    if importlib.util.find_spec("jupyterlab") is None:
        pytest.skip("JupyterLab is not installed in this environment: run make test-lab (it installs requirements-lab.txt)")
    root = tmp_path_factory.mktemp("lab")
    for folder in ("notebooks", "figures", "home", "config", "data", "runtime",
                   "settings/@jupyterlab/notebook-extension"):
        (root / folder).mkdir(parents=True)
    shutil.copy(NOTEBOOKS_DIR / NOTEBOOK, root / "notebooks")
    failing = nbformat.v4.new_notebook()
    failing.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    failing.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("raise ValueError('shown on purpose')")]
    nbformat.write(failing, root / "notebooks" / FAILING)
    # Every cell kept in the page (not only those scrolled into view), so that every prompt can be read.
    (root / "settings/@jupyterlab/notebook-extension/tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none"}), encoding="utf-8")
    port, token = free_port(), secrets.token_hex(24)
    env = {**os.environ, "HOME": str(root / "home"), "JUPYTER_CONFIG_DIR": str(root / "config"),
           "JUPYTER_DATA_DIR": str(root / "data"), "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(root / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(root / "config"),
           "IPYTHONDIR": str(root / "home" / "ipython"), "TIP_FIGURES_DIR": str(root / "figures")}
    log = open(root / "jupyterlab.log", "w")  # noqa: SIM115 - closed after the server stops
    server = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
                               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
                               f"--ServerApp.root_dir={root / 'notebooks'}", "--LabApp.news_url=None",
                               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                               "--LabApp.extension_manager=readonly", "--ServerApp.terminals_enabled=False",
                               *(["--allow-root"] if os.geteuid() == 0 else [])],
                              cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start: {(root / 'jupyterlab.log').read_text(encoding='utf-8')[-2000:]}")
                time.sleep(0.3)
        yield base, token, root
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"]:
        options.add_argument(flag)
    temporary = tmp_path_factory.mktemp("chromium-tmp")  # Chromium's own temporary folders go with pytest's
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER, env={**os.environ, "TMPDIR": str(temporary)}), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(browser, what: str, check, seconds: float):
    """Poll ``check()`` until it returns something true; fail naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.5)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "lab-timeout.png"))
    pytest.fail(f"JupyterLab: {what} within {seconds} s (screenshot: {ARTIFACTS / 'lab-timeout.png'})")


def run_all_cells(browser, base: str, token: str, name: str) -> list[dict]:
    """Open ``name`` in JupyterLab, choose Run > Run All Cells, wait until every code cell has run; the cells' facts."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    browser.get(f"{base}/lab/tree/{name}?token={token}")
    wait_for(browser, f"{name} did not open with an idle kernel",
             lambda: browser.execute_script(CELLS_SCRIPT) and browser.find_elements(By.CSS_SELECTOR, IDLE), PAGE_LOAD)
    menu = next(item for item in browser.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-item") if item.text.strip() == "Run")
    menu.click()

    def run_all_item():
        return next((item for item in browser.find_elements(By.CSS_SELECTOR, ".lm-Menu .lm-Menu-item")
                     if item.text.split("\n")[0].strip() == "Run All Cells"), None)

    item = wait_for(browser, "the Run menu did not show Run All Cells", run_all_item, 10)
    ActionChains(browser).move_to_element(item).pause(0.3).click().perform()  # a menu item acts on hover, then release

    def finished():
        cells = browser.execute_script(CELLS_SCRIPT) or []
        ran = cells and all(re.fullmatch(r"\[\d+\]:", cell["prompt"].strip()) for cell in cells)
        return cells if ran and browser.find_elements(By.CSS_SELECTOR, IDLE) else None

    cells = wait_for(browser, f"the cells of {name} did not all run", finished, RUN_ALL)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / f"lab-{Path(name).stem}.png"))
    return cells


def test_a_notebook_runs_in_jupyterlab_without_an_error(lab, browser):
    base, token, root = lab
    cells = run_all_cells(browser, base, token, NOTEBOOK)
    committed = nbformat.read(NOTEBOOKS_DIR / NOTEBOOK, as_version=4)
    code = [cell for cell in committed.cells if cell.cell_type == "code"]
    assert len(cells) == len(code), "the page shows every code cell"
    assert [cell["prompt"].strip() for cell in cells] == [f"[{number}]:" for number in range(1, len(code) + 1)]
    assert [cell["text"] for cell in cells if cell["errors"]] == [], "cells show errors"
    images = sum(1 for cell in code for out in cell.outputs if "image/png" in out.get("data", {}))
    assert sum(cell["images"] for cell in cells) == images, "the figures the committed notebook shows"
    assert sorted(p.name for p in (root / "figures").glob("*.json")), "the figure went to the scratch folder"


def test_the_check_sees_a_cell_that_fails(lab, browser):
    base, token, _ = lab
    cells = run_all_cells(browser, base, token, FAILING)
    assert [cell["errors"] for cell in cells] == [0, 1]
    assert "shown on purpose" in cells[1]["text"]
