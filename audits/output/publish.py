"""Publish a run's outputs as one set: after a kill at any instant, the output folder holds
either the whole previous set or the whole new set, never a mixture.

    with publish(out_dir) as staged:        # a new folder beside out_dir, on the same disk
        write staged / "findings.csv", staged / "audit.xlsx", staged / "teams" / "X.xlsx" ...

On leaving the block without an error:

1. every file of the current folder that the new set does not replace (a reviewed workbook kept,
   anything a person put there, an older `audit-<stamp>.xlsx`) is carried into the staged folder
   at the same path: a hard link (same bytes, no copy), or a copy where links are not possible;
2. the two folders are swapped in one atomic step: Linux `renameat2(RENAME_EXCHANGE)`. Where
   that is not available, two renames (current -> `.<name>.old-*`, staged -> current); a kill
   between them leaves no folder at the path, and `recover` (run first by every publish) renames
   the previous set back;
3. the previous folder (now beside it under its staging name) is removed.

An error inside the block removes the staged folder and leaves the current one untouched. A lock
(`flock` on `.<name>.lock` beside the folder) makes concurrent runs on one folder take turns, so
both finish and the folder holds whichever set was published last. The folder stays an ordinary
folder a person opens; only its inode changes. The record of written workbooks
(`.casefile-audit-written.json`) is copied into the staged folder first so writers can update it.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import shutil
import signal
import uuid
from collections.abc import Collection, Iterator
from pathlib import Path

from audits.core.errors import EnvironmentProblem, InputError, environment_problem
from audits.output.written import RECORD

KILL_HOOK = "CASEFILE_AUDIT_KILL_AT"  # tests: SIGKILL this process at the named step
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _step(name: str) -> None:
    """A point at which the kill-at-every-step test may stop this process dead."""
    if os.environ.get(KILL_HOOK) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _siblings(out_dir: Path, kind: str) -> list[Path]:
    return sorted(out_dir.parent.glob(f".{out_dir.name}.{kind}-*"))


@contextlib.contextmanager
def _locked(out_dir: Path) -> Iterator[None]:
    """Hold `.<name>.lock` beside the folder while publishing, and remove it afterwards (no lock
    file is left beside the outputs). A run that waited on a lock file the holder has since
    removed finds it gone (or replaced) once it gets the lock, and takes a fresh one, so two runs
    never both hold the lock."""
    lock_path = out_dir.parent / f".{out_dir.name}.lock"
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock, the swap stays atomic
        yield
        return
    while True:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(lock_path))
            except FileNotFoundError:
                same = False
            if not same:  # removed by the run that held it: lock the current one
                fcntl.flock(fd, fcntl.LOCK_UN)
                continue
            try:
                yield
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(lock_path)  # while still held: no one else can hold this file
                fcntl.flock(fd, fcntl.LOCK_UN)
            return
        finally:
            os.close(fd)


def recover(out_dir: Path) -> None:
    """Finish or undo a publish that was killed: put the previous set back where the folder is
    missing (two-rename fallback), and remove staged and old folders left beside it."""
    out_dir = Path(out_dir)
    if not out_dir.parent.is_dir():
        return
    old = _siblings(out_dir, "old")
    if not out_dir.exists() and old:
        os.rename(old[-1], out_dir)
        old = old[:-1]
    for leftover in [*_siblings(out_dir, "staging"), *old]:
        shutil.rmtree(leftover, ignore_errors=True)


def check_output_folder(out_dir: Path) -> None:
    """The one check of a folder named with --out (run, sample, board, example): it may not
    exist yet, but it cannot be a file, a symbolic link, or inside a file."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(
            "The output folder named with --out is a file, not a folder",
            file=str(out_dir),
            expected="--out naming a folder (it is created if it does not exist)",
            action="Choose another name for --out, or move the file away",
        )
    if out_dir.is_symlink():
        raise InputError(
            "The output folder named with --out is a symbolic link",
            file=str(out_dir),
            expected="--out naming an ordinary folder",
            action="Name the folder the link points to instead",
        )
    for parent in Path(os.path.abspath(out_dir)).parents:
        if parent.exists():
            if not parent.is_dir():
                raise InputError(
                    f"The output folder named with --out would be inside {parent.name}, which "
                    "is a file, not a folder",
                    file=str(out_dir),
                    expected="--out naming a folder (it is created if it does not exist)",
                    action="Choose another place for --out",
                )
            break


@contextlib.contextmanager
def publish(
    out_dir: Path, *, leave: Collection[str] = (), moves: dict[str, str] | None = None
) -> Iterator[Path]:
    """Yield a staged folder for the new set; publish it as one set when the block succeeds.

    `leave`: files of the current folder (paths relative to it) not carried into the new set;
    `moves`: files carried to another path in it. Both are read when the block ends, so the
    block may fill them, under the lock (`written.earlier_workbooks` decides them for the run's
    own team workbooks)."""
    out_dir = Path(os.path.abspath(out_dir))
    check_output_folder(out_dir)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        with _locked(out_dir):
            recover(out_dir)
            check_output_folder(out_dir)
            staged = (
                out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}-{uuid.uuid4().hex[:8]}"
            )
            staged.mkdir()
            try:
                if (out_dir / RECORD).is_file():
                    shutil.copy2(out_dir / RECORD, staged / RECORD)
                yield staged
                _step("staged")
                if out_dir.is_dir():
                    _carry(out_dir, staged, set(leave), moves or {})
                    shutil.copymode(out_dir, staged)
                _step("carried")
                _fsync_tree(staged)
                inside = _cwd_inside(out_dir)
                previous = _swap(staged, out_dir)
                if inside is not None:  # this process works in --out: follow it to the new set
                    with contextlib.suppress(OSError):
                        os.chdir(out_dir / inside)
                _step("swapped")
            except BaseException:
                shutil.rmtree(staged, ignore_errors=True)
                raise
            if previous is not None:
                shutil.rmtree(previous, ignore_errors=True)
            _step("removed")
    except OSError as exc:
        raise _problem(exc, out_dir) from None


def _cwd_inside(out_dir: Path) -> Path | None:
    """Where the working folder is inside `out_dir`, or None when it is elsewhere."""
    try:
        here = Path.cwd()
    except OSError:
        return None
    return here.relative_to(out_dir) if here.is_relative_to(out_dir) else None


def _problem(exc: OSError, out_dir: Path) -> InputError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return EnvironmentProblem(
            "The outputs could not be written: the disk is full",
            file=str(out_dir),
            action="Free some space on that disk (or use --out elsewhere); the previous outputs "
            "are as they were",
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return EnvironmentProblem(
            "The outputs could not be written: the output folder (or the folder holding it) "
            "cannot be written to",
            file=str(exc.filename or out_dir),
            expected="--out naming a folder you can write to; the tool also writes a few files "
            "beside it while it publishes the new set",
            action="Use a folder you can write to; the previous outputs are as they were",
        )
    return environment_problem(exc, "writing the outputs")


def _carry(
    current: Path, staged: Path, leave: set[str] | None = None, moves: dict[str, str] | None = None
) -> None:
    """Carry into `staged` everything of `current` it does not hold: files by hard link (else a
    copy), symbolic links as links (never followed), folders even when empty; except the files
    in `leave`, and those in `moves` carried to their new path."""
    leave, moves = leave or set(), moves or {}
    for root, folders, files in os.walk(current, followlinks=False):
        here = Path(root)
        there = staged / here.relative_to(current)
        there.mkdir(parents=True, exist_ok=True)
        for name in [*files, *(f for f in folders if (here / f).is_symlink())]:
            path, target = here / name, there / name
            relative = path.relative_to(current).as_posix()
            if relative in leave:
                continue
            if relative in moves:
                target = staged / moves[relative]
                target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists() or target.is_symlink():
                continue
            if path.is_symlink():
                os.symlink(os.readlink(path), target)
            elif path.is_file():
                try:
                    os.link(path, target)
                except OSError:
                    shutil.copy2(path, target)


def _fsync_tree(folder: Path) -> None:
    """Flush the staged files and folders to disk before they become the outputs."""
    for path in [*folder.rglob("*"), folder]:
        if path.is_symlink():
            continue
        try:
            flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0)
            fd = os.open(path, flags)
        except OSError:
            continue
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)


def _swap(staged: Path, out_dir: Path) -> Path | None:
    """Make `staged` the folder at `out_dir`; return where the previous folder now is."""
    if not out_dir.exists():
        os.rename(staged, out_dir)
        return None
    if _exchange(staged, out_dir):
        return staged  # the previous set now sits at the staged name
    old = out_dir.parent / f".{out_dir.name}.old-{uuid.uuid4().hex[:8]}"
    os.rename(out_dir, old)
    _step("between-renames")
    os.rename(staged, out_dir)
    return old


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if os.environ.get("CASEFILE_AUDIT_NO_EXCHANGE"):
        return False
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _renameat2():
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    function.restype = ctypes.c_int
    return function
