"""make reproduce is all-or-nothing under every fault: notebooks and figures/ change together or not at all."""

import fcntl
import os

import nbformat
import pytest

from tipreport import fileops
from tipreport.outputs import run_notebooks as runner
from tipreport.outputs.run_notebooks import ReproduceError, notebook_paths, reproduce


def write_notebook(path, source):
    book = nbformat.v4.new_notebook()
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    book.cells = [nbformat.v4.new_code_cell(source)]
    nbformat.write(book, path)


SAVE = """
import pandas as pd
from tipreport.charts.style import new_figure, save_figure
fig, ax = new_figure("single", 1)
ax.plot([1, 2], [2, 1])
save_figure(fig, "{name}", title="t", subtitle="s", alt_text="a line", data=pd.DataFrame({{"x": [1]}}), notebook="n")
"""

#: The five files save_figure leaves in the staging folder, written with plain Python (no matplotlib in the
#: kernel): the runner counts the JSON sidecars in its progress lines and indexes them in README.md.
WRITE = """
import json, os
folder = os.environ["TIP_FIGURES_DIR"]
files = ["{name}." + ext for ext in ("svg", "pdf", "png", "csv")]
for file in files:
    with open(os.path.join(folder, file), "w") as out:
        out.write("{name}")
record = {{"name": "{name}", "title": "t", "subtitle": "s", "alt_text": "a line", "source": "src", "notebook": "n", "files": files}}
with open(os.path.join(folder, "{name}.json"), "w") as out:
    json.dump(record, out)
"""


def test_notebooks_are_found_in_numbered_order_and_nothing_else(tmp_path):
    for name in ("10_later.ipynb", "02_first.ipynb", "notes.ipynb", "2_unpadded.ipynb", "03_draft.txt"):
        (tmp_path / name).write_text("{}", encoding="utf-8")
    assert [path.name for path in notebook_paths(tmp_path)] == ["02_first.ipynb", "10_later.ipynb"]


def test_the_notebook_with_most_figures_is_started_first(tmp_path):
    write_notebook(tmp_path / "01_one.ipynb", SAVE.format(name="01_a"))
    write_notebook(tmp_path / "02_three.ipynb", SAVE.format(name="02_a") * 3)
    assert sorted(notebook_paths(tmp_path), key=lambda p: -runner.expected_cost(p))[0].name == "02_three.ipynb"


def make_project(root, figure_cell=WRITE):
    """notebooks/ with a notebook that runs ``figure_cell`` for figure 01_a and a cheap one; figures/ with one old file."""
    notebooks, figures = root / "notebooks", root / "figures"
    notebooks.mkdir()
    figures.mkdir()
    (figures / "old.svg").write_text("previous run", encoding="utf-8")
    write_notebook(notebooks / "01_a.ipynb", figure_cell.format(name="01_a"))
    write_notebook(notebooks / "02_b.ipynb", "1 + 1")
    return notebooks, figures


@pytest.fixture
def project(tmp_path):
    """A scratch project whose notebook writes its figure's files with plain Python."""
    return make_project(tmp_path)


@pytest.fixture(scope="module")
def real_run(tmp_path_factory):
    """One successful run of a project saving with the real save_figure, under umask 002 with 01_a at mode 0640.

    One worker: 01_a, which saves a figure, runs first, so 02_b's progress line must not count 01_a's figure.
    Returns the scratch root, notebooks/, figures/ and the progress lines."""
    root = tmp_path_factory.mktemp("real_run")
    notebooks, figures = make_project(root, SAVE)
    (notebooks / "01_a.ipynb").chmod(0o640)
    lines = []
    old = os.umask(0o002)
    try:
        reproduce(notebook_paths(notebooks), figures, workers=1, progress=lines.append)
    finally:
        os.umask(old)
    return root, notebooks, figures, lines


def snapshot(tmp_path):
    """Every file under the scratch project with its bytes (staging leftovers included)."""
    return {str(p.relative_to(tmp_path)): p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file()}


def assert_unchanged(tmp_path, before):
    assert snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figures", "notebooks"], "no staging folder left"


def test_a_failing_notebook_leaves_figures_and_notebooks_as_they_were(tmp_path, project):
    """01_a runs first and writes its figure; 02_b writes its own, then fails."""
    notebooks, figures = project
    write_notebook(notebooks / "02_b.ipynb", WRITE.format(name="02_b") + "raise RuntimeError('broken cell')")
    before = snapshot(tmp_path)
    with pytest.raises(Exception, match="broken cell"):
        reproduce(notebook_paths(notebooks), figures, workers=1)
    assert_unchanged(tmp_path, before)


def test_a_failure_while_writing_the_notebooks_changes_nothing(tmp_path, project, monkeypatch):
    """A full disk at the second notebook: the first must not be rewritten either."""
    notebooks, figures = project
    before = snapshot(tmp_path)
    original, calls = nbformat.write, []

    def disk_full_on_second(notebook, path, *args, **kwargs):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return original(notebook, path, *args, **kwargs)

    monkeypatch.setattr(runner.nbformat, "write", disk_full_on_second)
    with pytest.raises(OSError, match="No space left"):
        reproduce(notebook_paths(notebooks), figures, workers=2)
    assert_unchanged(tmp_path, before)


def test_a_read_only_notebook_is_refused_before_anything_runs(tmp_path, project):
    notebooks, figures = project
    (notebooks / "02_b.ipynb").chmod(0o444)
    before = snapshot(tmp_path)
    with pytest.raises(ReproduceError, match=r"02_b.ipynb is read-only"):
        reproduce(notebook_paths(notebooks), figures, workers=1)
    assert_unchanged(tmp_path, before)


def test_a_read_only_figures_folder_is_refused_not_replaced(tmp_path, project):
    notebooks, figures = project
    figures.chmod(0o555)
    before = snapshot(tmp_path)
    try:
        with pytest.raises(ReproduceError, match=r"figures is read-only"):
            reproduce(notebook_paths(notebooks), figures, workers=1)
        assert figures.stat().st_mode & 0o777 == 0o555
        assert_unchanged(tmp_path, before)
    finally:
        figures.chmod(0o755)


def test_a_second_run_is_refused_while_one_holds_the_lock(tmp_path, project):
    notebooks, figures = project
    before = snapshot(tmp_path)
    other_run = os.open(tmp_path, os.O_RDONLY)  # what a first run holds for its whole duration
    fcntl.flock(other_run, fcntl.LOCK_EX)
    try:
        with pytest.raises(ReproduceError, match="another reproduce run holds the lock"):
            reproduce(notebook_paths(notebooks), figures, workers=1)
    finally:
        os.close(other_run)
    assert_unchanged(tmp_path, before)


def test_there_is_no_moment_without_the_figures_folder(tmp_path, monkeypatch):
    """Every step of the swap leaves a complete figures/ in place (exchange, not rename-aside)."""
    staging, target = tmp_path / ".figures.new", tmp_path / "figures"
    for folder, text in ((staging, "new"), (target, "old")):
        folder.mkdir()
        (folder / "a.svg").write_text(text, encoding="utf-8")
    missing = []

    def checked(function):
        def wrapper(*args, **kwargs):
            result = function(*args, **kwargs)
            if not (target / "a.svg").exists():
                missing.append(function.__name__)
            return result
        return wrapper

    for module, name in ((os, "rename"), (os, "replace"), (fileops.shutil, "rmtree")):
        monkeypatch.setattr(module, name, checked(getattr(module, name)))
    monkeypatch.setattr(type(target), "rename", checked(type(target).rename))
    fileops.replace_folder(staging, target)
    assert (target / "a.svg").read_text(encoding="utf-8") == "new"
    assert not missing, f"figures/ was missing after {missing}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figures"]


def test_files_get_the_modes_a_normal_write_gives(real_run):
    _, notebooks, figures, _ = real_run
    modes = {p.name: p.stat().st_mode & 0o777 for p in figures.iterdir()}
    assert set(modes.values()) == {0o664}, modes
    assert figures.stat().st_mode & 0o777 == 0o755, "the folder keeps its mode"
    assert (notebooks / "01_a.ipynb").stat().st_mode & 0o777 == 0o640, "a notebook keeps its mode"


def test_a_successful_run_replaces_the_figures_folder_whole(real_run):
    root, notebooks, figures, lines = real_run
    names = sorted(p.name for p in figures.iterdir())
    assert names == sorted(["README.md"] + [f"01_a.{ext}" for ext in ("csv", "json", "pdf", "png", "svg")])
    assert nbformat.read(notebooks / "01_a.ipynb", as_version=4).cells[0].execution_count == 1
    assert sorted(p.name for p in root.iterdir()) == ["figures", "notebooks"]
    assert sorted(line.split()[0] for line in lines) == ["01_a.ipynb", "02_b.ipynb"]
    assert {line.split()[0]: line.split()[2:] for line in lines} == {"01_a.ipynb": ["s", "1", "figure"],
                                                                     "02_b.ipynb": ["s", "0", "figures"]}, lines
