"""Time the three targets of the build in one run, on a fresh clone of this repository.

Usage: ``make bench`` (or ``.venv/bin/python scripts/bench.py [--rounds N]``). Clones the
committed HEAD into a temporary folder (with ``../shared`` linked beside it, as in CI), then:

1. fresh clone → ``bash .ci/run`` (environment, make test, make test-lab, make test-cpus), as CI runs it:
   target at most 3 minutes;
2. warm ``make test`` (browser tests included) against warm ``make reproduce``: target ratio at most 2.5;
3. warm ``make reproduce`` against the floor (one kernel per notebook that only imports pandas
   and matplotlib, run by the same runner with the same parallelism): target at most 1.8.

Warm timings are medians of ``--rounds`` runs. The machine may be shared: read the numbers as
noisy and compare ratios from one run rather than seconds from different runs. To measure a change,
``make bench BENCH_ARGS="--against COMMIT"`` times COMMIT's warm runs interleaved with HEAD's.
``--cpu-by-file`` then runs the suite once in one process and prints the machine's CPU seconds per
test file (``scripts/cpu_by_file.py``), beside what the 2.5 target leaves for all of them.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from tipreport.paths import REPO_ROOT, SHARED_DIR

#: The targets (issue 21, re-based): a fresh clone's CI run, and the two warm ratios.
FRESH_CI_SECONDS = 180
TEST_PER_REPRODUCE = 2.5
REPRODUCE_PER_FLOOR = 1.8
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
    warn_if_failed(command, result)
    return seconds


def warn_if_failed(command: list[str], result: subprocess.CompletedProcess) -> None:
    """Say that ``command`` failed, naming its failed tests (or its last line)."""
    if result.returncode:
        lines = (result.stdout + result.stderr).strip().splitlines()
        failed = [line for line in lines if line.startswith(("FAILED ", "ERROR "))]
        print(f"warning: {' '.join(command)} failed (exit {result.returncode}):", *(failed or lines[-1:]), sep="\n  ", flush=True)


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


def cpu_by_file(clone: Path) -> list[str]:
    """The suite run once in one process (``-p no:xdist``): the table of CPU seconds per test file."""
    with tempfile.TemporaryDirectory() as scratch:
        table = Path(scratch) / "cpu-by-file.txt"
        env = {**os.environ, "PYTHONPATH": str(clone / "scripts"), "TIP_CPU_BY_FILE": str(table),
               "TIP_FIGURES_UNDER_TEST": str(Path(scratch) / "figures")}
        (Path(scratch) / "figures").mkdir()
        command = [str(clone / ".venv" / "bin" / "python"), "-m", "pytest", "-p", "no:xdist", "-p", "cpu_by_file", "-q"]
        warn_if_failed(command, subprocess.run(command, cwd=clone, env=env, capture_output=True, text=True))
        return table.read_text(encoding="utf-8").splitlines()


def clone_at(commit: str, folder: Path) -> Path:
    """A clone of this repository at ``commit`` in ``folder``."""
    subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(folder)], check=True)
    subprocess.run(["git", "-C", str(folder), "checkout", "--quiet", commit], check=True)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="warm runs of each kind (medians reported)")
    parser.add_argument("--against", metavar="COMMIT",
                        help="also time COMMIT's warm make reproduce and make test, interleaved with HEAD's, "
                             "and print the change (the machine's speed drifts: only a comparison in one run is fair)")
    parser.add_argument("--cpu-by-file", action="store_true",
                        help="then run the suite once in one process and print the CPU seconds of each test file")
    options = parser.parse_args()
    rounds = options.rounds
    with tempfile.TemporaryDirectory(prefix="tip-bench-") as scratch:
        scratch = Path(scratch)
        (scratch / "shared").symlink_to(SHARED_DIR)
        clone = clone_at("HEAD", scratch / "repo")
        count = len(list((clone / "notebooks").glob("[0-9][0-9]_*.ipynb")))
        fresh = timed(["bash", ".ci/run"], clone)
        print(f"fresh clone -> bash .ci/run: {fresh:6.1f} s   (target: at most {FRESH_CI_SECONDS} s)", flush=True)
        repos = {"HEAD": clone}
        if options.against:
            repos[options.against] = clone_at(options.against, scratch / "base")
            timed(["make", "venv"], repos[options.against])
        floor, reproduce, test = [], {name: [] for name in repos}, {name: [] for name in repos}
        for _ in range(rounds):  # interleaved, so that a burst of load hits all of them alike
            floor.append(floor_run(clone, count))
            for name, repo in repos.items():
                reproduce[name].append(timed(["make", "reproduce"], repo))
                test[name].append(timed(["make", "test"], repo))
        floor = statistics.median(floor)
        reproduce, test = ({name: statistics.median(runs[name]) for name in repos} for runs in (reproduce, test))
        by_file = cpu_by_file(clone) if options.cpu_by_file else []
    print(f"notebooks: {count}, rounds: {rounds} (medians)")
    print(f"floor (one bare kernel per notebook, same runner):  {floor:6.1f} s")
    print(f"warm make reproduce:                                {reproduce['HEAD']:6.1f} s")
    print(f"warm make test:                                     {test['HEAD']:6.1f} s")
    print(f"ratios: fresh .ci/run / {FRESH_CI_SECONDS} s = {fresh / FRESH_CI_SECONDS:.2f} (target <= 1); "
          f"test / reproduce = {test['HEAD'] / reproduce['HEAD']:.2f} (target <= {TEST_PER_REPRODUCE}); "
          f"reproduce / floor = {reproduce['HEAD'] / floor:.2f} (target <= {REPRODUCE_PER_FLOOR})")
    if options.against:
        base = options.against
        for label, runs in (("make reproduce", reproduce), ("make test", test)):
            print(f"{label}: {base} {runs[base]:.1f} s -> HEAD {runs['HEAD']:.1f} s "
                  f"({100 * (runs['HEAD'] / runs[base] - 1):+.0f} %)")
        print(f"test / reproduce: {base} {test[base] / reproduce[base]:.2f} -> HEAD {test['HEAD'] / reproduce['HEAD']:.2f}")
    if by_file:
        cores = os.cpu_count()
        print("\n".join(by_file))
        print(f"the {TEST_PER_REPRODUCE} target leaves make test {TEST_PER_REPRODUCE * reproduce['HEAD']:.1f} s on {cores} cores: "
              f"at most {TEST_PER_REPRODUCE * reproduce['HEAD'] * cores:.0f} CPU seconds for everything above")


if __name__ == "__main__":
    sys.exit(main())
