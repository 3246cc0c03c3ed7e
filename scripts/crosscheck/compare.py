"""Compare casefile-audit's ASM-01 and S47-02 with the D2I CIN validator's 8670Q and 8675Q.

    python scripts/crosscheck/compare.py --validator-python V/bin/python [--out DIR] [XML ...]

Audits each CIN census file as at its ReferenceDate, runs the validator (in its own venv) on the
same files, and compares the two child by child, keyed by (child, start date). Every difference
is given the reason found by replaying the validator's rule with one of its choices changed:
- "due on the ReferenceDate": our due date WD(start, n) is the ReferenceDate itself, met by the
  statutory rule; the validator's CustomBusinessDay(n - 1) makes that day late ("n - 1 working
  days" when the ReferenceDate is not a working day);
- "bank holidays": the validator's own list of bank holidays (2022-2027) differs from ours
  (`holidays`, England and Wales) on a day inside the interval ("n - 1 working days and bank
  holidays" when it takes both changes to agree);
- "authorised after the ReferenceDate": open as at D for us; the validator only asks whether the
  authorisation date is blank;
- "ICPCnotRequired blank or not false/0": we query every s47 without an ICPC that was not
  recorded as unnecessary; the validator only those recorded as 'false' or '0'.
A difference none of these explains is listed as "unexplained" (the run fails).
Without files: the reference CIN XMLs (../shared/reference) and a generated census.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from cin_census_data import write_cin_census  # noqa: E402

from audits.core.calendar import WorkingDayCalendar  # noqa: E402
from audits.pipeline.audit import audit  # noqa: E402

PAIRS = {  # our rule -> (their rule, list, start column, end column, working days)
    "ASM-01": ("8670Q", 4, "assessment_start", "assessment_authorised", 45),
    "S47-02": ("8675Q", 5, "strategy_date", "icpc_date", 15),
}


def ours(path: Path) -> tuple[object, dict[str, set[tuple[str, str]]]]:
    run = audit(path, None)
    found = {}
    for rule_id, (_, number, start, _, _) in PAIRS.items():
        f = run.result.findings
        rows = f.loc[f["rule_id"] == rule_id, "source_row"]
        frame = run.ctx.export.lists[number].frame.set_index("_row")
        picked = frame.loc[rows]
        found[rule_id] = set(
            zip(picked["child_id"], picked[start].dt.strftime("%Y-%m-%d"), strict=True)
        )
    return run, found


def their_predicate(frame, start, end, n, at, holidays):
    """The validator's rule replayed: start < D - CustomBusinessDay(n - 1), end blank."""
    cutoff = at - pd.offsets.CustomBusinessDay(n=n - 1, holidays=holidays)
    return frame[end].isna() & (frame[start] < cutoff)


def explain(run, rule_id, child, day, theirs_flag, holidays) -> str:
    """The first change to the validator's rule that makes it agree with ours (see the module
    docstring); the validator's own result is replayed first as a check."""
    _, number, start, end, n = PAIRS[rule_id]
    frame = run.ctx.export.lists[number].frame
    at = pd.Timestamp(run.ctx.as_at)
    row = frame[(frame["child_id"] == child) & (frame[start] == pd.Timestamp(day))]
    ours_flag = not theirs_flag
    if ours_flag and (row[end].notna() & (row[end] > at)).any():
        return "authorised after the ReferenceDate"
    if rule_id == "S47-02" and ours_flag:
        flag = row.get("icpc_unnecessary")
        if flag is None or flag.isna().any() or (flag != "No").any():
            return "ICPCnotRequired blank or not false/0"
    ours_holidays = [str(h) for h in WorkingDayCalendar().holidays]

    def replay(count, days) -> bool:
        return bool(their_predicate(row, start, end, count, at, days).any())

    if replay(n, holidays) != theirs_flag:
        return "unexplained"  # the replay does not reproduce the validator
    if replay(n + 1, holidays) == ours_flag:
        due = WorkingDayCalendar().add_working_days(row[start], n)
        return "due on the ReferenceDate" if (due == at).any() else "n - 1 working days"
    if replay(n, ours_holidays) == ours_flag:
        return "bank holidays"
    if replay(n + 1, ours_holidays) == ours_flag:
        return "n - 1 working days and bank holidays"
    return "unexplained"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--validator-python", required=True)
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "crosscheck")
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    files = list(args.files)
    if not files:
        reference = ROOT.parent / "shared" / "reference" / "cin_census"
        files = sorted(reference.glob("*.xml")) if reference.exists() else []
        files.append(write_cin_census(args.out / "generated_census.xml", 3_000, seed=16))
        early = dt.date(2022, 3, 31)  # starts over Christmas 2021, before the validator's list
        files.append(write_cin_census(args.out / "generated_census_2022.xml", 1_000, 5, early))
        late = dt.date(2029, 3, 31)  # a Saturday after Good Friday, past the validator's list
        files.append(write_cin_census(args.out / "generated_census_2029.xml", 1_500, 7, late))
    side = Path(__file__).with_name("validator_side.py")
    done = subprocess.run(
        [args.validator_python, str(side), *map(str, files)], capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"the validator failed:\n{done.stderr[-3000:]}")
    validator = json.loads(done.stdout)
    holidays = validator["holidays"]
    rows, summary = [], []
    for path in files:
        run, found = ours(path)
        theirs_all = validator["files"][str(path)]
        for rule_id, (code, *_rest) in PAIRS.items():
            theirs = {tuple(x) for x in theirs_all["issues"][code]}
            mine = found[rule_id]
            for child, day in sorted(mine ^ theirs):
                flagged_by_them = (child, day) in theirs
                reason = explain(run, rule_id, child, day, flagged_by_them, holidays)
                rows.append(
                    {
                        "file": path.name,
                        "ours": rule_id,
                        "theirs": code,
                        "child_id": child,
                        "start": day,
                        "flagged_by": code if flagged_by_them else rule_id,
                        "reason": reason,
                    }
                )
            summary.append(
                {
                    "file": path.name,
                    "reference_date": theirs_all["reference_date"],
                    "ruleset": theirs_all["ruleset"],
                    "pair": f"{rule_id} / {code}",
                    "ours": len(mine),
                    "theirs": len(theirs),
                    "both": len(mine & theirs),
                    "only_ours": len(mine - theirs),
                    "only_theirs": len(theirs - mine),
                }
            )
    differences = pd.DataFrame(
        rows, columns=["file", "ours", "theirs", "child_id", "start", "flagged_by", "reason"]
    )
    differences.to_csv(args.out / "differences.csv", index=False)
    table = pd.DataFrame(summary)
    table.to_csv(args.out / "summary.csv", index=False)
    print(table.to_string(index=False))
    if not differences.empty:
        counts = differences.groupby(["file", "ours", "flagged_by", "reason"]).size()
        print("\nDifferences by reason:\n" + counts.to_string())
    unexplained = int(np.sum(differences["reason"] == "unexplained"))
    print(f"\n{len(differences)} difference(s), {unexplained} unexplained; details in {args.out}")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
