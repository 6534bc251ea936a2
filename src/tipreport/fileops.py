"""File operations that never leave half-written output behind.

Files and folders made here get the modes a plain ``open(..., "w")`` or ``mkdir``
would give them (the umask applies; an existing file keeps its mode), not the
0600/0700 of :mod:`tempfile`.

Folder swap strategy: on Linux, ``renameat2(RENAME_EXCHANGE)`` swaps the new folder
and the old one in one atomic step, so there is no moment without the target. Where
the kernel or file system does not offer it (other systems), the old folder is renamed
aside and the new one renamed in: two renames, a moment of microseconds without it.

Shared by every step: imports no other tipreport module."""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import signal
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def umask() -> int:
    """The process's current umask (read from /proc where possible, so nothing changes it)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def normal_mode(path: Path, directory: bool = False) -> int:
    """The mode a normal write would leave ``path`` with: its current one, else 0666/0777 minus the umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return (0o777 if directory else 0o666) & ~umask()


def _write_beside(path: Path, write) -> Path:
    """Call ``write(temp)`` on a new temporary file beside ``path`` and give it the mode a normal write
    would; returns the temporary file (removed on failure)."""
    mode = normal_mode(path)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    temp = Path(temp)
    try:
        write(temp)
        os.chmod(temp, mode)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def write_atomically(path: Path, write) -> None:
    """Call ``write(temp_path)`` and rename the result onto ``path``; remove it on failure."""
    temp = _write_beside(path, write)
    try:
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


class Interrupted(BaseException):
    """SIGTERM or SIGINT arrived; raised in the main thread by the handlers ``signals_raise_interrupted`` installs."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_interrupted(signum, frame):
    raise Interrupted(signum)


@contextmanager
def signals_raise_interrupted():
    """While inside, SIGINT and SIGTERM raise ``Interrupted`` (so clean-up runs for both); then the old handlers."""
    previous = {signum: signal.signal(signum, _raise_interrupted) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def signals_held():
    """Hold SIGINT and SIGTERM back until the block ends (then raise the first), so a commit is never cut in half.

    The Python handlers are swapped rather than the thread's signal mask: a process-directed signal may be
    delivered to any thread, but Python runs its handlers in the main thread, where this must be used.
    """
    received: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    previous = {signum: signal.signal(signum, lambda number, frame: received.append(number)) for signum in held}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if received:
            signal.raise_signal(received[0])


def write_texts_together(texts: dict[Path, str]) -> None:
    """Write every text to a temporary file beside its path, then rename them all with signals held.

    A failure or interrupt while writing leaves every path as it was; the renames, which do not
    fail on one file system short of a vanished folder, are not cut in half by Ctrl-C or SIGTERM.
    """
    temps: dict[Path, Path] = {}
    try:
        for path, text in texts.items():
            temps[path] = _write_beside(path, lambda temp, text=text: temp.write_text(text, encoding="utf-8", newline=""))
        with signals_held():
            for path, temp in temps.items():
                os.replace(temp, path)
    finally:
        for temp in temps.values():
            temp.unlink(missing_ok=True)


def staging_folder(target: Path) -> Path:
    """A new empty folder ``.NAME.XXXXXXXX`` beside ``target`` (same file system), with a normal mode."""
    mode = normal_mode(target, directory=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    os.chmod(folder, mode)
    return folder


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE); False where that is not available."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(error, os.strerror(error), str(b))


def replace_folder(staging: Path, target: Path) -> None:
    """Swap a completely built ``staging`` folder in for ``target``, removing the old one."""
    if not target.exists():
        staging.rename(target)
        return
    if exchange(staging, target):
        shutil.rmtree(staging)  # now holds the old contents
        return
    previous = Path(tempfile.mkdtemp(prefix=f".{target.name}.previous.", dir=target.parent))
    target.rename(previous / target.name)
    staging.rename(target)
    shutil.rmtree(previous)
