"""Writing a set of files together (build-data's tables): every file new, or every file as it was."""

import os
import signal

import pytest

from tipreport import fileops
from tipreport.fileops import Interrupted, signals_raise_interrupted, write_texts_together


def test_all_files_are_written_with_the_modes_a_normal_write_gives(tmp_path):
    kept = tmp_path / "kept.csv"
    kept.write_text("old\n", encoding="utf-8")
    kept.chmod(0o640)
    new = tmp_path / "new.csv"
    write_texts_together({kept: "a\r\nb\n", new: "é\n"})
    assert kept.read_bytes() == b"a\r\nb\n", "the text is written as given, no newline translation"
    assert new.read_text(encoding="utf-8") == "é\n"
    assert kept.stat().st_mode & 0o777 == 0o640, "an existing file keeps its mode"
    assert new.stat().st_mode & 0o777 == 0o666 & ~fileops.umask(), "a new file gets 0666 minus the umask"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.csv", "new.csv"]


def test_a_failure_on_one_file_leaves_every_file_as_it_was(tmp_path):
    first = tmp_path / "first.csv"
    first.write_text("old\n", encoding="utf-8")
    unwritable = tmp_path / "missing-folder" / "second.csv"
    with pytest.raises(FileNotFoundError):
        write_texts_together({first: "new\n", unwritable: "new\n"})
    assert first.read_text(encoding="utf-8") == "old\n", "the first file was replaced before the second failed"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first.csv"], "a temporary file was left behind"


def test_a_signal_during_the_renames_is_held_until_all_are_done(tmp_path, monkeypatch):
    paths = [tmp_path / f"{name}.csv" for name in "abc"]
    renamed = []

    def replace_and_signal(source, target):
        if not renamed:
            os.kill(os.getpid(), signal.SIGTERM)
        os.rename(source, target)
        renamed.append(target)

    monkeypatch.setattr(fileops.os, "replace", replace_and_signal)
    with pytest.raises(Interrupted, match="SIGTERM"), signals_raise_interrupted():
        write_texts_together({path: "new\n" for path in paths})
    assert renamed == paths, "the signal cut the renames short"
    assert all(path.read_text(encoding="utf-8") == "new\n" for path in paths)


def test_the_previous_signal_handlers_come_back():
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    with signals_raise_interrupted():
        assert signal.getsignal(signal.SIGTERM) is not before[0]
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before
