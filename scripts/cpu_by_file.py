"""A pytest plugin for ``make bench BENCH_ARGS=--cpu-by-file``: the machine's CPU seconds per test file.

Run the suite in one process (``-p no:xdist``) with ``-p cpu_by_file`` and ``scripts/`` on
``PYTHONPATH``. Each test is charged the CPU the whole machine used while it ran (from Linux's
``/proc/stat``), so the notebook kernels and the browser a test drives count too; the machine
should otherwise be idle. The table is written to the file named by ``TIP_CPU_BY_FILE``.
"""

import os
import time
from collections import defaultdict

import pytest

#: /proc/stat's cpu line: user nice system idle iowait irq softirq; idle and iowait are not busy.
NOT_BUSY = (3, 4)


def machine_busy_seconds() -> float:
    """CPU seconds all cores of the machine have been busy since boot."""
    with open("/proc/stat", encoding="ascii") as stat:
        ticks = stat.readline().split()[1:8]
    return sum(int(tick) for column, tick in enumerate(ticks) if column not in NOT_BUSY) / os.sysconf("SC_CLK_TCK")


def table_by_file(tests: dict[str, tuple[float, float]]) -> list[str]:
    """Lines of a table: CPU and wall seconds per file of ``{test id: (cpu, wall)}``, most CPU first, then the total."""
    files = defaultdict(lambda: [0.0, 0.0])
    for test, (cpu, wall) in tests.items():
        file = files[test.split("::")[0]]
        file[0] += cpu
        file[1] += wall
    rows = sorted(files.items(), key=lambda item: (-item[1][0], item[0]))
    rows.append(("total", [sum(cpu for cpu, _ in files.values()), sum(wall for _, wall in files.values())]))
    return [f"{cpu:7.1f} {wall:7.1f}  {name}" for name, (cpu, wall) in rows]


class CpuByFile:
    def __init__(self) -> None:
        self.tests: dict[str, tuple[float, float]] = {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        busy, start = machine_busy_seconds(), time.perf_counter()
        yield
        self.tests[item.nodeid] = (machine_busy_seconds() - busy, time.perf_counter() - start)

    def pytest_sessionfinish(self, session):
        with open(os.environ["TIP_CPU_BY_FILE"], "w", encoding="utf-8") as out:
            out.write("    cpu    wall  test file (seconds; cpu: the whole machine's, while the file's tests ran)\n")
            out.writelines(line + "\n" for line in table_by_file(self.tests))


def pytest_configure(config):
    config.pluginmanager.register(CpuByFile(), "cpu-by-file-table")
