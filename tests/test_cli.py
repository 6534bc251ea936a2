"""``python -m tipreport``: one line for Ctrl-C or SIGTERM at any moment, and quiet when its reader stops early."""

import os
import signal
import subprocess
import sys
import time

import pytest

from tipreport.outputs import cli, run_notebooks
from tipreport.paths import REPO_ROOT


def signalled_during_load(signum):
    """A stand-in for load_all that receives ``signum`` while it works, as a Ctrl-C during validation would."""
    def load_all(*args, **kwargs):
        os.kill(os.getpid(), signum)
        time.sleep(5)
        raise AssertionError("the signal did not interrupt the validation")
    return load_all


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_reproduce_s_validation_stops_it_with_one_line(signum, monkeypatch, capsys):
    monkeypatch.setattr(cli, "load_all", signalled_during_load(signum))
    monkeypatch.setattr(run_notebooks, "main", lambda *args: pytest.fail("the notebooks ran after the interrupt"))
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    assert cli.main(["reproduce"]) == 128 + signum
    name = signal.Signals(signum).name
    assert capsys.readouterr().err == f"error: reproduce interrupted ({name}); notebooks and figures/ left unchanged\n"
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers


def test_ctrl_c_during_a_lookup_says_nothing_was_written(monkeypatch, capsys):
    monkeypatch.setattr(cli, "load_all", signalled_during_load(signal.SIGINT))
    assert cli.main(["country", "KHM"]) == 130
    assert capsys.readouterr().err == "error: country interrupted (SIGINT); nothing was written\n"


def test_every_command_says_what_an_interrupt_leaves():
    parser_commands = {"check", "build-data", "reproduce", "site", "country"}
    assert set(cli.UNCHANGED) == parser_commands


def test_a_reader_that_stops_early_gets_no_traceback():
    """``python -m tipreport country KHM | head -1``: the pipe closes before the record is written."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run([sys.executable, "-m", "tipreport", "country", "KHM"], cwd=REPO_ROOT,
                                stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (0, "")
