"""The figure style and saving module, and the reproducibility of the committed figures."""

import colorsys
import json
import os
import subprocess
import sys

import matplotlib
import matplotlib.colors
import pandas as pd
import pytest

from conftest import FIGURES_UNDER_TEST
from tipreport import figures
from tipreport.figures import TIER_COLORS, new_figure, save_figure, tier_color
from tipreport.paths import FIGURES_DIR, NOTEBOOKS_DIR, REPO_ROOT
from tipreport.reproduce import figure_index
from tipreport.tiers import RANKED_TIERS

matplotlib.use("Agg")
FILES = ("svg", "pdf", "png", "csv", "json")


def draw(tmp_path, name="example", title="A finding", alt_text="Bars of three values."):
    os.environ["TIP_FIGURES_DIR"] = str(tmp_path)
    try:
        fig, ax = new_figure("single", 1.2)
        ax.bar([1, 2, 3], [3, 1, 2], color=[tier_color(t) for t in RANKED_TIERS[:3]])
        return save_figure(fig, name, title=title, subtitle="Measure, period", alt_text=alt_text,
                           data=pd.DataFrame({"x": [1, 2, 3], "y": [3, 1, 2]}), notebook="00_test.ipynb")
    finally:
        os.environ["TIP_FIGURES_DIR"] = str(FIGURES_UNDER_TEST)


def test_save_figure_writes_three_formats_data_and_sidecar(tmp_path):
    record = draw(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"example.{ext}" for ext in FILES)
    assert (tmp_path / "example.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "example.pdf").read_bytes()[:5] == b"%PDF-"
    svg = (tmp_path / "example.svg").read_text(encoding="utf-8")
    assert "<title>A finding</title>" in svg and "Bars of three values." in svg
    assert json.loads((tmp_path / "example.json").read_text(encoding="utf-8")) == record
    assert pd.read_csv(tmp_path / "example.csv")["y"].tolist() == [3, 1, 2]


def test_png_is_300_dpi(tmp_path):
    from PIL import Image

    draw(tmp_path)
    dpi = Image.open(tmp_path / "example.png").info["dpi"]
    assert round(dpi[0]) == 300


def test_the_same_figure_is_byte_identical_across_processes(tmp_path):
    """Two Python processes with different hash seeds must write the same bytes."""
    script = ("import sys, pathlib; sys.path.insert(0, 'tests'); "
              "from test_figures import draw; draw(pathlib.Path(sys.argv[1]))")
    outputs = []
    for seed in ("1", "2"):
        folder = tmp_path / seed
        folder.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", script, str(folder)], cwd=REPO_ROOT, env=env, check=True)
        outputs.append({ext: (folder / f"example.{ext}").read_bytes() for ext in FILES})
    assert outputs[0] == outputs[1]


def test_a_failed_save_leaves_no_partial_files(tmp_path, monkeypatch):
    original = matplotlib.figure.Figure.savefig

    def fail_on_pdf(self, path, *args, format=None, **kwargs):
        if format == "pdf":
            raise OSError("disk full")
        return original(self, path, *args, format=format, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", fail_on_pdf)
    with pytest.raises(OSError, match="disk full"):
        draw(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["example.svg"], "only complete files, no temporaries"


@pytest.mark.parametrize(("title", "alt_text"), [("", "some alt text"), ("A title", "  ")])
def test_a_figure_needs_a_title_and_alt_text(tmp_path, title, alt_text):
    with pytest.raises(ValueError, match="needs a title and alt text"):
        draw(tmp_path, title=title, alt_text=alt_text)


def test_long_titles_wrap_and_the_figure_grows_instead_of_overlapping(tmp_path):
    short = draw(tmp_path, name="short")
    long = draw(tmp_path, name="long", title="A much longer finding that cannot possibly fit on one line of a single column")
    assert short and long
    from PIL import Image

    assert Image.open(tmp_path / "long.png").size[1] > Image.open(tmp_path / "short.png").size[1]


def test_tier_colours_get_darker_with_each_worse_tier():
    """Ordered and readable in greyscale: lightness falls strictly from Tier 1 to Tier 3."""
    lightness = [colorsys.rgb_to_hls(*matplotlib.colors.to_rgb(TIER_COLORS[t]))[1] for t in RANKED_TIERS]
    assert lightness == sorted(lightness, reverse=True)
    assert min(a - b for a, b in zip(lightness, lightness[1:])) > 0.08


def test_unknown_tier_has_no_colour():
    with pytest.raises(ValueError, match="unknown tier 'Tier 4'"):
        tier_color("Tier 4")


def test_unknown_width_is_refused():
    with pytest.raises(ValueError, match="unknown width"):
        figures.new_figure("poster")


def committed_figures():
    return sorted(p.name for p in FIGURES_DIR.iterdir() if p.name != "README.md")


def test_every_committed_figure_has_all_files_and_a_notebook():
    sidecars = sorted(FIGURES_DIR.glob("*.json"))
    assert sidecars
    for sidecar in sidecars:
        record = json.loads(sidecar.read_text(encoding="utf-8"))
        assert all((FIGURES_DIR / f"{record['name']}.{ext}").exists() for ext in FILES), record["name"]
        assert (NOTEBOOKS_DIR / record["notebook"]).exists(), record["notebook"]
        assert record["name"][:2] == record["notebook"][:2], "figures are named after their notebook"
        assert record["alt_text"].strip() and record["title"].strip()
    assert len(committed_figures()) == len(sidecars) * len(FILES)


def test_the_figure_index_matches_the_files():
    assert (FIGURES_DIR / "README.md").read_text(encoding="utf-8") == figure_index(FIGURES_DIR)


@pytest.mark.after_notebooks
def test_notebooks_rebuild_the_committed_figures_byte_for_byte():
    produced = sorted(p.name for p in FIGURES_UNDER_TEST.iterdir())
    if not produced:
        pytest.skip("the notebooks did not run in this session (run the whole suite: make test)")
    assert produced == committed_figures()
    different = [name for name in produced
                 if (FIGURES_UNDER_TEST / name).read_bytes() != (FIGURES_DIR / name).read_bytes()]
    assert not different, f"figures differ from the committed ones: {different}"
