"""The Makefile's environment bootstrap: keyed on content, built aside, swapped in only when it works."""

import hashlib
import os
import shutil
import subprocess
import sys

import pytest

from tipreport.paths import REPO_ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


@pytest.fixture
def clone(tmp_path):
    """A folder with the Makefile, a requirements.txt and a working-looking .venv for it."""
    shutil.copy(REPO_ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / "requirements.txt").write_text("example==1.0\n", encoding="utf-8")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "marker").write_text("the environment that works", encoding="utf-8")
    return tmp_path


def stamp(clone):
    digest = hashlib.sha256((clone / "requirements.txt").read_bytes()).hexdigest()[:16]
    return clone / ".venv" / f".requirements-{digest}"


def make(clone, *args):
    return subprocess.run(["make", "-C", str(clone), *args], capture_output=True, text=True)


def test_a_newer_requirements_mtime_with_the_same_content_rebuilds_nothing(clone):
    """A checkout touches requirements.txt; the stamp is keyed on its content, so the .venv stays."""
    stamp(clone).touch()
    later = stamp(clone).stat().st_mtime + 3600
    os.utime(clone / "requirements.txt", (later, later))
    assert make(clone, "-q", "venv").returncode == 0, "make would rebuild a valid .venv"


def test_a_failed_install_leaves_the_old_environment_in_place(clone):
    """requirements.txt changed (no stamp for it) and the new environment cannot be built."""
    fake = clone / "python-without-venv"
    fake.write_text(f'#!/bin/sh\nif [ "$1" = "-m" ]; then echo "no venv here" >&2; exit 1; fi\nexec {sys.executable} "$@"\n',
                    encoding="utf-8")
    fake.chmod(0o755)
    result = make(clone, "venv", f"PYTHON={fake}")
    assert result.returncode != 0
    assert "left as it was" in result.stderr
    assert (clone / ".venv" / "marker").read_text(encoding="utf-8") == "the environment that works"
    assert sorted(p.name for p in clone.iterdir() if p.name.startswith(".venv")) == [".venv"]
