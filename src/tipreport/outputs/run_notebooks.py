"""Run every notebook and rebuild ``figures/`` all-or-nothing, whatever goes wrong.

A run, step by step:

1. Take a lock on the project folder (``flock``): a second run in the same clone is
   refused with a clear message instead of tripping over the first one's files.
2. Refuse, before anything runs, a ``figures/`` folder or a notebook without write
   permission (checked on the mode bits, so it holds for root too).
3. Execute the notebooks in parallel, longest first, with figures redirected to a
   staging folder ``.figures.XXXXXXXX`` beside ``figures/``. The first failure (a cell
   error, a kernel that cannot start) stops the others at once.
4. Write every executed notebook to ``.notebooks.XXXXXXXX/`` beside ``notebooks/``.
5. Commit, with SIGINT/SIGTERM held back: swap the staging folder in for ``figures/``
   (atomically, see :mod:`tipreport.fileops`), then rename each notebook into place.

Any failure, Ctrl-C or SIGTERM before step 5 removes the staging folders: notebooks and
figures stay exactly as they were, and the message says so only when it is true. A cell that
fails is reported in one line (notebook, cell number, error); its full traceback goes to
``build/reproduce-failure.log``, which a successful run removes.

Kernels do not depend on the machine: they talk over Unix sockets in a short private folder
(:func:`sockets_folder`), whatever ``TMPDIR`` is, and run in an environment without the user's
matplotlib, IPython and Jupyter configuration, locale, time zone or terminal size
(:func:`kernel_environment`).

Step 4 of 4, outputs: may import from every step (data_in, analysis, charts) and other tipreport.outputs modules."""

from __future__ import annotations

import atexit
import fcntl
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path

import nbformat
import zmq
from nbclient import NotebookClient
from traitlets.config import Config

from tipreport.fileops import Interrupted, normal_mode, replace_folder, signals_held, signals_raise_interrupted, staging_folder
from tipreport.paths import FIGURES_DIR, NOTEBOOK_GLOB, NOTEBOOKS_DIR, REPO_ROOT

INDEX_NAME = "README.md"
WORKERS = min(2, os.cpu_count() or 1)
KERNEL = "python3"
#: Seconds a kernel may take to start; a normal start takes about one.
STARTUP_TIMEOUT = 30
#: The start of the name of every kernel's Unix sockets and connection file, in :func:`sockets_folder`.
KERNEL_SOCKETS_PREFIX = "tip-kernel-"
#: The start of the name of a process's private folder for its kernels' sockets.
SOCKETS_FOLDER_PREFIX = "tip-kernels-"
#: The longest path a Unix socket can have: 107 bytes on Linux, 103 on macOS (``sun_path`` with its final NUL).
SOCKET_PATH_LIMIT = 103
#: Short folders for the sockets when the temporary folder's path is too long (as pytest's or macOS's are).
SHORT_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm")
#: The kernels' home: matplotlib's and IPython's folders (and a font cache made once), none of the user's.
KERNEL_HOME = REPO_ROOT / "build" / "kernel-home"
#: What a user's shell may set that would change what a kernel prints or draws; not passed to kernels.
USER_SETTINGS = ("MPLBACKEND", "MATPLOTLIBRC", "MPLCONFIGDIR", "IPYTHONDIR", "PYTHONSTARTUP", "PYTHONWARNINGS",
                 "COLUMNS", "LINES", "LANGUAGE", "TZ", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME",
                 "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_PLATFORM_DIRS")
#: Where the full traceback of a failed cell goes, relative to the project folder.
FAILURE_LOG = Path("build") / "reproduce-failure.log"
#: Leftovers of a run killed with SIGKILL; removed by the next run, which holds the lock.
STAGING_GLOBS = (".figures.*", ".notebooks.*")


class ReproduceError(Exception):
    """A run that failed before changing anything; ``str()`` is one line for the user."""


class KernelStartError(ReproduceError):
    """A Jupyter kernel did not start."""


class NotebookFailed(ReproduceError):
    """A cell failed (an error, a timeout, a kernel that died); ``str()`` names the notebook, the cell and the error."""

    def __init__(self, path: Path, cell_index: int, cell: nbformat.NotebookNode, error: Exception):
        self.path, self.cell_number, self.source = path, cell_index + 1, cell.get("source", "")
        count = cell.get("execution_count")
        where = f"cell {self.cell_number}" + (f" (In [{count}])" if count else "")
        super().__init__(f"{display_path(path)}: {where} failed: {error_summary(error)}")
        self.details = ANSI_CODES.sub("", str(error)).strip()


#: Terminal colour codes, as IPython puts them in tracebacks.
ANSI_CODES = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def error_summary(error: Exception) -> str:
    """One line for a cell's failure: ``ZeroDivisionError: division by zero``, or what happened to the kernel."""
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    if isinstance(error, CellExecutionError):
        first = (error.evalue or "").strip().splitlines()
        return f"{error.ename}: {first[0]}" if first else error.ename
    if isinstance(error, DeadKernelError):
        return "the kernel died while running it"
    if isinstance(error, CellTimeoutError):
        return "it did not finish in time"
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


def display_path(path: Path) -> Path:
    """``path`` relative to the project folder when it lies inside it (as messages show it), else as given."""
    return path.relative_to(REPO_ROOT) if path.is_absolute() and path.is_relative_to(REPO_ROOT) else path


class PartialCommitError(Exception):
    """The commit step failed half-way (figures swapped in, a notebook not renamed)."""


def notebook_paths(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The numbered notebooks, in run order."""
    return sorted(folder.glob(NOTEBOOK_GLOB))


def expected_cost(path: Path) -> int:
    """How long a notebook is expected to take, in figures saved: saving dominates a run."""
    notebook = nbformat.read(path, as_version=4)
    return sum(cell.source.count("save_figure(") for cell in notebook.cells if cell.cell_type == "code")


_sockets_folder: Path | None = None
#: Kernels start in several threads at once: one of them makes the folder, the others wait and use it.
_sockets_folder_lock = threading.Lock()


def sockets_folder() -> Path:
    """This process's private folder for its kernels' sockets and connection files, removed when it exits.

    In the temporary folder when a socket path there fits in :data:`SOCKET_PATH_LIMIT`, else in the first
    short folder that can be written: a deep ``TMPDIR`` made kernels fail with "File name too long". Made
    with ``mkdtemp`` (private, a new name), so that no two runs share a socket."""
    with _sockets_folder_lock:
        return _make_sockets_folder()


def _make_sockets_folder() -> Path:
    global _sockets_folder
    if _sockets_folder is not None and _sockets_folder.is_dir():
        return _sockets_folder
    longest = f"{SOCKETS_FOLDER_PREFIX}{os.getpid()}-xxxxxxxx/{KERNEL_SOCKETS_PREFIX}{'x' * 16}-99"
    for parent in dict.fromkeys([tempfile.gettempdir(), *SHORT_FOLDERS]):
        if len(os.fsencode(os.path.join(parent, longest))) <= SOCKET_PATH_LIMIT:
            try:
                _sockets_folder = Path(tempfile.mkdtemp(prefix=f"{SOCKETS_FOLDER_PREFIX}{os.getpid()}-", dir=parent))
            except OSError:
                continue
            atexit.register(remove_sockets_folder)
            return _sockets_folder
    raise KernelStartError(f"no folder for the kernels' Unix sockets: a socket path in the temporary folder "
                           f"{tempfile.gettempdir()} would be longer than {SOCKET_PATH_LIMIT} bytes, and none of "
                           f"{', '.join(SHORT_FOLDERS)} can be written; set TMPDIR to a shorter folder")


def remove_sockets_folder() -> None:
    """Remove this process's sockets folder, if it made one (kernels remove their own files when shut down)."""
    global _sockets_folder
    if _sockets_folder is not None:
        shutil.rmtree(_sockets_folder, ignore_errors=True)
        _sockets_folder = None


def kernel_connection() -> Config:
    """How a kernel and its client talk: over Unix sockets of their own where zmq has them (not Windows).

    Over TCP, jupyter_client picks free ports, closes them, and the kernel binds them a moment later;
    a kernel started meanwhile by another process can take the same port ("Address already in use").
    The sockets and the connection file sit in :func:`sockets_folder`, under a name no other kernel has
    (``tip-kernel-<random>-1`` to ``-5``, ``tip-kernel-<random>.json``); jupyter_client removes them when the
    kernel is shut down."""
    config = Config()
    if zmq.has("ipc"):
        name = sockets_folder() / f"{KERNEL_SOCKETS_PREFIX}{uuid.uuid4().hex[:16]}"
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = str(name)
        config.KernelManager.connection_file = f"{name}.json"
    return config


def kernel_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a kernel runs in: ``environ`` (default: this process's) without the user's settings.

    A user's matplotlibrc, IPython startup files or kernel configuration, ``MPLBACKEND``, warnings filter,
    locale, time zone or terminal size would reach the notebooks' outputs; so would a warning from
    matplotlib when ``HOME`` cannot be written. Kernels get :data:`KERNEL_HOME` as their home, a UTF-8 C
    locale and UTC. Its matplotlib font cache is made here, once, so that no kernel prints that it builds one."""
    environ = dict(os.environ if environ is None else environ)
    env = {key: value for key, value in environ.items() if key not in USER_SETTINGS and not key.startswith("LC_")}
    env.update(HOME=str(KERNEL_HOME), MPLCONFIGDIR=str(KERNEL_HOME / "matplotlib"), IPYTHONDIR=str(KERNEL_HOME / "ipython"),
               LANG="C.UTF-8", LC_ALL="C.UTF-8", TZ="UTC")
    if not any((KERNEL_HOME / "matplotlib").glob("fontlist-*.json")):
        (KERNEL_HOME / "matplotlib").mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env, capture_output=True, check=False)
    return env


class Runner:
    """Executes notebooks with figures redirected; can stop every running kernel at once."""

    def __init__(self, figures: Path, kernel: str = KERNEL, startup_timeout: int = STARTUP_TIMEOUT,
                 timeout: int = 600, progress=None):
        self.figures, self.kernel, self.startup_timeout, self.timeout = figures, kernel, startup_timeout, timeout
        self.progress = progress
        self.clients: list[NotebookClient] = []
        self.stopping = False

    def execute(self, path: Path) -> nbformat.NotebookNode:
        """Execute one notebook (reporting it to ``progress``, if given); raises on any cell error."""
        start = time.perf_counter()
        notebook = nbformat.read(path, as_version=4)
        started, running = [], []

        def cell_start(cell, cell_index, **_):
            self._unless_stopping()
            running[:] = [(cell_index, cell)]

        client = NotebookClient(notebook, timeout=self.timeout, startup_timeout=self.startup_timeout,
                                kernel_name=self.kernel, record_timing=False, extra_arguments=["--log-level=ERROR"],
                                resources={"metadata": {"path": str(path.parent)}}, config=kernel_connection(),
                                on_notebook_start=lambda **_: started.append(True), on_cell_start=cell_start)
        self.clients.append(client)
        self._unless_stopping()
        try:
            client.execute(env={**kernel_environment(), "TIP_FIGURES_DIR": str(self.figures)})
        except Exception as error:
            atexit.unregister(client._cleanup_kernel)  # nbclient leaves it registered when a start fails
            if not started and not self.stopping:
                reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
                raise KernelStartError(f"the Jupyter kernel {self.kernel!r} did not start for {path.name} "
                                       f"({reason}); check that `python -m ipykernel` starts in this environment") from None
            if running and not self.stopping and not isinstance(error, ReproduceError):
                raise NotebookFailed(path, *running[0], error) from error
            raise
        if self.progress:
            written = len(list(self.figures.glob(f"{path.name[:2]}_*.json")))
            self.progress(f"  {path.name:<40} {time.perf_counter() - start:5.1f} s  "
                          f"{written:2d} figure{'' if written == 1 else 's'}")
        return notebook

    def _unless_stopping(self, **_) -> None:
        """Raise once ``stop`` has run: before a kernel starts, and before each cell (a kernel that was still
        starting when ``stop`` ran had nothing to kill yet, so its notebook must run no cell)."""
        if self.stopping:
            raise ReproduceError("stopped")

    def stop(self) -> None:
        """Kill every kernel still running, so that their notebooks end at once (one still starting runs no cell).

        The clients of killed kernels may still be reading from them: tornado and asyncio would
        log those broken reads as tracebacks, which say nothing the one-line message does not."""
        self.stopping = True
        for name in ("tornado", "asyncio", "traitlets"):
            logging.getLogger(name).setLevel(logging.CRITICAL + 1)
        for client in self.clients:
            process = getattr(getattr(client.km, "provisioner", None), "process", None)
            if process is not None and process.poll() is None:
                process.kill()

    def run_all(self, notebooks: list[Path], workers: int) -> dict[Path, nbformat.NotebookNode]:
        """Execute ``notebooks`` in parallel, longest first; the first failure stops the rest."""
        order = sorted(notebooks, key=lambda path: -expected_cost(path))
        pool = ThreadPoolExecutor(max_workers=workers)
        futures = {pool.submit(self.execute, path): path for path in order}
        try:
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            for future in done:
                future.result()  # raises the first failure before waiting on anything else
            return {path: future.result() for future, path in futures.items()}
        except BaseException:
            for future in futures:
                future.cancel()
            self.stop()
            raise
        finally:
            pool.shutdown(wait=True)


def figure_index(folder: Path) -> str:
    """Markdown index of every figure in ``folder``, generated from the JSON sidecars."""
    lines = ["# Figures", "",
             "Generated by `make reproduce` from each figure's JSON sidecar; do not edit by hand.",
             "Every figure comes as SVG, PDF and 300-dpi PNG, with the data behind it as CSV.", ""]
    for sidecar in sorted(folder.glob("*.json")):
        record = json.loads(sidecar.read_text(encoding="utf-8"))
        name = record["name"]
        lines += [f"## {record['title']}", "",
                  f"![{record['alt_text']}]({name}.png)", "",
                  f"*{record['subtitle']}.* {record['source']}.", "",
                  f"- Alt text: {record['alt_text']}",
                  f"- Made by: [`notebooks/{record['notebook']}`](../notebooks/{record['notebook']})",
                  "- Files: " + " · ".join(f"[{file.rsplit('.', 1)[1].upper()}]({file})" for file in record["files"]), ""]
    return "\n".join(lines)


@contextmanager
def project_lock(folder: Path):
    """Hold an exclusive lock on ``folder`` for the run; refuse at once if another run holds it."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ReproduceError(f"another reproduce run holds the lock on {folder}: wait for it to finish, "
                                 "then run make reproduce again") from None
        yield
    finally:
        os.close(handle)


def refuse_read_only(paths: list[Path]) -> None:
    """Raise for the first existing path without its owner's write bit (root would write it anyway)."""
    for path in paths:
        if path.exists() and not path.stat().st_mode & 0o200:
            raise ReproduceError(f"{path} is read-only (mode {oct(path.stat().st_mode & 0o777)}): refusing to "
                                 f"replace it; make it writable (chmod u+w) to rebuild it")


def remove_leftovers(parents: set[Path]) -> None:
    """Remove staging folders a killed run left behind (only called while holding the lock)."""
    for parent in parents:
        for pattern in STAGING_GLOBS:
            for leftover in parent.glob(pattern):
                if leftover.is_dir():
                    shutil.rmtree(leftover, ignore_errors=True)


def reproduce(notebooks: list[Path] | None = None, figures_dir: Path = FIGURES_DIR, workers: int = WORKERS,
              progress=None, kernel: str = KERNEL, startup_timeout: int = STARTUP_TIMEOUT) -> float:
    """Execute the notebooks, then write them and swap in the new figures; returns seconds taken."""
    start = time.perf_counter()
    notebooks = notebooks or notebook_paths()
    notebooks_dir = notebooks[0].parent
    with project_lock(figures_dir.parent):
        remove_leftovers({figures_dir.parent, notebooks_dir.parent})
        refuse_read_only([figures_dir, notebooks_dir, *notebooks])
        staging = written = None
        try:
            staging = staging_folder(figures_dir)
            written = staging_folder(notebooks_dir)
            runner = Runner(staging, kernel=kernel, startup_timeout=startup_timeout, progress=progress)
            executed = runner.run_all(notebooks, workers)
            (staging / INDEX_NAME).write_text(figure_index(staging), encoding="utf-8")
            for path in notebooks:
                nbformat.write(executed[path], written / path.name)
                os.chmod(written / path.name, normal_mode(path))
            with signals_held():
                replace_folder(staging, figures_dir)
                try:
                    for path in notebooks:
                        os.replace(written / path.name, path)
                except OSError as error:
                    raise PartialCommitError(f"figures/ was rebuilt but writing {path} failed ({error}); "
                                             "run make reproduce again") from error
        finally:
            for folder in (staging, written):
                if folder is not None:
                    shutil.rmtree(folder, ignore_errors=True)
    return time.perf_counter() - start


def build_figures(figures_dir: Path, notebooks: list[Path] | None = None, workers: int = WORKERS) -> None:
    """Execute the notebooks with their figures written to ``figures_dir``; the notebooks are not rewritten."""
    figures_dir.mkdir(parents=True, exist_ok=True)
    Runner(figures_dir).run_all(notebooks or notebook_paths(), workers)
    (figures_dir / INDEX_NAME).write_text(figure_index(figures_dir), encoding="utf-8")


def write_failure_log(failure: NotebookFailed, log: Path, line: str) -> Path:
    """Write the failed cell's source and full traceback to ``log`` (replacing an older one); returns ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(f"{line}\n\nCell {failure.cell_number} of {failure.path}:\n{failure.source}\n\n{failure.details}\n",
                   encoding="utf-8")
    return log


def main(notebooks: list[Path] | None = None, figures_dir: Path = FIGURES_DIR) -> int:
    """``make reproduce``: a progress line per notebook, then the total; one line on failure.

    A failed cell's full traceback goes to :data:`FAILURE_LOG` in the project folder (``figures_dir``'s parent),
    named at the end of the line; a successful run removes that log."""
    notebooks = notebooks or notebook_paths()
    unchanged = "notebooks and figures/ left unchanged"
    log = figures_dir.parent / FAILURE_LOG
    try:
        with signals_raise_interrupted():
            seconds = reproduce(notebooks, figures_dir, progress=lambda line: print(line, flush=True))
    except Interrupted as stop:
        print(f"error: reproduce interrupted ({stop}); {unchanged}", file=sys.stderr)
        return 128 + stop.signum
    except NotebookFailed as failure:
        line = f"error: {failure}; {unchanged}"
        write_failure_log(failure, log, line)
        print(f"{line}; full traceback in {display_path(log)}", file=sys.stderr)
        return 1
    except ReproduceError as error:
        print(f"error: {error}; {unchanged}", file=sys.stderr)
        return 1
    except PartialCommitError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # noqa: BLE001 - anything else (a disk error): its message after the line
        print(f"error: reproduce failed, {unchanged}:\n{error}", file=sys.stderr)
        return 1
    log.unlink(missing_ok=True)
    count = len(list(figures_dir.glob("*.json")))
    where = display_path(figures_dir)
    print(f"ran {len(notebooks)} notebooks and rebuilt {count} figures in {where}/ in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main([Path(arg) for arg in sys.argv[2:]] or None, Path(sys.argv[1])) if len(sys.argv) > 1 else main())
