"""File operations that never leave half-written output behind."""

import os
import shutil
import tempfile
from pathlib import Path


def write_atomically(path: Path, write) -> None:
    """Call ``write(temp_path)`` and rename the result onto ``path``; remove it on failure."""
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        write(Path(temp))
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def replace_folder(staging: Path, target: Path) -> None:
    """Swap a completely built ``staging`` folder in for ``target``, removing the old one."""
    previous = target.parent / f".{target.name}.previous"
    shutil.rmtree(previous, ignore_errors=True)
    if target.exists():
        target.rename(previous)
    staging.rename(target)
    shutil.rmtree(previous, ignore_errors=True)
