"""Figures are byte-identical whatever SIMD and BLAS kernels the CPU selects (x86_64 Linux).

numpy 2.4 picks SIMD paths per CPU (``NPY_DISABLE_CPU_FEATURES`` takes its group names:
X86_V3 = AVX2, X86_V4 = AVX-512, AVX512_ICL, AVX512_SPR) and OpenBLAS picks a kernel per CPU
(``OPENBLAS_CORETYPE``). Each variant rebuilds every figure with the notebooks and must give
exactly the committed bytes. Unknown names are ignored without a word, so each variant first
checks, in a process with the same environment as the kernels, that it took effect.

The full rebuild per variant is marked ``cpu_dispatch`` (about 30 s each): ``make test-cpus``,
which CI runs after ``make test``. ``make test`` itself runs the nbval kernels under these
variants (see conftest.py), so each notebook is checked under one of them there.
"""

import os
import subprocess
import sys

import pytest

from conftest import KERNEL_DISPATCH, check_dispatch, dispatch_seen
from tipreport.paths import FIGURES_DIR, REPO_ROOT

BUILD = "import pathlib, sys; from tipreport.outputs.run_notebooks import build_figures; build_figures(pathlib.Path(sys.argv[1]))"


def test_the_machine_has_the_features_the_variants_switch_off():
    native = {key: value for key, value in os.environ.items()
              if key not in ("NPY_DISABLE_CPU_FEATURES", "OPENBLAS_CORETYPE")}
    if not dispatch_seen(native)["features"]["X86_V4"]:
        pytest.fail("this CPU has no AVX-512 (X86_V4): the dispatch variants would change nothing here")


@pytest.mark.parametrize("settings", [settings for settings, _, _ in KERNEL_DISPATCH], ids=str)
def test_an_ignored_setting_is_caught(settings):
    """A misspelt group name (numpy ignores it silently) must stop the run."""
    with pytest.raises(pytest.UsageError, match="did not take effect"):
        check_dispatch({**settings, "NPY_DISABLE_CPU_FEATURES": "AVX512F_TYPO"}, ["X86_V4"], "Sandybridge")


@pytest.mark.cpu_dispatch
@pytest.mark.parametrize(("settings", "disabled", "blas"), KERNEL_DISPATCH, ids=lambda v: str(v))
def test_figures_are_byte_identical_under_other_cpu_dispatch(settings, disabled, blas, tmp_path):
    check_dispatch(settings, disabled, blas)
    subprocess.run([sys.executable, "-c", BUILD, str(tmp_path)], env={**os.environ, **settings}, cwd=REPO_ROOT,
                   check=True)
    committed = sorted(p.name for p in FIGURES_DIR.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == committed
    figures = [name for name in committed if name.rsplit(".", 1)[-1] in ("svg", "pdf", "png")]
    assert len(figures) >= 3 * 15
    different = [name for name in figures if (tmp_path / name).read_bytes() != (FIGURES_DIR / name).read_bytes()]
    assert not different, f"under {settings}, these differ from the committed files: {different}"
