"""Time the analysis against its floor: one kernel per notebook importing pandas and matplotlib.

Usage: ``make bench`` (or ``.venv/bin/python scripts/bench.py``). Prints both timings and
their ratio; the target is a ratio of at most 1.5. Both runs use the same runner and the
same number of parallel workers, so only the notebooks' own work differs.
"""

import statistics
import tempfile
import time
from pathlib import Path

import nbformat

from tipreport.reproduce import WORKERS, notebook_paths, reproduce

ROUNDS = 3
FLOOR_CELL = "import pandas\nimport matplotlib.pyplot"


def timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def floor_run(count: int) -> float:
    """Start ``count`` kernels (same parallelism as the analysis) that only import pandas and matplotlib."""
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        for number in range(1, count + 1):
            book = nbformat.v4.new_notebook()
            book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
            book.cells = [nbformat.v4.new_code_cell(FLOOR_CELL)]
            nbformat.write(book, folder / f"{number:02d}_floor.ipynb")
        (folder / "figures").mkdir()
        return timed(lambda: reproduce(notebook_paths(folder), folder / "figures"))


def main() -> None:
    count = len(notebook_paths())
    floor = statistics.median(floor_run(count) for _ in range(ROUNDS))
    analysis = statistics.median(timed(reproduce) for _ in range(ROUNDS))
    print(f"notebooks: {count}, parallel workers: {WORKERS}, rounds: {ROUNDS} (medians)")
    print(f"floor (one kernel per notebook, import pandas + matplotlib): {floor:6.1f} s")
    print(f"analysis (all notebooks, figures written and swapped in):   {analysis:6.1f} s")
    print(f"ratio: {analysis / floor:.2f} (target: at most 1.5)")


if __name__ == "__main__":
    main()
