"""Test-session set-up shared by unit tests and notebook (nbval) tests.

Notebooks executed by nbval write their figures to a scratch folder, never into
figures/; tests marked ``after_notebooks`` then compare that folder with the
committed figures, byte for byte, and fail if the notebooks did not write them.

- Everything a run writes goes to one scratch folder (``TIP_TEST_SCRATCH``): the
  figures under test in ``figures/`` (or ``TIP_FIGURES_UNDER_TEST``), pytest's
  temporary folders, the list of the notebooks selected. The process that created
  it removes it, so that nothing is left in the temporary folder.
- ``make test`` runs the suite in two steps sharing the scratch folder: everything
  else with pytest-xdist (``-n 2 --dist loadfile``), then ``-m after_notebooks``.
  Plain ``pytest`` runs everything in one process, the ``after_notebooks`` tests last.
- A selection (``-k``, ``PYTEST_ADDOPTS``, a path) that leaves out a notebook
  makes the ``after_notebooks`` checks skip, saying which notebooks did not run.
- Under xdist, each worker's kernels run with other CPU dispatch than the machine's
  own (``KERNEL_DISPATCH``, checked to have taken effect), so the byte comparison
  with the committed figures (made natively) is a cross-CPU check as well.
- The scratch folder is removed by the process that created it.
- nbval's kernels talk to it over Unix sockets of their own, as ``make reproduce``'s do
  (``run_notebooks.kernel_connection``): over TCP, a kernel started at the same moment by another
  worker or test could take the same port. They run in ``make reproduce``'s kernel environment
  too (``run_notebooks.kernel_environment``): no user configuration reaches their outputs.
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

SCRATCH_VARIABLE, SHARED = "TIP_TEST_SCRATCH", "TIP_FIGURES_UNDER_TEST"
if os.environ.get(SCRATCH_VARIABLE):
    SCRATCH, OWNED = Path(os.environ[SCRATCH_VARIABLE]), False
else:
    SCRATCH, OWNED = Path(tempfile.mkdtemp(prefix="tip-tests-")), True
    os.environ[SCRATCH_VARIABLE] = str(SCRATCH)  # xdist workers inherit it and share the folder
FIGURES_UNDER_TEST = Path(os.environ.get(SHARED) or SCRATCH / "figures")
FIGURES_UNDER_TEST.mkdir(parents=True, exist_ok=True)
os.environ["TIP_FIGURES_DIR"] = str(FIGURES_UNDER_TEST)
#: The notebooks selected in this run (written by the processes that run them, read by ``make test``'s second step).
NOTEBOOKS_SELECTED = SCRATCH / "notebooks-selected.txt"

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

    from tipreport.outputs.run_notebooks import kernel_environment

    class KernelManager(nbval.kernel.KernelManager):
        def __init__(self, **kwargs):
            super().__init__(config=kernel_connection(), **kwargs)

        def start_kernel(self, **kwargs):
            super().start_kernel(**{**kwargs, "env": kernel_environment(kwargs.get("env"))})

    nbval.kernel.KernelManager = KernelManager


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    if config.option.basetemp is None and not hasattr(config, "workerinput"):
        config.option.basetemp = str(SCRATCH / f"pytest-{os.getpid()}")  # not /tmp/pytest-of-<user>, left behind
    ipc_kernels_for_nbval()
    worker = getattr(config, "workerinput", {}).get("workerid")
    if worker and dispatch_seen(dict(os.environ))["features"]["X86_V4"]:
        settings, disabled, blas = KERNEL_DISPATCH[int(worker.removeprefix("gw")) % len(KERNEL_DISPATCH)]
        check_dispatch(settings, disabled, blas)
        os.environ.update(settings)  # inherited by this worker's notebook kernels


def pytest_unconfigure(config):
    from tipreport.outputs.run_notebooks import remove_sockets_folder

    remove_sockets_folder()
    if OWNED:
        shutil.rmtree(SCRATCH, ignore_errors=True)


def _asked_for(config, marker: str) -> bool:
    """Whether ``-m`` names ``marker``."""
    return marker in (config.option.markexpr or "")


@pytest.hookimpl(trylast=True)  # after -k and -m have deselected what they do
def pytest_collection_modifyitems(config, items):
    """Order and select the checks that need the notebooks to have run; leave out the CPU-dispatch rebuild and the
    JupyterLab test unless ``-m`` asks for them."""
    skipped = [item for item in items for marker in ("cpu_dispatch", "lab")
               if item.get_closest_marker(marker) and not _asked_for(config, marker)]
    after = [item for item in items if item.get_closest_marker("after_notebooks")]
    notebooks = sorted({item.path.name for item in items if item.path.suffix == ".ipynb"})
    if notebooks:
        record_selected(notebooks)
    in_xdist = bool(getattr(config.option, "numprocesses", None)) or hasattr(config, "workerinput")
    if after and in_xdist and not _asked_for(config, "after_notebooks"):
        skipped += after
        print("\nafter_notebooks checks deselected: under xdist they run in a second step (make test)")
    elif after:
        missing = notebooks_not_run(notebooks)
        if missing:
            which = ("no notebook" if len(missing) == len(all_notebooks()) else
                     f"only {len(all_notebooks()) - len(missing)} of {len(all_notebooks())} notebooks (not {', '.join(missing)})")
            reason = (f"{which} ran in this session or in make test's first step (left out by a selection such as -k, "
                      "PYTEST_ADDOPTS or a path): run make test without one to compare the figures")
            for item in after:
                item.add_marker(pytest.mark.skip(reason=reason))
    if skipped:
        config.hook.pytest_deselected(items=skipped)
        items[:] = [item for item in items if item not in skipped]
    items.sort(key=lambda item: item.get_closest_marker("after_notebooks") is not None)


def all_notebooks() -> list[str]:
    from tipreport.outputs.run_notebooks import notebook_paths

    return [path.name for path in notebook_paths()]


def record_selected(notebooks: list[str]) -> None:
    """Add ``notebooks`` to the run's list of selected notebooks (xdist workers write the same names at once)."""
    names = sorted(set(notebooks) | set(selected_notebooks()))
    partial = NOTEBOOKS_SELECTED.with_name(f"{NOTEBOOKS_SELECTED.name}.{os.getpid()}")
    partial.write_text("".join(f"{name}\n" for name in names), encoding="utf-8")
    os.replace(partial, NOTEBOOKS_SELECTED)


def selected_notebooks() -> list[str]:
    return NOTEBOOKS_SELECTED.read_text(encoding="utf-8").split() if NOTEBOOKS_SELECTED.is_file() else []


def notebooks_not_run(in_this_session: list[str]) -> list[str]:
    """The numbered notebooks that neither this session nor make test's first step selected."""
    ran = set(in_this_session) | set(selected_notebooks())
    return [name for name in all_notebooks() if name not in ran]


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
