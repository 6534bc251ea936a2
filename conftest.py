"""Test-session set-up shared by unit tests and notebook (nbval) tests.

Notebooks executed by nbval write their figures to a scratch folder, never into
figures/; tests marked ``after_notebooks`` then compare that folder with the
committed figures, byte for byte. Run the whole suite (``make test``) for that check.
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tipreport.paths import DATA_DIR

FIGURES_UNDER_TEST = Path(tempfile.mkdtemp(prefix="tip-figures-under-test-"))
os.environ["TIP_FIGURES_DIR"] = str(FIGURES_UNDER_TEST)


def pytest_collection_modifyitems(items):
    """Run the checks of the notebooks' output files after the notebooks themselves."""
    items.sort(key=lambda item: item.get_closest_marker("after_notebooks") is not None)


@pytest.fixture
def data_copy(tmp_path):
    """A copy of data/ that a test may break without touching the real files."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target
