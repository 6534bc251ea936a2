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


def test_a_lookup_prints_the_determination_after_each_tier_3_report(capsys):
    assert cli.main(["country", "Cambodia"]) == 0
    out = capsys.readouterr().out
    part = out[out.index("Determinations (TVPA 110(d))"):]
    lines = [line for line in part.splitlines() if line.startswith("  FY ")]
    assert [line.split()[1] for line in lines] == ["2003", "2006", "2023", "2024", "2025", "2026"]
    fy2024 = next(line for line in lines if line.startswith("  FY 2024"))
    assert fy2024.endswith("complete text read, 2023-14 dated 2023-09-29): fully waived")
    assert "the determination was not read in full" in lines[1] and "not read: the summary found" in lines[-1]
    assert part.count("    source: https://") == 5, "every fiscal year with a document links its source"


def test_a_lookup_of_a_country_never_on_tier_3_says_no_determination_applies(capsys):
    assert cli.main(["country", "FRA"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("Determinations (TVPA 110(d)): no Tier 3 placement found, so none applies.")
