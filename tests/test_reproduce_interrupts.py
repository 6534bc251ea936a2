"""make reproduce under interruptions: a kernel that cannot start, SIGTERM and Ctrl-C mid-run; kernels that
start at the same time as others.

A separate file from test_reproduce.py so that pytest-xdist (--dist loadfile) runs the two in parallel.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from nbclient import NotebookClient
from test_reproduce import WRITE, assert_unchanged, make_project, project, snapshot, write_notebook  # noqa: F401 - project is a fixture

from tipreport.outputs.run_notebooks import KERNEL_SOCKETS_PREFIX, KernelStartError, ReproduceError, Runner, notebook_paths, reproduce, sockets_folder
from tipreport.paths import REPO_ROOT

SIGNALS = {"SIGTERM": signal.SIGTERM, "SIGINT": signal.SIGINT}


@pytest.fixture(scope="module", autouse=True)
def runs_awaiting_a_signal(tmp_path_factory):
    """A run of the notebook runner (``make reproduce`` without its validation) per signal, all started at once:
    name -> (scratch root, its snapshot, the process, its temporary folder).

    In each, 01_a writes its figure and 02_b writes its own, then sleeps in its cell until the signal comes.
    Used by every test here, so that these kernels start while the kernel-start test waits out its timeout."""
    runs = {}
    for name in SIGNALS:
        root, scratch = tmp_path_factory.mktemp(name), tmp_path_factory.mktemp(f"{name}-tmp")
        notebooks, figures = make_project(root)
        write_notebook(notebooks / "02_b.ipynb", WRITE.format(name="02_b") + "import time\ntime.sleep(120)")
        runs[name] = root, snapshot(root), subprocess.Popen(
            [sys.executable, "-m", "tipreport.outputs.run_notebooks", str(figures), *map(str, notebook_paths(notebooks))],
            cwd=REPO_ROOT, env={**os.environ, "TMPDIR": str(scratch)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True), scratch
    yield runs
    for _, _, run, _ in runs.values():
        if run.poll() is None:  # its test was deselected or failed before sending the signal
            run.terminate()  # the runner stops its kernels and removes its staging folders
            try:
                run.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                run.kill()
                run.communicate()


def test_a_kernel_that_cannot_start_fails_fast_with_one_line(tmp_path, project, monkeypatch):
    """A kernel that never answers stops the run within the start-up timeout, with one line."""
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
    root, before, run, scratch = runs_awaiting_a_signal[name]
    deadline = time.monotonic() + 60
    while len(list(root.glob(".figures.*/*.json"))) < 2 and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.05)  # wait until both notebooks have written into the staging folder
    run.send_signal(SIGNALS[name])
    _, stderr = run.communicate(timeout=30)
    assert run.returncode == 128 + SIGNALS[name], stderr
    assert stderr.strip().splitlines() == [f"error: reproduce interrupted ({name}); "
                                           "notebooks and figures/ left unchanged"]
    assert_unchanged(root, before)
    assert list(scratch.iterdir()) == [], "kernel sockets or connection files left in the temporary folder"


#: A notebook that prints how its kernel talks to the runner: transport, then address.
CONNECTION = "import ipykernel.connect\ninfo = ipykernel.connect.get_connection_info(unpack=True)\nprint(info['transport'], info['ip'])"


def test_kernels_talk_over_unix_sockets_of_their_own_removed_at_the_end(tmp_path):
    """No TCP port to race other processes for: two runs started at once failed with "Address already in use"."""
    notebooks, staging = tmp_path / "notebooks", tmp_path / "staging"
    for folder in (notebooks, staging):
        folder.mkdir()
    for name in ("01_a", "02_b"):
        write_notebook(notebooks / f"{name}.ipynb", CONNECTION)
    ran = Runner(staging).run_all(notebook_paths(notebooks), workers=2)
    seen = [next(out["text"] for out in book.cells[0].outputs if out.get("name") == "stdout").split() for book in ran.values()]
    assert [transport for transport, _ in seen] == ["ipc", "ipc"]
    assert len({address for _, address in seen}) == 2, "two kernels share their sockets"
    assert all(Path(address).parent == sockets_folder() and Path(address).name.startswith(KERNEL_SOCKETS_PREFIX) for _, address in seen)
    names = [Path(address).name for _, address in seen]
    assert [p.name for p in sockets_folder().iterdir() if p.name.startswith(tuple(names))] == [], "sockets or connection files left"


def test_the_sockets_folder_is_private_short_and_removed_at_exit(tmp_path):
    """A process's folder for its kernels' sockets: mode 0700, a socket path in it fits, gone when the process exits.
    In the temporary folder when a socket path there fits; elsewhere when not (pytest's folders are too deep)."""
    deep = tmp_path.joinpath(*["a-rather-long-folder-name"] * 8)
    deep.mkdir(parents=True)
    probe = ("from tipreport.outputs.run_notebooks import KERNEL_SOCKETS_PREFIX, SOCKET_PATH_LIMIT, sockets_folder\n"
             "import os\nfolder = sockets_folder()\nprint(folder, oct(folder.stat().st_mode & 0o777), "
             "len(os.fsencode(folder / (KERNEL_SOCKETS_PREFIX + 'x' * 16 + '-99'))) <= SOCKET_PATH_LIMIT)")
    with tempfile.TemporaryDirectory(dir="/tmp") as shallow:
        for temporary in (Path(shallow), deep):
            result = subprocess.run([sys.executable, "-c", probe], env={**os.environ, "TMPDIR": str(temporary)},
                                    capture_output=True, text=True, check=True)
            folder, mode, fits = result.stdout.split()
            assert (mode, fits) == ("0o700", "True")
            assert not Path(folder).exists(), "left behind after the process exited"
            assert (Path(folder).parent == temporary) == (temporary != deep)


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


def test_nbval_kernels_talk_over_unix_sockets_of_their_own_too():
    """conftest gives nbval's kernels the same connection settings: a new name for each kernel."""
    import nbval.kernel

    managers = [nbval.kernel.KernelManager(kernel_name="python3") for _ in range(2)]
    assert [manager.transport for manager in managers] == ["ipc", "ipc"]
    assert managers[0].ip != managers[1].ip and all(KERNEL_SOCKETS_PREFIX in manager.ip for manager in managers)
