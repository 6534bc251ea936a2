"""Paths resolved from the repository root, so code runs from any working directory.

Shared by every step: imports no other tipreport module."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / "data"
FIGURES_DIR = REPO_ROOT / "figures"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"  # numbered notebooks, in run order
ARTICLE_PATH = DATA_DIR / "article" / "cambodja-news-2023-tip-report.txt"
#: ../shared beside the clone (as in CI): the verified reference data the tables are built from.
SHARED_DIR = REPO_ROOT.parent / "shared"
REFERENCE_DIR = SHARED_DIR / "reference"
#: Natural Earth boundaries (reference) and the map geometry derived from them (data/maps/).
WORLD_MAP_SOURCE = REFERENCE_DIR / "maps" / "ne_50m_admin0_countries.geojson"
WORLD_MAP = DATA_DIR / "maps" / "world_50m.geojson"
