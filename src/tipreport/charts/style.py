"""One figure style for every notebook, and atomic, byte-reproducible saving.

Every figure is saved as SVG, PDF and 300-dpi PNG, with the data behind it as CSV
and a JSON sidecar (title, subtitle, alt text, source, notebook). Files are
written to a temporary name and renamed, so a failed run never leaves a
half-written figure. ``TIP_FIGURES_DIR`` redirects output (``make reproduce``
builds into a staging folder and swaps it in only when every notebook succeeded).

Step 3 of 4, charts: may import tipreport.paths, tipreport.fileops, tipreport.data_in, tipreport.analysis and other tipreport.charts modules; never outputs."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from types import SimpleNamespace

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd
from fontTools import subset as font_subset
from matplotlib.backends import _backend_pdf_ps

from tipreport.analysis.tiers import TIERS
from tipreport.fileops import write_atomically
from tipreport.paths import FIGURES_DIR

#: Print-column widths in inches: one column (89 mm), 1.5 columns (120 mm), full page width (183 mm).
WIDTHS = {"single": 3.5, "wide": 4.7, "double": 7.2}

#: Ordered, colour-blind-safe tier colours (magma: light = better, dark = worse;
#: lightness falls monotonically, so the order survives greyscale printing).
TIER_COLORS = {
    "Tier 1": "#fcd08f",
    "Tier 2": "#f4675c",
    "Tier 2 Watch List": "#a1307e",
    "Tier 3": "#331067",
    "Special Case": "#a6a6a6",
}
NOT_RANKED_COLOR = "#eeeeee"
HIGHLIGHT_COLOR = "#0b6e99"
SECONDARY_COLOR = "#a9c7d8"
INK = "#222222"
MUTED = "#666666"

DEFAULT_SOURCE = "Source: U.S. Department of State, Trafficking in Persons Report"
TIER_TABLE_SOURCE = ("Source: U.S. Department of State, Trafficking in Persons Reports, compiled in data/tiers.csv "
                     "(2001–2015 mainly the Kelley & Heiss dataset; later years narratives, lists and news)")
FORMATS = ("svg", "pdf", "png")
PNG_DPI = 300

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "axes.labelcolor": INK,
    "axes.edgecolor": MUTED,
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "xtick.color": INK,
    "ytick.color": INK,
    "legend.fontsize": 7,
    "legend.frameon": False,
    "figure.dpi": 100,
    "savefig.dpi": PNG_DPI,
    "svg.hashsalt": "tip-report-figures",
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
    "path.simplify": False,
}

#: OpenType layout tables (shaping, positioning, glyph classes) and the legacy kerning table. matplotlib
#: lays text out with the full font and places every glyph itself, so an embedded Type 42 subset does not use them.
LAYOUT_TABLES = ["GSUB", "GPOS", "GDEF", "kern"]


def _load_font_without_layout_tables(fontfile, options):
    """fontTools' ``load_font``, with the layout tables removed before anything reads them.

    fontTools 4.68's subsetter parses GSUB, GPOS and GDEF (to convert their formats) before it
    prunes them, so dropping them through its options still pays for parsing them on every subset.
    """
    font = font_subset.load_font(fontfile, options)
    for tag in LAYOUT_TABLES:
        if tag in font:
            del font[tag]
    return font


# matplotlib 3.11's PDF/PS backends subset fonts through ``_backend_pdf_ps.subset`` (fontTools);
# tests/test_style.py checks, for the pinned versions, that this still takes effect.
_backend_pdf_ps.subset = SimpleNamespace(Options=font_subset.Options, load_font=_load_font_without_layout_tables,
                                         Subsetter=font_subset.Subsetter)

# Vertical space, in inches, for the title block and the source line.
TITLE_BLOCK = 0.52
SOURCE_BLOCK = 0.34


def use_style() -> None:
    """Apply the collection's matplotlib style."""
    mpl.rcParams.update(STYLE)


def tier_color(tier: str) -> str:
    """The colour of a tier; raises for anything that is not a tier."""
    if tier not in TIER_COLORS:
        raise ValueError(f"unknown tier {tier!r}; expected one of {list(TIERS)}")
    return TIER_COLORS[tier]


def new_figure(width: str = "double", plot_height: float = 2.6, *, left: float = 0.5, right: float = 0.15,
               bottom: float = 0.35, top: float = 0.22, **subplots):
    """A figure of a print-column width with room for title, subtitle and source line.

    ``plot_height`` is the height of the plotting area; ``left``/``right``/``bottom`` are
    margins for tick labels and ``top`` the room for a legend or panel titles between the
    subtitle and the plot, all in inches.
    """
    if width not in WIDTHS:
        raise ValueError(f"unknown width {width!r}; expected one of {list(WIDTHS)}")
    use_style()
    fig_width, height = WIDTHS[width], plot_height + TITLE_BLOCK + top + SOURCE_BLOCK + bottom
    fig, axes = plt.subplots(figsize=(fig_width, height), **subplots)
    fig.subplots_adjust(top=1 - (TITLE_BLOCK + top) / height, bottom=(SOURCE_BLOCK + bottom) / height,
                        left=left / fig_width, right=1 - right / fig_width)
    return fig, axes


TITLE_SIZE, SUBTITLE_SIZE, SOURCE_SIZE = 9.5, 7.5, 6
LINE = 1.25 / 72  # inches per point of font size, with line spacing


def _wrap(fig, text: str, points: float, width_inches: float, weight: str = "normal") -> list[str]:
    """Wrap text to a width, measuring each line with font metrics at the PNG resolution.

    Hinted glyph advances differ between resolutions, so lines are measured at 300 dpi (the
    PNG) and kept 3 % short of the width for the unhinted SVG and PDF text.
    """
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    renderer = RendererAgg(1, 1, PNG_DPI)
    font = FontProperties(family=STYLE["font.family"], size=points, weight=weight)
    limit = 0.97 * width_inches * PNG_DPI

    def fits(line: str) -> bool:
        return renderer.get_text_width_height_descent(line, font, ismath=False)[0] <= limit

    lines: list[str] = []
    for word in text.split():
        if lines and fits(f"{lines[-1]} {word}"):
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def annotate(fig, title: str, subtitle: str, source: str = DEFAULT_SOURCE) -> None:
    """Draw the title (the finding), subtitle (measure and period) and source line.

    Long texts are wrapped to the figure's width; the figure grows upward (and the
    source block downward) so that no text overlaps the plot.
    """
    width, height = fig.get_size_inches()
    usable = width - 0.16
    title_lines = _wrap(fig, title, TITLE_SIZE, usable, weight="bold")
    subtitle_lines = _wrap(fig, subtitle, SUBTITLE_SIZE, usable)
    source_lines = _wrap(fig, source, SOURCE_SIZE, usable)
    extra_top = (len(title_lines) - 1) * TITLE_SIZE * LINE + (len(subtitle_lines) - 1) * SUBTITLE_SIZE * LINE
    extra_bottom = (len(source_lines) - 1) * SOURCE_SIZE * LINE
    if extra_top or extra_bottom:
        new_height = height + extra_top + extra_bottom
        for ax in fig.axes:
            box = ax.get_position()
            ax.set_position([box.x0, (box.y0 * height + extra_bottom) / new_height, box.width, box.height * height / new_height])
        fig.set_size_inches(width, new_height)
        height = new_height
    left = 0.08 / width
    top = 1 - 0.1 / height
    fig.text(left, top, "\n".join(title_lines), ha="left", va="top", fontsize=TITLE_SIZE, fontweight="bold",
             color=INK, linespacing=1.15)
    subtitle_top = top - (len(title_lines) * TITLE_SIZE * LINE + 0.05) / height
    fig.text(left, subtitle_top, "\n".join(subtitle_lines), ha="left", va="top", fontsize=SUBTITLE_SIZE, color=MUTED,
             linespacing=1.15)
    fig.text(left, 0.08 / height, "\n".join(source_lines), ha="left", va="bottom", fontsize=SOURCE_SIZE, color=MUTED,
             linespacing=1.15)


def texts_off_canvas(fig, tolerance_px: float = 0.5) -> list[str]:
    """Every drawn text (titles, labels, legends, tick labels) whose bounding box leaves the canvas.

    Measured in the 300-dpi PNG's own draw (where hinted text is widest relative to the canvas),
    as ``save_figure`` measures it.
    """
    return png_and_texts_off_canvas(fig, tolerance_px)[1]


def _texts_off_canvas(fig, renderer, tolerance_px: float) -> list[str]:
    """The texts of ``fig`` just drawn by ``renderer`` that leave the canvas by more than ``tolerance_px``."""
    from matplotlib.text import Text

    canvas = fig.bbox
    tick_labels = set().union(set(), *(_tick_labels(ax) for ax in fig.axes))
    boxes = [(repr(t.get_text()[:60]), t.get_window_extent(renderer)) for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip() and t not in tick_labels]
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_visible() and ax.axison:
                box = axis.get_tightbbox(renderer)
                if box is not None:
                    boxes.append((f"{axis.axis_name}-axis of {ax.get_title(loc='left') or 'a panel'!r}", box))
    return [f"{label} at x {box.x0:.0f}–{box.x1:.0f}, y {box.y0:.0f}–{box.y1:.0f} (canvas {canvas.width:.0f}×{canvas.height:.0f} px)"
            for label, box in boxes
            if box.x0 < canvas.x0 - tolerance_px or box.y0 < canvas.y0 - tolerance_px
            or box.x1 > canvas.x1 + tolerance_px or box.y1 > canvas.y1 + tolerance_px]


def png_and_texts_off_canvas(fig, tolerance_px: float = 0.5) -> tuple[bytes, list[str]]:
    """The 300-dpi PNG of ``fig`` and the texts that leave its canvas, measured during that same draw.

    A draw_event listener measures after every draw of the save (a layout engine may draw twice;
    the last draw is the PNG's). Its own errors are raised here, not left to matplotlib's callback
    registry (which only prints them while a GUI event loop runs).
    """
    drawn: list = []

    def measure(event) -> None:
        try:
            drawn.append(_texts_off_canvas(fig, event.renderer, tolerance_px * PNG_DPI / 100))
        except Exception as error:  # noqa: BLE001 - re-raised below, after the save
            drawn.append(error)

    listener = fig.canvas.mpl_connect("draw_event", measure)
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", metadata={"Software": None}, dpi=PNG_DPI)
    finally:
        fig.canvas.mpl_disconnect(listener)
    if not drawn:
        raise RuntimeError("saving the PNG drew nothing, so its texts could not be checked against the canvas")
    if isinstance(drawn[-1], Exception):
        raise drawn[-1]
    return buffer.getvalue(), drawn[-1]


def _tick_labels(ax) -> set:
    """Tick labels of an axes (checked through the axis' own bounding box, which skips undrawn ticks)."""
    return {label for axis in (ax.xaxis, ax.yaxis) for tick in axis.get_major_ticks() + axis.get_minor_ticks()
            for label in (tick.label1, tick.label2)}


def figures_dir() -> Path:
    """Where figures go: $TIP_FIGURES_DIR if set, else figures/."""
    return Path(os.environ.get("TIP_FIGURES_DIR", FIGURES_DIR))


def save_figure(fig, name: str, *, title: str, subtitle: str, alt_text: str, data: pd.DataFrame,
                notebook: str, source: str = DEFAULT_SOURCE) -> dict:
    """Annotate ``fig`` and save it with its data and alt text; returns the sidecar record.

    Writes NAME.svg, NAME.pdf, NAME.png (300 dpi), NAME.csv (data behind the figure)
    and NAME.json (title, subtitle, alt text, source, notebook, files).
    """
    if not alt_text.strip() or not title.strip():
        raise ValueError(f"figure {name!r} needs a title and alt text")
    if data.empty:
        raise ValueError(f"figure {name!r}: the data behind it is empty")
    out = figures_dir()
    out.mkdir(parents=True, exist_ok=True)
    annotate(fig, title, subtitle, source)
    metadata = {
        "svg": {"Date": None, "Creator": None, "Title": title, "Description": alt_text},
        "pdf": {"CreationDate": None, "Producer": None, "Creator": None, "Title": title},
    }
    png, clipped = png_and_texts_off_canvas(fig)
    if clipped:
        raise ValueError(f"figure {name!r}: text runs off the canvas: " + "; ".join(clipped))
    for ext in FORMATS:
        if ext == "png":
            write_atomically(out / f"{name}.png", lambda temp: temp.write_bytes(png))
        else:
            write_atomically(out / f"{name}.{ext}",
                              lambda temp, ext=ext: fig.savefig(temp, format=ext, metadata=metadata[ext], dpi=PNG_DPI))
    write_atomically(out / f"{name}.csv",
                      lambda temp: temp.write_text(data.to_csv(index=False, lineterminator="\n"), encoding="utf-8"))
    record = {"name": name, "title": title, "subtitle": subtitle, "alt_text": alt_text, "source": source,
              "notebook": notebook, "files": [f"{name}.{ext}" for ext in (*FORMATS, "csv")]}
    write_atomically(out / f"{name}.json",
                      lambda temp: temp.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"))
    show_saved_png(fig, png)
    return record


def show_saved_png(fig, png: bytes) -> bool:
    """In a notebook, show the PNG just saved (its bytes) instead of letting the inline backend draw ``fig`` again.

    The 300-dpi image is reduced by whole-pixel averaging (``Image.reduce``, integer
    arithmetic) to the figure's screen resolution; the figure is then closed. Outside an
    IPython kernel with the inline backend nothing happens (returns False).
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    if get_ipython() is None or "inline" not in mpl.get_backend():
        return False
    from IPython.display import Image as InlineImage
    from IPython.display import display
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        small = image.reduce(max(1, round(PNG_DPI / fig.dpi)))
    buffer = io.BytesIO()
    small.save(buffer, format="png")
    display(InlineImage(buffer.getvalue()))
    plt.close(fig)
    return True
