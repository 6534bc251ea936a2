"""make reproduce is all-or-nothing: a failing notebook leaves notebooks and figures untouched."""

import nbformat
import pytest

from tipreport.reproduce import notebook_paths, reproduce


def write_notebook(path, source):
    book = nbformat.v4.new_notebook()
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    book.cells = [nbformat.v4.new_code_cell(source)]
    nbformat.write(book, path)


SAVE = """
import pandas as pd
from tipreport.figures import new_figure, save_figure
fig, ax = new_figure("single", 1)
ax.plot([1, 2], [2, 1])
save_figure(fig, "{name}", title="t", subtitle="s", alt_text="a line", data=pd.DataFrame({{"x": [1]}}), notebook="n")
"""


def test_notebooks_are_found_in_numbered_order():
    names = [path.name for path in notebook_paths()]
    assert names == sorted(names) and len(names) == 7
    assert all(name[:2].isdigit() and " " not in name for name in names)


@pytest.fixture
def project(tmp_path):
    """Empty notebooks/ and figures/ folders in a scratch project."""
    folders = tmp_path / "notebooks", tmp_path / "figures"
    for folder in folders:
        folder.mkdir()
    return folders


def test_a_failing_notebook_leaves_figures_and_notebooks_as_they_were(tmp_path, project):
    notebooks, figures = project
    (figures / "old.svg").write_text("previous run", encoding="utf-8")
    write_notebook(notebooks / "01_ok.ipynb", SAVE.format(name="01_new"))
    write_notebook(notebooks / "02_fails.ipynb", "raise RuntimeError('broken cell')")
    before = {p.name: p.read_bytes() for p in notebooks.iterdir()}
    with pytest.raises(Exception, match="broken cell"):
        reproduce(notebook_paths(notebooks), figures, workers=1)
    assert [p.name for p in figures.iterdir()] == ["old.svg"]
    assert {p.name: p.read_bytes() for p in notebooks.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figures", "notebooks"], "no staging folder left"


def test_the_runner_does_not_change_this_process_environment(project):
    import os

    before = os.environ.get("TIP_FIGURES_DIR")
    notebooks, figures = project
    write_notebook(notebooks / "01_ok.ipynb", "1 + 1")
    reproduce(notebook_paths(notebooks), figures, workers=1)
    assert os.environ.get("TIP_FIGURES_DIR") == before


def test_a_successful_run_replaces_the_figures_folder_whole(project):
    notebooks, figures = project
    (figures / "stale.svg").write_text("from a figure that no longer exists", encoding="utf-8")
    write_notebook(notebooks / "01_ok.ipynb", SAVE.format(name="01_new"))
    reproduce(notebook_paths(notebooks), figures, workers=1)
    names = sorted(p.name for p in figures.iterdir())
    assert "stale.svg" not in names
    assert names == sorted(["README.md"] + [f"01_new.{ext}" for ext in ("csv", "json", "pdf", "png", "svg")])
    assert nbformat.read(notebooks / "01_ok.ipynb", as_version=4).cells[0].execution_count == 1
