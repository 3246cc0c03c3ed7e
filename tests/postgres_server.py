"""A private PostgreSQL server for the tests and the benchmarks: the newest installed server's
binaries, a throwaway cluster in /tmp, a Unix socket only (no network), trust authentication,
run as the postgres user when this process is root. Stopped and deleted on leaving."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path


class Unavailable(Exception):
    """No server can be started here (the reason is the message)."""


@contextlib.contextmanager
def private_server() -> Iterator[str]:
    """The URL of the new server's maintenance database, as its superuser."""
    initdb = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not initdb:
        raise Unavailable("no PostgreSQL server installed")
    bin_dir = initdb[-1].parent
    base = Path(tempfile.mkdtemp(prefix="casefile-pg-", dir="/tmp"))
    data, socket_dir = base / "data", base / "sock"
    socket_dir.mkdir()
    log = base / "server.log"  # the server must not hold our pipes open
    log.touch()
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        if shutil.which("runuser") is None:
            shutil.rmtree(base, ignore_errors=True)
            raise Unavailable("running as root without runuser")
        for path in (base, socket_dir, log):
            shutil.chown(path, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    try:
        subprocess.run(
            [*as_user, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
            + ["--no-sync"],  # a throwaway cluster needs no durability (as .ci/run's)
            check=True,
            capture_output=True,
        )
        options = f"-c listen_addresses='' -k {socket_dir} -c fsync=off"
        options += " -c synchronous_commit=off -c full_page_writes=off"
        subprocess.run(
            [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log)]
            + ["-w", "start"],
            check=True,
            capture_output=True,
            timeout=60,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, KeyError, LookupError) as exc:
        stderr = getattr(exc, "stderr", None) or b""
        shutil.rmtree(base, ignore_errors=True)
        raise Unavailable(
            f"PostgreSQL could not be started here: {exc} {stderr.decode(errors='replace')}"
        ) from None
    try:
        yield f"postgresql+psycopg://postgres@/postgres?host={socket_dir}"
    finally:
        subprocess.run(
            [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)
