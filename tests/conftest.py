"""Shared fixtures: a private, editable copy of the data package."""

import shutil

import pytest

from tipreport.paths import DATA_DIR


@pytest.fixture
def data_copy(tmp_path):
    """A copy of data/ that a test may break without touching the real files."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target
