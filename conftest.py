"""Test-session set-up shared by unit tests and notebook (nbval) tests.

Notebooks executed by nbval write their figures to a scratch folder, never into
figures/; tests marked ``after_notebooks`` then compare that folder with the
committed figures, byte for byte, and fail if the notebooks did not run.

- ``make test`` runs the suite in two steps sharing the scratch folder through
  ``TIP_FIGURES_UNDER_TEST``: everything else with pytest-xdist (``-n 2 --dist
  loadfile``), then ``-m after_notebooks``. Plain ``pytest`` runs everything in one
  process, the ``after_notebooks`` tests last.
- Under xdist, each worker's kernels run with other CPU dispatch than the machine's
  own (``KERNEL_DISPATCH``, checked to have taken effect), so the byte comparison
  with the committed figures (made natively) is a cross-CPU check as well.
- The scratch folder is removed by the process that created it.
- nbval's kernels talk to it over Unix sockets of their own, as ``make reproduce``'s do
  (``run_notebooks.kernel_connection``): over TCP, a kernel started at the same moment by another
  worker or test could take the same port.
"""

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

SHARED = "TIP_FIGURES_UNDER_TEST"
if os.environ.get(SHARED):
    FIGURES_UNDER_TEST, OWNED = Path(os.environ[SHARED]), False
else:
    FIGURES_UNDER_TEST, OWNED = Path(tempfile.mkdtemp(prefix="tip-figures-under-test-")), True
    os.environ[SHARED] = str(FIGURES_UNDER_TEST)  # xdist workers inherit it and share the folder
os.environ["TIP_FIGURES_DIR"] = str(FIGURES_UNDER_TEST)

#: CPU dispatch for the notebook kernels of xdist worker 0 and 1 (names: numpy 2.4 groups, OpenBLAS cores).
KERNEL_DISPATCH = (
    ({"NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR", "OPENBLAS_CORETYPE": "Sandybridge"},
     ["X86_V4"], "Sandybridge"),
    ({"NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR", "OPENBLAS_CORETYPE": "Prescott"},
     ["X86_V3", "X86_V4"], "Katmai"),
)
DISPATCH_PROBE = """
import ctypes, glob, json, numpy
from numpy._core._multiarray_umath import __cpu_features__
lib = ctypes.CDLL(glob.glob(numpy.__path__[0] + ".libs/libscipy_openblas*")[0])
lib.scipy_openblas_get_corename64_.restype = ctypes.c_char_p
print(json.dumps({"features": __cpu_features__, "blas": lib.scipy_openblas_get_corename64_().decode()}))
"""


def dispatch_seen(env: dict) -> dict:
    """The numpy CPU features and the OpenBLAS kernel a Python process started with ``env`` uses."""
    result = subprocess.run([sys.executable, "-c", DISPATCH_PROBE], env=env, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def check_dispatch(settings: dict, disabled: list, blas: str) -> None:
    """Fail unless ``settings`` really switch numpy's ``disabled`` groups off and select ``blas``."""
    seen = dispatch_seen({**os.environ, **settings})
    if any(seen["features"][name] for name in disabled) or seen["blas"] != blas:
        raise pytest.UsageError(f"CPU dispatch settings {settings} did not take effect: numpy "
                                f"{ {n: seen['features'][n] for n in disabled} }, OpenBLAS {seen['blas']}")


def ipc_kernels_for_nbval() -> None:
    """Give nbval's kernels ``make reproduce``'s connection settings (nbval 0.11 builds its KernelManager itself)."""
    import nbval.kernel

    from tipreport.outputs.run_notebooks import kernel_connection

    if "KernelManager" not in nbval.kernel.start_new_kernel.__code__.co_names:
        raise pytest.UsageError("nbval no longer starts kernels with nbval.kernel.KernelManager: "
                                "give them run_notebooks.kernel_connection() another way")

    class KernelManager(nbval.kernel.KernelManager):
        def __init__(self, **kwargs):
            super().__init__(config=kernel_connection(), **kwargs)

    nbval.kernel.KernelManager = KernelManager


def pytest_configure(config):
    ipc_kernels_for_nbval()
    worker = getattr(config, "workerinput", {}).get("workerid")
    if worker and dispatch_seen(dict(os.environ))["features"]["X86_V4"]:
        settings, disabled, blas = KERNEL_DISPATCH[int(worker.removeprefix("gw")) % len(KERNEL_DISPATCH)]
        check_dispatch(settings, disabled, blas)
        os.environ.update(settings)  # inherited by this worker's notebook kernels


def pytest_unconfigure(config):
    if OWNED:
        shutil.rmtree(FIGURES_UNDER_TEST, ignore_errors=True)


def _asked_for(config, marker: str) -> bool:
    return marker in (config.option.markexpr or "")


def pytest_collection_modifyitems(config, items):
    """Order and select the checks that need the notebooks to have run, and the slow CPU-dispatch rebuild."""
    skipped = [item for item in items if item.get_closest_marker("cpu_dispatch") and not _asked_for(config, "cpu_dispatch")]
    after = [item for item in items if item.get_closest_marker("after_notebooks")]
    notebooks = [item for item in items if item.path.suffix == ".ipynb"]
    in_xdist = bool(getattr(config.option, "numprocesses", None)) or hasattr(config, "workerinput")
    note = None
    if after and not _asked_for(config, "after_notebooks") and (in_xdist or not notebooks):
        skipped += after
        note = ("after_notebooks checks deselected: " + ("under xdist they run in a second step (make test)"
                if in_xdist else "no notebook ran in this session (run make test)"))
    if skipped:
        config.hook.pytest_deselected(items=skipped)
        items[:] = [item for item in items if item not in skipped]
        if note:
            print(f"\n{note}")
    items.sort(key=lambda item: item.get_closest_marker("after_notebooks") is not None)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The reading site built from the repository into a scratch folder, once per run.

    Under xdist the workers' scratch folders share a parent; the first worker to ask builds the
    site there (under a lock) and the other reuses it. Tests only read it.
    """
    from tipreport.outputs.site import build_site
    from tipreport.paths import REPO_ROOT

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    with open(root / "site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "site" / "index.html").is_file():
            build_site(REPO_ROOT, root / "site")
    return root / "site"
