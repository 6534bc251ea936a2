"""Time the three targets of the build in one run, on a fresh clone of this repository.

Usage: ``make bench`` (or ``.venv/bin/python scripts/bench.py [--rounds N]``). Clones the
committed HEAD into a temporary folder (with ``../shared`` linked beside it, as in CI), then:

1. fresh clone → ``make venv`` then ``make test``: seconds of both, target at most 45 s;
2. warm ``make test`` against warm ``make reproduce``: target ratio at most 1.3;
3. warm ``make reproduce`` against the floor (one kernel per notebook that only imports pandas
   and matplotlib, run by the same runner with the same parallelism): target at most 1.8.

Warm timings are medians of ``--rounds`` runs. The machine may be shared: read the numbers as
noisy and compare ratios from one run rather than seconds from different runs.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from tipreport.paths import REPO_ROOT, SHARED_DIR

FLOOR_CELL = "import pandas\nimport matplotlib.pyplot"
FLOOR = """
import sys, time
from pathlib import Path
from tipreport.outputs.run_notebooks import notebook_paths, reproduce
folder = Path(sys.argv[1])
print(reproduce(notebook_paths(folder), folder / "figures"))
"""


def timed(command: list[str], cwd: Path) -> float:
    """Seconds ``command`` takes; a failure is reported (its timing still counts: failing tests run too)."""
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode:
        tail = (result.stdout + result.stderr).strip().splitlines()[-1:]
        print(f"warning: {' '.join(command)} failed (exit {result.returncode}): {' '.join(tail)}", flush=True)
    return seconds


def floor_run(clone: Path, count: int) -> float:
    """Run ``count`` notebooks that only import pandas and matplotlib, as reproduce runs the real ones."""
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        for number in range(1, count + 1):
            book = nbformat.v4.new_notebook()
            book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
            book.cells = [nbformat.v4.new_code_cell(FLOOR_CELL)]
            nbformat.write(book, folder / f"{number:02d}_floor.ipynb")
        (folder / "figures").mkdir()
        return timed([str(clone / ".venv" / "bin" / "python"), "-c", FLOOR, str(folder)], clone)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="warm runs of each kind (medians reported)")
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory(prefix="tip-bench-") as scratch:
        scratch = Path(scratch)
        (scratch / "shared").symlink_to(SHARED_DIR)
        clone = scratch / "repo"
        subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(clone)], check=True)
        count = len(list((clone / "notebooks").glob("[0-9][0-9]_*.ipynb")))
        venv = timed(["make", "venv"], clone)
        first_test = timed(["make", "test"], clone)
        fresh = venv + first_test
        print(f"fresh clone -> make test (venv included): {fresh:6.1f} s = venv {venv:.1f} s + first make test "
              f"{first_test:.1f} s   (target: at most 45 s)", flush=True)
        floor, reproduce, test = [], [], []
        for _ in range(rounds):  # interleaved, so that a burst of load hits all three alike
            floor.append(floor_run(clone, count))
            reproduce.append(timed(["make", "reproduce"], clone))
            test.append(timed(["make", "test"], clone))
        floor, reproduce, test = (statistics.median(values) for values in (floor, reproduce, test))
    print(f"notebooks: {count}, rounds: {rounds} (medians)")
    print(f"floor (one bare kernel per notebook, same runner):  {floor:6.1f} s")
    print(f"warm make reproduce:                                {reproduce:6.1f} s")
    print(f"warm make test:                                     {test:6.1f} s")
    print(f"ratios: fresh make test / 45 s = {fresh / 45:.2f} (target <= 1); "
          f"test / reproduce = {test / reproduce:.2f} (target <= 1.3); "
          f"reproduce / floor = {reproduce / floor:.2f} (target <= 1.8, next 1.5)")


if __name__ == "__main__":
    sys.exit(main())
