"""The per-file CPU table of ``make bench BENCH_ARGS=--cpu-by-file`` (scripts/cpu_by_file.py)."""

import importlib.util
import os
import time

from tipreport.paths import REPO_ROOT

spec = importlib.util.spec_from_file_location("cpu_by_file", REPO_ROOT / "scripts" / "cpu_by_file.py")
cpu_by_file = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cpu_by_file)


def test_tests_are_summed_per_file_most_cpu_first_with_the_total():
    tests = {"tests/test_a.py::test_one": (1.25, 2.0), "tests/test_b.py::test_one[x]": (3.0, 3.5),
             "tests/test_a.py::test_two": (0.5, 0.5), "notebooks/01.ipynb::Cell 0": (1.5, 1.0),
             "notebooks/01.ipynb::Cell 1": (0.25, 0.5)}
    assert cpu_by_file.table_by_file(tests) == [
        "    3.0     3.5  tests/test_b.py",
        "    1.8     1.5  notebooks/01.ipynb",
        "    1.8     2.5  tests/test_a.py",
        "    6.5     7.5  total",
    ]


def test_busy_seconds_count_this_process_s_work_in_seconds():
    busy, wall, own = cpu_by_file.machine_busy_seconds(), time.perf_counter(), time.process_time()
    while time.process_time() - own < 0.3:
        sum(range(10_000))
    busy, wall = cpu_by_file.machine_busy_seconds() - busy, time.perf_counter() - wall
    assert 0.2 <= busy <= wall * os.cpu_count() + 0.05
