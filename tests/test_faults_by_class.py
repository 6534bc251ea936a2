"""Faults by class (issue 21), probed as a user meets them: the temporary folder the machine chooses, a notebook
that fails, the user's own environment, and the ways people run the tests.

Each class is run through the real commands (the notebook runner, nbval, ``make test``) in subprocesses, on small
scratch projects where a real notebook is not what is tested. The runs of a class start together in a module
fixture; the tests then look at one aspect of one run each.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from test_reproduce import WRITE, make_project, snapshot

from tipreport.outputs import run_notebooks as run_notebooks_module
from tipreport.outputs.run_notebooks import notebook_paths
from tipreport.paths import REPO_ROOT

#: Longest Unix socket path the kernel accepts on Linux (108 bytes with the final NUL; macOS: 103).
SOCKET_PATH_LIMIT = 107
#: Variables of the calling test run that must not reach the commands under test.
OUTER_RUN = ("PYTEST_", "TIP_", "MAKE", "MFLAGS", "COV_")
#: What a user's shell may set that changes how Python, matplotlib or IPython behave.
USER_SETTINGS = ("COLUMNS", "LINES", "MPLBACKEND", "MATPLOTLIBRC", "MPLCONFIGDIR", "IPYTHONDIR", "PYTHONWARNINGS",
                 "PYTHONSTARTUP", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_NUMERIC", "LC_TIME", "TZ",
                 "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR", "JUPYTER_CONFIG_DIR",
                 "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR")


def clean_environment(**changes) -> dict:
    """This process's environment without the outer test run's variables, then ``changes`` (None removes)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(OUTER_RUN)}
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = str(value)
    return env


def deep_folder(base: Path, length: int = 160) -> Path:
    """A folder whose path is at least ``length`` characters long (pytest's own folders or macOS's give such)."""
    folder = base
    while len(str(folder)) < length:
        folder = folder / ("deep-temporary-folder-" + "x" * 20)
    folder.mkdir(parents=True)
    return folder


def run_notebooks(root: Path, env: dict, timeout: int = 300) -> subprocess.CompletedProcess:
    """The notebook runner (``make reproduce`` without validation) on the scratch project at ``root``."""
    command = [sys.executable, "-m", "tipreport.outputs.run_notebooks", str(root / "figures"),
               *map(str, notebook_paths(root / "notebooks"))]
    return subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def write_cells(path: Path, *cells: str) -> None:
    """A notebook of ``cells``: a string starting with ``#`` is a markdown cell, any other a code cell."""
    book = nbformat.v4.new_notebook()
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    book.cells = [nbformat.v4.new_markdown_cell(cell) if cell.startswith("#") else nbformat.v4.new_code_cell(cell)
                  for cell in cells]
    nbformat.write(book, path)


def in_parallel(jobs: dict, workers: int = 3) -> dict:
    """Run the callables of ``jobs`` (name -> callable) a few at a time; name -> result."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {name: pool.submit(job) for name, job in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


# ---------------------------------------------------------------------------------------------------------------
# Class 1: paths the machine chooses. A Unix socket path holds about 107 bytes; a deep TMPDIR must not stop kernels.

CONNECTION = "import ipykernel.connect\ninfo = ipykernel.connect.get_connection_info(unpack=True)\nprint(info['transport'], info['ip'])"


@pytest.fixture(scope="module")
def deep_runs(tmp_path_factory):
    """Runs of the notebook runner with TMPDIR deep, shallow, or with spaces: name -> (root, temporary folder, result).

    Each project's two notebooks print their kernel's transport and socket address."""
    base = tmp_path_factory.mktemp("paths")
    temporary = {"deep 160": deep_folder(base / "a", 160), "deep 250": deep_folder(base / "b", 250),
                 "spaces": base / "with spaces" / "and more", "shallow": base / "t"}
    temporary["spaces"].mkdir(parents=True)
    temporary["shallow"].mkdir()
    jobs = {}
    for name, folder in temporary.items():
        root = base / f"project-{name.replace(' ', '-')}"
        root.mkdir()
        make_project(root)
        for notebook in ("01_a", "02_b"):
            write_cells(root / "notebooks" / f"{notebook}.ipynb", WRITE.format(name=notebook), CONNECTION)
        jobs[name] = (lambda root=root, folder=folder: (root, folder, run_notebooks(root, clean_environment(TMPDIR=folder))))
    return in_parallel(jobs)


def addresses(root: Path) -> list[tuple[str, str]]:
    """(transport, address) printed by each notebook of a finished run."""
    seen = []
    for path in notebook_paths(root / "notebooks"):
        outputs = nbformat.read(path, as_version=4).cells[1].outputs
        seen.append(tuple(next(out["text"] for out in outputs if out.get("name") == "stdout").strip().split(" ", 1)))
    return seen


@pytest.mark.parametrize("name", ["deep 160", "deep 250", "spaces", "shallow"])
def test_kernels_start_whatever_the_temporary_folder(deep_runs, name):
    _, folder, result = deep_runs[name]
    assert result.returncode == 0, f"TMPDIR={folder} ({len(str(folder))} characters): {result.stderr[-600:]}"


@pytest.mark.parametrize("name", ["deep 160", "deep 250"])
def test_two_kernels_of_a_deep_temporary_folder_have_sockets_of_their_own_within_the_limit(deep_runs, name):
    root, _, result = deep_runs[name]
    assert result.returncode == 0, result.stderr[-600:]
    seen = addresses(root)
    assert [transport for transport, _ in seen] == ["ipc", "ipc"], "no TCP port to race other processes for"
    assert len({address for _, address in seen}) == 2, "two kernels share their sockets"
    assert all(len(os.fsencode(f"{address}-99")) <= SOCKET_PATH_LIMIT for _, address in seen), seen


@pytest.mark.parametrize("name", ["deep 160", "deep 250", "spaces", "shallow"])
def test_nothing_is_left_in_the_temporary_folder_or_beside_it(deep_runs, name):
    root, folder, result = deep_runs[name]
    assert result.returncode == 0, result.stderr[-600:]
    assert list(folder.iterdir()) == [], "kernel sockets or connection files left in the temporary folder"
    for _, address in addresses(root):
        parent = Path(address).parent
        assert parent == folder or not parent.exists(), f"kernel socket folder {parent} left behind"


def test_nbval_kernels_start_with_a_deep_temporary_folder(tmp_path):
    """conftest's nbval hook: one notebook checked by nbval, in a fresh pytest, with TMPDIR deep."""
    folder = deep_folder(tmp_path / "tmp", 200)
    notebook = tmp_path / "probe.ipynb"
    write_cells(notebook, "print(6 * 7)")
    book = nbformat.read(notebook, as_version=4)
    book.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="42\n")]
    book.cells[0].execution_count = 1
    nbformat.write(book, notebook)
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "conftest", "-q", "--nbval",
                             f"--rootdir={REPO_ROOT}", "-c", str(REPO_ROOT / "pyproject.toml"), str(notebook)],
                            cwd=REPO_ROOT, env=clean_environment(TMPDIR=folder), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-1500:]
    assert "1 passed" in result.stdout
    assert list(folder.iterdir()) == [], "the nbval run left files in the temporary folder"


# ---------------------------------------------------------------------------------------------------------------
# Class 2: a notebook that fails. One line naming the notebook, the cell's number and the error; the traceback in a log.

FAILURES = {
    "cell error": ("# Part b", "x = 1", "y = x + 1\n1 / 0"),
    "several lines": ("raise ValueError('the first line of the message\\nand its second line')",),
    "kernel dies": ("import os\nos._exit(3)",),
}


@pytest.fixture(scope="module")
def failed_runs(tmp_path_factory):
    """name -> (scratch root, its snapshot before, result): 02_b fails as named, 01_a writes its figure first."""
    jobs = {}
    for name, cells in FAILURES.items():
        root = tmp_path_factory.mktemp(name.replace(" ", "-"))
        make_project(root)
        write_cells(root / "notebooks" / "02_b.ipynb", *cells)
        jobs[name] = (lambda root=root: (root, snapshot(root), run_notebooks(root, clean_environment())))
    return in_parallel(jobs)


def failure_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"{len(lines)} lines instead of one:\n{result.stderr[:3000]}"
    return lines[0]


def failure_log(result) -> Path:
    found = re.search(r"full traceback in (\S+?)\)?$", failure_line(result))
    assert found, failure_line(result)
    path = Path(found.group(1))
    return path if path.is_absolute() else REPO_ROOT / path


@pytest.mark.parametrize("name", FAILURES)
def test_a_failing_notebook_is_reported_in_one_line(failed_runs, name):
    _, _, result = failed_runs[name]
    assert result.returncode == 1
    assert failure_line(result).startswith("error: ")


@pytest.mark.parametrize("name", FAILURES)
def test_the_line_names_the_notebook_and_the_cell(failed_runs, name):
    _, _, result = failed_runs[name]
    line = failure_line(result)
    assert "02_b.ipynb" in line
    assert f"cell {len(FAILURES[name])}" in line, "the failing cell is the notebook's last one"


def test_the_cell_number_counts_every_cell_and_shows_the_execution_count(failed_runs):
    """The failing cell is the third cell and the second code cell: In [2] in Jupyter."""
    assert "cell 3 (In [2])" in failure_line(failed_runs["cell error"][2])


@pytest.mark.parametrize(("name", "error"), [("cell error", "ZeroDivisionError: division by zero"),
                                              ("several lines", "ValueError: the first line of the message"),
                                              ("kernel dies", "the kernel died")])
def test_the_line_names_the_error(failed_runs, name, error):
    assert error in failure_line(failed_runs[name][2])


@pytest.mark.parametrize("name", FAILURES)
def test_the_full_traceback_is_in_the_log_the_line_names(failed_runs, name):
    _, _, result = failed_runs[name]
    log = failure_log(result)
    text = log.read_text(encoding="utf-8")
    assert "02_b.ipynb" in text and FAILURES[name][-1].splitlines()[-1] in text, "the failing cell's source"
    assert "\x1b[" not in text, "terminal colour codes in the log"
    if name == "cell error":
        assert "Traceback" in text and "ZeroDivisionError" in text and "and its second line" not in text
    if name == "several lines":
        assert "and its second line" in text


@pytest.mark.parametrize("name", FAILURES)
def test_a_failing_notebook_leaves_notebooks_and_figures_as_they_were(failed_runs, name):
    root, before, result = failed_runs[name]
    assert result.returncode == 1
    after = {key: value for key, value in snapshot(root).items() if not key.startswith("build/")}
    assert after == before
    assert sorted(p.name for p in root.iterdir() if p.name != "build") == ["figures", "notebooks"]


# ---------------------------------------------------------------------------------------------------------------
# Class 3: outputs that depend on the machine. The same notebook under a user's settings gives the same bytes.

PROBE = (
    "# A probe of what a user's settings could change",
    "import pandas as pd\n\nfrom tipreport.charts.style import new_figure, save_figure, use_style\n\n"
    "use_style()\ntable = pd.DataFrame({'country': [f'Country {i}' for i in range(40)], 'share': [i / 7 for i in range(40)],\n"
    "                      'note': ['a note long enough to make the table wider than a narrow terminal'] * 40})\ntable",
    "fig, ax = new_figure('single', 1.2)\nax.plot(range(40), table['share'])\n"
    "save_figure(fig, '01_probe', title='A probe', subtitle='Shares, probe', alt_text='A line', data=table, notebook='01_probe.ipynb')",
)


def user_settings(folder: Path) -> dict:
    """name -> environment changes of one user setting, made in ``folder``."""
    rc = "lines.marker: o\nlines.linewidth: 4\naxes.grid: True\nfigure.facecolor: yellow\n"
    (folder / "mplconfig").mkdir()
    (folder / "mplconfig" / "matplotlibrc").write_text(rc, encoding="utf-8")
    (folder / "rc-file").write_text(rc, encoding="utf-8")
    (folder / "xdg" / "matplotlib").mkdir(parents=True)
    (folder / "xdg" / "matplotlib" / "matplotlibrc").write_text(rc, encoding="utf-8")
    startup = folder / "ipython-startup" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-mine.py").write_text("import pandas as pd\npd.set_option('display.max_rows', 6)\nprint('hello from my startup')\n",
                                        encoding="utf-8")
    config = folder / "ipython-config" / "profile_default"
    config.mkdir(parents=True)
    (config / "ipython_kernel_config.py").write_text("c.InteractiveShell.ast_node_interactivity = 'all'\n"
                                                     "c.InlineBackend.figure_formats = ['svg']\n", encoding="utf-8")
    (folder / "a-file").write_text("not a folder", encoding="utf-8")
    return {
        "MPLCONFIGDIR with a matplotlibrc": {"MPLCONFIGDIR": folder / "mplconfig"},
        "MATPLOTLIBRC": {"MATPLOTLIBRC": folder / "rc-file"},
        "XDG_CONFIG_HOME with a matplotlibrc": {"XDG_CONFIG_HOME": folder / "xdg", "MPLCONFIGDIR": None},
        "MPLBACKEND": {"MPLBACKEND": "agg"},
        "IPython startup file": {"IPYTHONDIR": folder / "ipython-startup"},
        "IPython kernel config": {"IPYTHONDIR": folder / "ipython-config"},
        "HOME unusable": {"HOME": folder / "a-file" / "home", "MPLCONFIGDIR": None, "IPYTHONDIR": None},
        "HOME unset": {"HOME": None, "MPLCONFIGDIR": None, "IPYTHONDIR": None},
        "locale": {"LANG": "de_DE.UTF-8", "LC_ALL": "de_DE.UTF-8", "LC_NUMERIC": "de_DE.UTF-8"},
        "TZ": {"TZ": "Pacific/Chatham"},
        "COLUMNS": {"COLUMNS": "40", "LINES": "10"},
        "PYTHONWARNINGS": {"PYTHONWARNINGS": "always"},
    }


@pytest.fixture(scope="module")
def setting_runs(tmp_path_factory):
    """The probe notebook run once with neutral settings and once per user setting: name -> (outputs, result).

    Neutral: a fresh HOME, matplotlib's cache made beforehand (a first import of matplotlib prints that it builds
    one), an empty IPython folder, UTF-8 C locale, UTC, no terminal size."""
    base = tmp_path_factory.mktemp("settings")
    neutral = clean_environment(**{**dict.fromkeys(USER_SETTINGS), "HOME": base / "home", "MPLCONFIGDIR": base / "mpl-neutral",
                                   "IPYTHONDIR": base / "ipython-empty", "LANG": "C.UTF-8", "TZ": "UTC"})
    (base / "home").mkdir()
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=neutral, check=True, capture_output=True)
    settings = {"neutral": {}, **user_settings(base)}
    write_cells(base / "01_probe.ipynb", *PROBE)
    jobs = {}
    for number, (name, changes) in enumerate(settings.items()):
        root = base / f"run-{number:02d}"
        (root / "notebooks").mkdir(parents=True)
        (root / "figures").mkdir()
        shutil.copy(base / "01_probe.ipynb", root / "notebooks")
        env = {key: value for key, value in {**neutral, **{k: str(v) for k, v in changes.items() if v is not None}}.items()
               if not (key in changes and changes[key] is None)}
        jobs[name] = (lambda root=root, env=env: (root, run_notebooks(root, env)))
    runs = in_parallel(jobs)
    return {name: ({str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
                    if p.is_file() and not p.relative_to(root).parts[0] == "build"}, result) for name, (root, result) in runs.items()}


SETTINGS = ["MPLCONFIGDIR with a matplotlibrc", "MATPLOTLIBRC", "XDG_CONFIG_HOME with a matplotlibrc", "MPLBACKEND",
            "IPython startup file", "IPython kernel config", "HOME unusable", "HOME unset", "locale", "TZ",
            "COLUMNS", "PYTHONWARNINGS"]


def test_the_neutral_run_is_a_fair_reference(setting_runs):
    outputs, result = setting_runs["neutral"]
    assert result.returncode == 0, result.stderr[-1500:]
    notebook = nbformat.reads(outputs["notebooks/01_probe.ipynb"].decode(), as_version=4)
    assert not [out for cell in notebook.cells for out in cell.get("outputs", []) if out.get("name") == "stderr"]
    assert {"figures/01_probe.png", "figures/01_probe.svg", "figures/01_probe.pdf"} <= set(outputs)


@pytest.mark.parametrize("name", SETTINGS)
def test_the_notebook_comes_out_byte_identical_whatever_the_user_setting(setting_runs, name):
    outputs, result = setting_runs[name]
    assert result.returncode == 0, result.stderr[-1500:]
    expected = setting_runs["neutral"][0]["notebooks/01_probe.ipynb"].decode()
    assert outputs["notebooks/01_probe.ipynb"].decode() == expected


@pytest.mark.parametrize("name", SETTINGS)
def test_the_figures_come_out_byte_identical_whatever_the_user_setting(setting_runs, name):
    outputs, result = setting_runs[name]
    assert result.returncode == 0, result.stderr[-1500:]
    expected = {key: value for key, value in setting_runs["neutral"][0].items() if key.startswith("figures/")}
    different = sorted(key for key in expected if outputs.get(key) != expected[key])
    assert not different and sorted(k for k in outputs if k.startswith("figures/")) == sorted(expected), different


def test_nbval_kernels_ignore_the_user_settings_too(tmp_path, setting_runs):
    """The neutral run's notebook, checked by nbval in a fresh pytest under several user settings at once."""
    notebook = tmp_path / "01_probe.ipynb"
    notebook.write_bytes(setting_runs["neutral"][0]["notebooks/01_probe.ipynb"])
    settings = user_settings(tmp_path)
    env = clean_environment(**{key: value for name in ("IPython startup file", "MPLBACKEND", "PYTHONWARNINGS", "MATPLOTLIBRC",
                                                         "COLUMNS", "TZ", "locale") for key, value in settings[name].items()})
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "conftest", "-q", "--nbval",
                             f"--rootdir={REPO_ROOT}", "-c", str(REPO_ROOT / "pyproject.toml"), str(notebook)],
                            cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:]


# ---------------------------------------------------------------------------------------------------------------
# Class 4: running the tests as people do: twice, with PYTEST_ADDOPTS or -k, a step on its own.

def checkout_state() -> list[str]:
    """What git sees in the checkout, ignored files included, but for build/ (the project's tools and caches)."""
    status = subprocess.run(["git", "status", "--porcelain", "--ignored", "--untracked-files=all"], cwd=REPO_ROOT,
                            capture_output=True, text=True, check=True).stdout
    return [line for line in status.splitlines() if not line[3:].startswith("build/")]


def run_tests(command: list[str], temporary: Path, addopts: str | None = None) -> subprocess.CompletedProcess:
    """``command`` (make test, or pytest) in the checkout, with its own temporary folder and PYTEST_ADDOPTS."""
    temporary.mkdir(parents=True, exist_ok=True)
    env = clean_environment(TMPDIR=temporary, **({"PYTEST_ADDOPTS": addopts} if addopts else {}))
    return subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900)


SELECTED = "-k 'failing_notebook_leaves_figures or byte_for_byte'"
SELECTIONS = {
    "a kernel test and the byte comparison": (["make", "test"], SELECTED),
    "the same again, TMPDIR deep": (["make", "test"], SELECTED),
    "one notebook and the byte comparison": (["make", "test"], "-k '05_the_quotes or byte_for_byte'"),
    "pytest on one file": ([sys.executable, "-m", "pytest", "-p", "no:xdist", "tests/test_style.py",
                            "-k", "byte_for_byte or tier_colours"], None),
    "the second step alone": ([sys.executable, "-m", "pytest", "-p", "no:xdist", "-m", "after_notebooks", "-q", "tests"], None),
}


@pytest.fixture(scope="module")
def selection_runs(tmp_path_factory):
    """name -> (result, its temporary folder, the checkout's state before and after). The first two run one after
    the other (make test twice in a row, the second with a deep TMPDIR); the others beside them."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    base = tmp_path_factory.mktemp("selections")

    def job(name):
        command, addopts = SELECTIONS[name]
        folder = base / f"run-{list(SELECTIONS).index(name)}"
        temporary = deep_folder(folder, 160) if "deep" in name else folder
        before = checkout_state()
        result = run_tests(command, temporary, addopts)
        return result, temporary, before, checkout_state()

    twice = list(SELECTIONS)[:2]
    jobs = {"twice": lambda: {name: job(name) for name in twice},
            **{name: (lambda name=name: job(name)) for name in SELECTIONS if name not in twice}}
    runs = in_parallel(jobs, workers=2)
    return {**runs.pop("twice"), **runs}


@pytest.mark.parametrize("name", SELECTIONS)
def test_a_selection_passes(selection_runs, name):
    result = selection_runs[name][0]
    assert result.returncode == 0, (result.stdout + result.stderr)[-2500:]


@pytest.mark.parametrize("name", SELECTIONS)
def test_a_selection_leaves_nothing_in_the_temporary_folder(selection_runs, name):
    _, temporary, _, _ = selection_runs[name]
    assert sorted(p.name for p in temporary.iterdir()) == []


@pytest.mark.parametrize("name", ["a kernel test and the byte comparison", "the same again, TMPDIR deep",
                                  "one notebook and the byte comparison"])
def test_a_selection_leaves_the_checkout_as_it_was(selection_runs, name):
    _, _, before, after = selection_runs[name]
    assert after == before


@pytest.mark.parametrize("name", ["a kernel test and the byte comparison", "the same again, TMPDIR deep"])
def test_the_selected_test_runs(selection_runs, name):
    result = selection_runs[name][0]
    assert re.search(r"\b1 passed\b", result.stdout), result.stdout[-1500:]


@pytest.mark.parametrize("name", SELECTIONS)
def test_the_byte_comparison_without_every_notebook_skips_and_says_why(selection_runs, name):
    result = selection_runs[name][0]
    assert re.search(r"SKIPPED \[\d+\] tests/test_style.py:\d+: .*notebook", result.stdout), result.stdout[-2500:]


def test_kernels_starting_at_once_share_one_sockets_folder_and_leave_none(monkeypatch, tmp_path):
    """Two notebooks start their kernels in two threads: one folder is made for both, and removed."""
    deep = deep_folder(tmp_path, 160)
    monkeypatch.setattr(tempfile, "tempdir", str(deep))
    monkeypatch.setattr(run_notebooks_module, "_sockets_folder", None)
    before = set(Path("/tmp").glob(f"{run_notebooks_module.SOCKETS_FOLDER_PREFIX}{os.getpid()}-*"))
    start = threading.Barrier(8)

    def folder():
        start.wait()
        return run_notebooks_module.sockets_folder()

    with ThreadPoolExecutor(max_workers=8) as pool:
        folders = set(pool.map(lambda _: folder(), range(8)))
    made = set(Path("/tmp").glob(f"{run_notebooks_module.SOCKETS_FOLDER_PREFIX}{os.getpid()}-*")) - before
    run_notebooks_module.remove_sockets_folder()
    assert len(folders) == 1 and made == folders
    assert not any(path.exists() for path in made)
