"""Files only the service's own user may read: the data folder (0700) and what is in it (0600).

The data folder holds the database, the secret key, mail waiting in ``.eml`` files (with sign-in links),
uploaded pictures and files attached to messages. Modes are set explicitly at creation, so they do not
depend on the process's umask, and a file is never readable by others even for a moment (it is opened
with its final mode).
"""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: str | Path) -> Path:
    """Create the folder (and any missing parents) as 0700; an existing folder is left as it is."""
    folder = Path(path)
    missing: list[Path] = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for part in reversed(missing):
        try:
            part.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue  # another process made it first; its maker chose the mode
        os.chmod(part, DIR_MODE)  # mkdir's mode is filtered by the umask
    return folder


def write_private(path: str | Path, data: bytes) -> None:
    """Write a whole file as 0600 (created so, or narrowed when it existed)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb", closefd=False) as handle:
            handle.write(data)
    finally:
        os.close(fd)


def touch_private(path: str | Path) -> None:
    """Make sure the file exists; a new one is created 0600 (SQLite gives its -wal and -shm the same)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
