"""Atomic writes: a temporary file beside the target, flushed, then renamed over it.

A reader (or an interrupted run) sees either the previous file or the complete new one, never a
half-written file at the final path.
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
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text(target: Path, write: Callable[[IO[str]], None], encoding: str = "utf-8") -> None:
    with atomic_path(target) as tmp, open(tmp, "w", encoding=encoding, newline="") as fh:
        write(fh)
