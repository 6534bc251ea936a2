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
figures stay exactly as they were, and the message says so only when it is true.

Step 4 of 4, outputs: may import from every step (data_in, analysis, charts) and other tipreport.outputs modules."""

from __future__ import annotations

import atexit
import fcntl
import json
import logging
import os
import shutil
import sys
import tempfile
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
#: The start of the name of every kernel's Unix sockets, in the temporary folder.
KERNEL_SOCKETS_PREFIX = "tip-kernel-"
#: Leftovers of a run killed with SIGKILL; removed by the next run, which holds the lock.
STAGING_GLOBS = (".figures.*", ".notebooks.*")


class ReproduceError(Exception):
    """A run that failed before changing anything; ``str()`` is one line for the user."""


class KernelStartError(ReproduceError):
    """A Jupyter kernel did not start."""


class PartialCommitError(Exception):
    """The commit step failed half-way (figures swapped in, a notebook not renamed)."""


def notebook_paths(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The numbered notebooks, in run order."""
    return sorted(folder.glob(NOTEBOOK_GLOB))


def expected_cost(path: Path) -> int:
    """How long a notebook is expected to take, in figures saved: saving dominates a run."""
    notebook = nbformat.read(path, as_version=4)
    return sum(cell.source.count("save_figure(") for cell in notebook.cells if cell.cell_type == "code")


def kernel_connection() -> Config:
    """How a kernel and its client talk: over Unix sockets of their own where zmq has them (not Windows).

    Over TCP, jupyter_client picks free ports, closes them, and the kernel binds them a moment later;
    a kernel started meanwhile by another process can take the same port ("Address already in use").
    The sockets sit in the temporary folder beside the kernel's connection file, under a name no other kernel
    has (``tip-kernel-<random>-1`` to ``-5``); jupyter_client removes both when the kernel is shut down."""
    config = Config()
    if zmq.has("ipc"):
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = str(Path(tempfile.gettempdir()) / f"{KERNEL_SOCKETS_PREFIX}{uuid.uuid4().hex[:16]}")
    return config


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
        started = []
        client = NotebookClient(notebook, timeout=self.timeout, startup_timeout=self.startup_timeout,
                                kernel_name=self.kernel, record_timing=False, extra_arguments=["--log-level=ERROR"],
                                resources={"metadata": {"path": str(path.parent)}}, config=kernel_connection(),
                                on_notebook_start=lambda **_: started.append(True), on_cell_start=self._unless_stopping)
        self.clients.append(client)
        self._unless_stopping()
        try:
            client.execute(env={**os.environ, "TIP_FIGURES_DIR": str(self.figures)})
        except Exception as error:
            atexit.unregister(client._cleanup_kernel)  # nbclient leaves it registered when a start fails
            if not started and not self.stopping:
                reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
                raise KernelStartError(f"the Jupyter kernel {self.kernel!r} did not start for {path.name} "
                                       f"({reason}); check that `python -m ipykernel` starts in this environment") from None
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


def main(notebooks: list[Path] | None = None, figures_dir: Path = FIGURES_DIR) -> int:
    """``make reproduce``: a progress line per notebook, then the total; one line on failure."""
    notebooks = notebooks or notebook_paths()
    unchanged = "notebooks and figures/ left unchanged"
    try:
        with signals_raise_interrupted():
            seconds = reproduce(notebooks, figures_dir, progress=lambda line: print(line, flush=True))
    except Interrupted as stop:
        print(f"error: reproduce interrupted ({stop}); {unchanged}", file=sys.stderr)
        return 128 + stop.signum
    except ReproduceError as error:
        print(f"error: {error}; {unchanged}", file=sys.stderr)
        return 1
    except PartialCommitError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # noqa: BLE001 - a notebook's cell failed: show its traceback after the line
        print(f"error: reproduce failed, {unchanged}:\n{error}", file=sys.stderr)
        return 1
    count = len(list(figures_dir.glob("*.json")))
    where = figures_dir.relative_to(REPO_ROOT) if figures_dir.is_relative_to(REPO_ROOT) else figures_dir
    print(f"ran {len(notebooks)} notebooks and rebuilt {count} figures in {where}/ in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main([Path(arg) for arg in sys.argv[2:]] or None, Path(sys.argv[1])) if len(sys.argv) > 1 else main())
