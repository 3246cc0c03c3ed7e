"""`make bench`: a large council's SSD (benchmarks/ssd_data.py: ~58,000 children over six years,
~345,000 visits, ~60,000 reviews) read and audited from CSV dumps and from PostgreSQL.

Timed: `audit run` end to end in a fresh process (read, every rule, the workbooks, CSV, JSON;
`--no-history`), from the folder of CSV dumps and from a PostgreSQL schema; and `audit()` in
process (read and audit, no outputs). Floors for scale: pandas reading the CSV files, and
psycopg fetching the same columns' rows. Peak memory is the largest resident set of the runs'
processes. The PostgreSQL server is the one named by CASEFILE_AUDIT_TEST_POSTGRES_URL, else a
private one started for the measurement (tests/postgres_server.py). Goal: <= 30 s, <= 4 GB."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

from bench import AS_AT, audit_bin, timed
from ssd_data import large_council, write_large_ssd

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = "ssd_development"


def _csv(data: Path) -> Path:
    folder = data / "ssd_large"
    if not (folder / ".complete").exists():
        print("generating the large council's SSD ...", flush=True)
        shutil.rmtree(folder, ignore_errors=True)
        write_large_ssd(folder, AS_AT)
        (folder / ".complete").write_text("")
    return folder


def _run(source: str, schema: str | None = None) -> tuple[float, float]:
    """One `audit run` in a fresh process: (seconds, peak resident GB of its process tree)."""
    out = Path(tempfile.mkdtemp(prefix="bench-ssd-"))
    command = [
        audit_bin(),
        "run",
        source,
        "--as-at",
        AS_AT.isoformat(),
        "--out",
        str(out),
        "--no-history",
    ] + (["--schema", schema] if schema else [])
    wrapper = ["/usr/bin/time", "-f", "%M"] if Path("/usr/bin/time").exists() else []
    start = time.perf_counter()
    done = subprocess.run(wrapper + command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"audit run failed:\n{done.stdout}\n{done.stderr}")
    shutil.rmtree(out)
    peak_kb = int(done.stderr.strip().splitlines()[-1]) if wrapper else 0
    return elapsed, peak_kb / 1024**2


def _in_process(source: str, schema: str | None, runs: int) -> tuple[float, int]:
    code = (
        "import sys, time, datetime as dt\n"
        "from audits.pipeline.audit import audit\n"
        "t = time.perf_counter()\n"
        f"run = audit({source!r}, dt.date.fromisoformat({AS_AT.isoformat()!r}), schema={schema!r})\n"
        "print(time.perf_counter() - t, len(run.result.findings))\n"
    )
    times, findings = [], 0
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        seconds, findings = done.stdout.split()
        times.append(float(seconds))
    return statistics.median(times), int(findings)


def _postgres(stack: ExitStack) -> str | None:
    given = os.environ.get("CASEFILE_AUDIT_TEST_POSTGRES_URL")
    if given:
        return given
    sys.path.insert(0, str(ROOT))
    from tests.postgres_server import Unavailable, private_server

    try:
        return stack.enter_context(private_server())
    except Unavailable as exc:
        print(f"no PostgreSQL for the SSD benchmark: {exc}", flush=True)
        return None


def ssd_large(data: Path, runs: int = 3) -> dict:
    import pandas as pd
    import sqlalchemy as sa

    from audits.example.ssd.tables import ssd_tables
    from audits.example.ssd.write import load_database

    folder = _csv(data)
    rows = {p.stem: sum(1 for _ in p.open(encoding="utf-8")) - 1 for p in folder.glob("*.csv")}
    read_floor, _ = timed(lambda: [pd.read_csv(p) for p in folder.glob("*.csv")], runs)
    csv_runs = [_run(str(folder)) for _ in range(runs)]
    csv_process, findings = _in_process(str(folder), None, runs)
    result = {
        "children": rows.get("ssd_person"),
        "visits": sum(
            rows.get(t, 0) for t in ("ssd_cin_visits", "ssd_cp_visits", "ssd_cla_visits")
        ),
        "reviews": rows.get("ssd_cp_reviews", 0) + rows.get("ssd_cla_reviews", 0),
        "rows": sum(rows.values()),
        "findings": findings,
        "csv_audit_run_seconds": round(statistics.median(t for t, _ in csv_runs), 2),
        "csv_audit_run_runs": [round(t, 2) for t, _ in csv_runs],
        "csv_peak_memory_gb": round(max(m for _, m in csv_runs), 2),
        "csv_read_and_audit_in_process_seconds": round(csv_process, 2),
        "csv_pandas_read_seconds": round(read_floor, 2),
        "load_average_at_start": os.getloadavg()[0],
        "goal": "<= 30 s and <= 4 GB, from CSV and from PostgreSQL",
    }
    with ExitStack() as stack:
        server = _postgres(stack)
        if server is None:
            return result
        name = f"casefile_bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = sa.engine.make_url(server).set(database=name).render_as_string(False)
        try:
            start = time.perf_counter()
            load_database(url, ssd_tables(large_council(AS_AT)), SCHEMA)
            result["postgres_load_seconds"] = round(time.perf_counter() - start, 1)
            pg_runs = [_run(url, SCHEMA) for _ in range(runs)]
            pg_process, _ = _in_process(url, SCHEMA, runs)
            result.update(
                {
                    "postgres_audit_run_seconds": round(
                        statistics.median(t for t, _ in pg_runs), 2
                    ),
                    "postgres_audit_run_runs": [round(t, 2) for t, _ in pg_runs],
                    "postgres_peak_memory_gb": round(max(m for _, m in pg_runs), 2),
                    "postgres_read_and_audit_in_process_seconds": round(pg_process, 2),
                }
            )
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
    result["peak_memory_note"] = "largest resident set of one audit run process (GNU time %M)"
    return result
