"""`make bench`: a large council's SSD (benchmarks/ssd_data.py: ~59,000 children over six years,
~330,000 visits, ~58,000 reviews, and a real council's lapses at published or stated rates:
~20,000 findings) read and audited from CSV dumps and from PostgreSQL.

Timed: `audit run` end to end in a fresh process (read, every rule, the workbooks, CSV, JSON;
`--no-history`), from the folder of CSV dumps and from a PostgreSQL schema; and `audit()` in
process (read and audit, no outputs). Floor for scale: pandas reading the CSV files. Peak
memory: the largest resident set of one of the runs' processes, and of each run's process tree
(with its helper process); the 1-minute load average after each run says how busy the shared
machine was. The PostgreSQL server is the one named by CASEFILE_AUDIT_TEST_POSTGRES_URL, else a
private one started for the measurement (tests/postgres_server.py). The findings are counted by
rule from each input and set beside what the generator planted. Goal: <= 30 s, <= 4 GB."""

from __future__ import annotations

import json
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
from ssd_data import large_tables

from audits.example.ssd.write import write_csv

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = "ssd_development"


DATA_VERSION = "2: background and lapses (audits.example.ssd.lapses.REALISTIC)"


def _csv(data: Path, tables: dict) -> Path:
    """The tables as CSV dumps, cached with the version of the generator that wrote them."""
    folder = data / "ssd_large"
    stamp = folder / ".complete"
    if not stamp.exists() or stamp.read_text() != DATA_VERSION:
        shutil.rmtree(folder, ignore_errors=True)
        write_csv(tables, folder, {})
        stamp.write_text(DATA_VERSION)
    return folder


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (Linux /proc; 0 elsewhere)."""
    total, todo = 0, [pid]
    while todo:
        at = todo.pop()
        try:
            status = Path(f"/proc/{at}/status").read_text()
            total += next(int(x.split()[1]) for x in status.splitlines() if x[:6] == "VmRSS:")
            for task in Path(f"/proc/{at}/task").iterdir():
                todo += [int(x) for x in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total * 1024


def _run(source: str, schema: str | None = None) -> tuple[float, float, float, float]:
    """One `audit run` in a fresh process: (seconds, peak resident GB of its largest process,
    peak resident GB of its process tree (the helper process beside it) sampled every 50 ms,
    the 1-minute load average when it ended)."""
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
    with subprocess.Popen(
        wrapper + command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as child:
        tree = 0
        while child.poll() is None:
            tree = max(tree, _tree_rss(child.pid))
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
        stdout, stderr = child.communicate()
    if child.returncode:
        sys.exit(f"audit run failed:\n{stdout}\n{stderr}")
    shutil.rmtree(out)
    peak_kb = int(stderr.strip().splitlines()[-1]) if wrapper else 0
    return elapsed, peak_kb / 1024**2, tree / 1024**3, os.getloadavg()[0]


def _in_process(source: str, schema: str | None, runs: int) -> tuple[float, dict[str, int]]:
    """Median seconds of `audit()` in a fresh interpreter, and its findings by rule."""
    code = (
        "import json, time, datetime as dt\n"
        "from audits.pipeline.audit import audit\n"
        "t = time.perf_counter()\n"
        f"run = audit({source!r}, dt.date.fromisoformat({AS_AT.isoformat()!r}), schema={schema!r})\n"
        "seconds = time.perf_counter() - t\n"
        "by_rule = run.result.findings['rule_id'].value_counts().sort_index()\n"
        "print(json.dumps([seconds, {k: int(v) for k, v in by_rule.items()}]))\n"
    )
    times, by_rule = [], {}
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        seconds, by_rule = json.loads(done.stdout.strip().splitlines()[-1])
        times.append(seconds)
    return statistics.median(times), by_rule


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

    from audits.example.ssd.write import load_database

    load_at_start = os.getloadavg()
    print("generating the large council's SSD ...", flush=True)
    tables, planted, unreadable = large_tables(AS_AT)
    folder = _csv(data, tables)
    rows = {name: len(frame) for name, frame in tables.items()}
    read_floor, _ = timed(lambda: [pd.read_csv(p) for p in folder.glob("*.csv")], runs)
    csv_runs = [_run(str(folder)) for _ in range(runs)]
    csv_process, by_rule = _in_process(str(folder), None, runs)
    result = {
        "children": rows.get("ssd_person"),
        "visits": sum(
            rows.get(t, 0) for t in ("ssd_cin_visits", "ssd_cp_visits", "ssd_cla_visits")
        ),
        "reviews": rows.get("ssd_cp_reviews", 0) + rows.get("ssd_cla_reviews", 0),
        "rows": sum(rows.values()),
        "findings": sum(by_rule.values()),
        "findings_by_rule": by_rule,
        "planted_children_by_rule": planted.counts(),
        "planted_findings_by_rule": {r: n for r, n in sorted(planted.events.items()) if n},
        "unreadable_values_planted": unreadable,
        "csv_audit_run_seconds": round(statistics.median(r[0] for r in csv_runs), 2),
        "csv_audit_run_runs": [round(r[0], 2) for r in csv_runs],
        "csv_load_average_after_runs": [round(r[3], 2) for r in csv_runs],
        "csv_peak_memory_gb": round(max(r[1] for r in csv_runs), 2),
        "csv_peak_memory_process_tree_gb": round(max(r[2] for r in csv_runs), 2),
        "csv_read_and_audit_in_process_seconds": round(csv_process, 2),
        "csv_pandas_read_seconds": round(read_floor, 2),
        "load_average_at_start": [round(x, 2) for x in load_at_start],
        "goal": "<= 30 s and <= 4 GB, from CSV and from PostgreSQL",
    }
    with ExitStack() as stack:
        server = _postgres(stack)
        if server is None:
            result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
            return result
        name = f"casefile_bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = sa.engine.make_url(server).set(database=name).render_as_string(False)
        try:
            start = time.perf_counter()
            load_database(url, tables, SCHEMA)
            result["postgres_load_seconds"] = round(time.perf_counter() - start, 1)
            pg_runs = [_run(url, SCHEMA) for _ in range(runs)]
            pg_process, pg_by_rule = _in_process(url, SCHEMA, runs)
            result.update(
                {
                    "postgres_findings": sum(pg_by_rule.values()),
                    "postgres_findings_same_by_rule": pg_by_rule == by_rule,
                    "postgres_audit_run_seconds": round(
                        statistics.median(r[0] for r in pg_runs), 2
                    ),
                    "postgres_audit_run_runs": [round(r[0], 2) for r in pg_runs],
                    "postgres_load_average_after_runs": [round(r[3], 2) for r in pg_runs],
                    "postgres_peak_memory_gb": round(max(r[1] for r in pg_runs), 2),
                    "postgres_peak_memory_process_tree_gb": round(max(r[2] for r in pg_runs), 2),
                    "postgres_read_and_audit_in_process_seconds": round(pg_process, 2),
                }
            )
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result["peak_memory_note"] = (
        "peak_memory: the largest resident set of one audit run process (GNU time %M); "
        "process_tree: the audit run and its helper process together, sampled every 50 ms "
        "(the PostgreSQL server's own memory not counted)"
    )
    return result
