"""Atomic writes: a temporary file beside the target, flushed, then renamed over it.

A reader (or an interrupted run) sees either the previous file or the complete new one, never a
half-written file at the final path. The file ends with the permissions any file the user creates
gets (0666 less the umask: 0644 usually), or those of the file it replaces: the temporary file's
own 0600 (`mkstemp`'s, for privacy while it is written) is never what is left.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path; on success it replaces `target`, on failure it is removed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    os.chmod(tmp_path, _mode_for(target))
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _mode_for(target: Path) -> int:
    """The replaced file's permissions, else those of a new file under the current umask."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0o022)  # read the umask (it can only be read by setting it) ...
        os.umask(mask)  # ... and put it back at once
        return 0o666 & ~mask


def write_text(target: Path, write: Callable[[IO[str]], None], encoding: str = "utf-8") -> None:
    with atomic_path(target) as tmp, open(tmp, "w", encoding=encoding, newline="") as fh:
        write(fh)
