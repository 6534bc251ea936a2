"""make reproduce under interruptions: a kernel that cannot start, SIGTERM and Ctrl-C mid-run.

A separate file from test_reproduce.py so that pytest-xdist (--dist loadfile) runs the two in parallel.
"""

import json
import signal
import subprocess
import sys
import time

import pytest
from test_reproduce import assert_unchanged, project, snapshot, write_notebook  # noqa: F401 - project is a fixture

from tipreport.outputs.run_notebooks import KernelStartError, notebook_paths, reproduce
from tipreport.paths import REPO_ROOT


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
        reproduce(notebook_paths(notebooks), figures, workers=2, kernel="mute", startup_timeout=3)
    assert time.perf_counter() - start < 20
    assert "did not start" in str(error.value) and "\n" not in str(error.value)
    assert {k: v for k, v in snapshot(tmp_path).items() if not k.startswith("jupyter")} == before


@pytest.mark.parametrize(("signum", "name"), [(signal.SIGTERM, "SIGTERM"), (signal.SIGINT, "SIGINT")])
def test_a_signal_mid_run_cleans_up_and_says_so_in_one_line(tmp_path, project, signum, name):
    notebooks, figures = project
    write_notebook(notebooks / "03_slow.ipynb", "import time\ntime.sleep(120)")
    before = snapshot(tmp_path)
    run = subprocess.Popen([sys.executable, "-m", "tipreport.outputs.run_notebooks", str(figures),
                            *map(str, notebook_paths(notebooks))], cwd=REPO_ROOT, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".figures.*/*.json")) and time.monotonic() < deadline:
        time.sleep(0.2)  # wait until a notebook has written into the staging folder
    run.send_signal(signum)
    _, stderr = run.communicate(timeout=30)
    assert run.returncode == 128 + signum
    assert stderr.strip().splitlines() == [f"error: reproduce interrupted ({name}); "
                                           "notebooks and figures/ left unchanged"]
    assert_unchanged(tmp_path, before)
