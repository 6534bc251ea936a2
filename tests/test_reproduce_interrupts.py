"""make reproduce under interruptions: a kernel that cannot start, SIGTERM and Ctrl-C mid-run.

A separate file from test_reproduce.py so that pytest-xdist (--dist loadfile) runs the two in parallel.
"""

import json
import signal
import subprocess
import sys
import time

import pytest
from nbclient import NotebookClient
from test_reproduce import WRITE, assert_unchanged, make_project, project, snapshot, write_notebook  # noqa: F401 - project is a fixture

from tipreport.outputs.run_notebooks import KernelStartError, ReproduceError, Runner, notebook_paths, reproduce
from tipreport.paths import REPO_ROOT

SIGNALS = {"SIGTERM": signal.SIGTERM, "SIGINT": signal.SIGINT}


@pytest.fixture(scope="module", autouse=True)
def runs_awaiting_a_signal(tmp_path_factory):
    """A run of the notebook runner (``make reproduce`` without its validation) per signal, all started at once:
    name -> (scratch root, its snapshot, the process).

    In each, 01_a writes its figure and 02_b writes its own, then sleeps in its cell until the signal comes.
    Used by every test here, so that these kernels start while the kernel-start test waits out its timeout."""
    runs = {}
    for name in SIGNALS:
        root = tmp_path_factory.mktemp(name)
        notebooks, figures = make_project(root)
        write_notebook(notebooks / "02_b.ipynb", WRITE.format(name="02_b") + "import time\ntime.sleep(120)")
        runs[name] = root, snapshot(root), subprocess.Popen(
            [sys.executable, "-m", "tipreport.outputs.run_notebooks", str(figures), *map(str, notebook_paths(notebooks))],
            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    yield runs
    for _, _, run in runs.values():
        if run.poll() is None:  # its test was deselected or failed before sending the signal
            run.terminate()  # the runner stops its kernels and removes its staging folders
            try:
                run.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                run.kill()
                run.communicate()


def test_a_kernel_that_cannot_start_fails_fast_with_one_line(tmp_path, project, monkeypatch):
    """A kernel that never answers (as without a loopback interface) stops the run within the start-up timeout."""
    notebooks, figures = project
    spec = tmp_path / "jupyter" / "kernels" / "mute"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({"argv": [sys.executable, "-c", "import time; time.sleep(60)",
                                                           "{connection_file}"], "display_name": "mute",
                                                  "language": "python"}), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    before = {k: v for k, v in snapshot(tmp_path).items() if not k.startswith("jupyter")}
    start = time.perf_counter()
    with pytest.raises(KernelStartError) as error:
        reproduce(notebook_paths(notebooks), figures, workers=2, kernel="mute", startup_timeout=1)
    assert time.perf_counter() - start < 10, "the 1-s start-up timeout was not honoured"
    assert "did not start" in str(error.value) and "\n" not in str(error.value)
    assert {k: v for k, v in snapshot(tmp_path).items() if not k.startswith("jupyter")} == before


@pytest.mark.parametrize("name", SIGNALS)
def test_a_signal_mid_run_cleans_up_and_says_so_in_one_line(runs_awaiting_a_signal, name):
    root, before, run = runs_awaiting_a_signal[name]
    deadline = time.monotonic() + 60
    while len(list(root.glob(".figures.*/*.json"))) < 2 and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.05)  # wait until both notebooks have written into the staging folder
    run.send_signal(SIGNALS[name])
    _, stderr = run.communicate(timeout=30)
    assert run.returncode == 128 + SIGNALS[name], stderr
    assert stderr.strip().splitlines() == [f"error: reproduce interrupted ({name}); "
                                           "notebooks and figures/ left unchanged"]
    assert_unchanged(root, before)


def test_a_kernel_still_starting_when_the_run_stops_runs_no_cell(tmp_path, monkeypatch):
    """stop() finds nothing to kill while a kernel starts; that kernel's notebook must still not run."""
    notebooks, _ = make_project(tmp_path)
    staging = tmp_path / "staging"
    staging.mkdir()
    runner = Runner(staging)
    start_kernel = NotebookClient.async_start_new_kernel

    async def stopped_while_starting(client, **kwargs):
        runner.stop()  # as a failure elsewhere or a signal would, before this kernel has a process
        await start_kernel(client, **kwargs)
        kernels.append(client.km.provisioner.process)

    kernels = []
    monkeypatch.setattr(NotebookClient, "async_start_new_kernel", stopped_while_starting)
    with pytest.raises(ReproduceError, match="stopped"):
        runner.execute(notebook_paths(notebooks)[0])
    assert list(staging.iterdir()) == [], "a cell ran after the stop"
    assert kernels and kernels[0].poll() is not None, "the kernel was left running"
