"""The figure style and saving module, and the reproducibility of the committed figures."""

import colorsys
import json
import os

import matplotlib
import matplotlib.colors
import pandas as pd
import pytest

from conftest import FIGURES_UNDER_TEST
from tipreport.analysis.tiers import RANKED_TIERS
from tipreport.charts import style
from tipreport.charts.style import TIER_COLORS, new_figure, save_figure, tier_color
from tipreport.outputs.run_notebooks import figure_index
from tipreport.paths import FIGURES_DIR, NOTEBOOKS_DIR

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
    from PIL import Image

    draw(tmp_path, name="short")
    draw(tmp_path, name="long", title="A much longer finding that cannot possibly fit on one line of a single column")
    short, long = Image.open(tmp_path / "short.png").size, Image.open(tmp_path / "long.png").size
    assert long[0] == short[0], "the width stays the print column's"
    assert long[1] > short[1] + 0.1 * 300, "at least one more title line (about 0.16 in) of height"
    svg = (tmp_path / "long.svg").read_text(encoding="utf-8")
    assert "A much longer finding" in svg and "single column" in svg


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
        style.new_figure("poster")


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
    produced = sorted(p.name for p in FIGURES_UNDER_TEST.iterdir()) if FIGURES_UNDER_TEST.is_dir() else []
    assert produced, f"the notebooks did not run, so nothing was compared ({FIGURES_UNDER_TEST} is empty): run make test"
    assert produced == committed_figures(), "the notebooks that ran did not write exactly the committed figures"
    different = [name for name in produced
                 if (FIGURES_UNDER_TEST / name).read_bytes() != (FIGURES_DIR / name).read_bytes()]
    assert not different, f"figures differ from the committed ones: {different}"


def test_pdf_fonts_are_subset_without_layout_tables_and_stay_type_42(tmp_path, monkeypatch):
    """Pinned to matplotlib's subsetting hook: if an upgrade moves it, this fails instead of PDFs slowing down.

    The layout tables are never even parsed (fontTools 4.68 parses them before pruning what its options drop)."""
    from fontTools.ttLib import TTFont
    from matplotlib import font_manager
    from matplotlib.backends import _backend_pdf_ps

    assert matplotlib.__version__ == "3.11.2", "re-check style.py's subsetting hook for this matplotlib"
    font = font_manager.findfont("DejaVu Sans")
    read = []
    monkeypatch.setattr(TTFont, "_readTable", lambda self, tag, read_table=TTFont._readTable:
                        read.append(tag) or read_table(self, tag))
    with _backend_pdf_ps.get_glyphs_subset(font_manager.FontPath(font, 0), {36, 37, 38}) as subset:
        tables = set(subset.font.keys())
    assert not tables & set(style.LAYOUT_TABLES), tables
    assert "glyf" in read and not set(read) & set(style.LAYOUT_TABLES), f"tables parsed while subsetting: {read}"
    assert {"glyf", "cmap", "hmtx"} <= tables
    assert set(style.LAYOUT_TABLES) <= set(TTFont(font).keys()), "the full font has them: the hook removed them"
    draw(tmp_path)
    pdf = (tmp_path / "example.pdf").read_bytes()
    assert b"/FontFile2" in pdf and b"/CIDFontType2" in pdf, "TrueType (Type 42) fonts embedded"


def test_in_a_notebook_the_saved_png_is_shown_instead_of_drawing_again(tmp_path, monkeypatch):
    import IPython
    import IPython.display
    import matplotlib.pyplot as plt
    from PIL import Image

    draw(tmp_path)
    shown = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(style.mpl, "get_backend", lambda: "module://matplotlib_inline.backend_inline")
    monkeypatch.setattr(IPython.display, "display", shown.append)
    fig, _ = new_figure("single", 1.2)
    assert style.show_saved_png(fig, (tmp_path / "example.png").read_bytes())
    assert not plt.fignum_exists(fig.number), "closed, so the inline backend does not render it again"
    full = Image.open(tmp_path / "example.png").size
    import io

    assert Image.open(io.BytesIO(shown[0].data)).size == (full[0] // 3, full[1] // 3)


def test_outside_a_notebook_nothing_is_shown(tmp_path):
    draw(tmp_path)
    fig, _ = new_figure("single", 1.2)
    assert not style.show_saved_png(fig, (tmp_path / "example.png").read_bytes())
