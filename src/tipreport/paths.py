"""Paths resolved from the repository root, so code runs from any working directory.

Shared by every step: imports no other tipreport module."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / "data"
FIGURES_DIR = REPO_ROOT / "figures"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"  # numbered notebooks, in run order
ARTICLE_PATH = DATA_DIR / "article" / "cambodja-news-2023-tip-report.txt"
REFERENCE_DIR = REPO_ROOT.parent / "shared" / "reference"
