"""Practice audits: the cases chosen each month for people to audit, and their grades.

Choosing again for a month never deletes a case that has been graded; a grade is replaced only by
a non-blank grade from a workbook saved later (an older or emptier copy changes nothing).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from audits.history.schema import now, practice_audits, practice_entries

GRADE_FIELDS = ("auditor", "auditor_grade", "moderator_grade")


def _graded(conn: sa.Connection, month: str) -> dict[str, dict]:
    rows = conn.execute(sa.select(practice_audits).where(practice_audits.c.month == month))
    return {r["child_id"]: dict(r) for r in rows.mappings()}


class PracticeStore:
    engine: sa.Engine

    def recently_audited(self, month: str, months: int) -> set[str]:
        """Children chosen for practice audit in the `months` months before `month`."""
        year, mon = map(int, month.split("-"))
        first = year * 12 + mon - 1 - months
        since = f"{first // 12:04d}-{first % 12 + 1:02d}"
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(practice_audits.c.child_id).where(
                    practice_audits.c.month >= since, practice_audits.c.month < month
                )
            )
            return set(rows.scalars())

    def practice_cases(self, month: str) -> pd.DataFrame:
        """child_id and team of the cases `audit sample` chose for `month` (not those stored only
        because a workbook graded them)."""
        with self.engine.connect() as conn:
            return pd.read_sql(
                sa.select(practice_audits.c.child_id, practice_audits.c.team).where(
                    practice_audits.c.month == month,
                    sa.func.coalesce(practice_audits.c.reason, "") != "",
                ),
                conn,
            )

    def graded_children(self, month: str) -> set[str]:
        """Children of `month` whose audit holds a grade, an auditor or an escalation."""
        with self.engine.connect() as conn:
            existing = _graded(conn, month)
        return {c for c, r in existing.items() if _holds_work(r)}

    def record_sample(self, month: str, sample: pd.DataFrame) -> None:
        """Record the month's chosen cases. Cases already graded stay as they are; ungraded
        cases from an earlier choice for the month that are not chosen again are withdrawn."""
        stamp = now()
        with self.engine.begin() as conn:
            existing = _graded(conn, month)
            chosen = set(sample["child_id"])
            withdrawn = [c for c, r in existing.items() if c not in chosen and not _holds_work(r)]
            if withdrawn:
                conn.execute(
                    practice_audits.delete().where(
                        practice_audits.c.month == month,
                        practice_audits.c.child_id.in_(withdrawn),
                    )
                )
            added = [
                {
                    "month": month,
                    "child_id": r.child_id,
                    "team": r.team,
                    "reason": r.reason,
                    "selected_at": stamp,
                }
                for r in sample.itertuples(index=False)
                if r.child_id not in existing
            ]
            if added:
                conn.execute(practice_audits.insert(), added)

    def record_grades(
        self, month: str, grades: pd.DataFrame, digest: str, saved_at: str | None
    ) -> dict[str, int]:
        """Store a practice-audit workbook's grades. A field is replaced only by a non-blank
        value from a workbook saved at or after the one it came from; returns counts."""
        stamp = now()
        saved_at = saved_at or stamp
        counts = {"stored": 0, "unchanged": 0, "older": 0}
        with self.engine.begin() as conn:
            existing = _graded(conn, month)
            for r in grades.itertuples(index=False):
                typed = {f: getattr(r, f) for f in GRADE_FIELDS if _filled(getattr(r, f))}
                if bool(r.escalate):
                    typed["escalate"] = True
                if not typed:
                    continue
                before = existing.get(r.child_id)
                if before is None:
                    conn.execute(
                        practice_audits.insert().values(
                            month=month,
                            child_id=r.child_id,
                            team=r.team,
                            reason="",
                            selected_at=stamp,
                            workbook_sha256=digest,
                            imported_at=stamp,
                            graded_at=saved_at,
                            **typed,
                        )
                    )
                    counts["stored"] += 1
                    continue
                changed = {k: v for k, v in typed.items() if before.get(k) != v}
                if not changed:
                    counts["unchanged"] += 1
                    continue
                if before.get("graded_at") and saved_at < before["graded_at"]:
                    counts["older"] += 1
                    continue
                conn.execute(
                    practice_audits.update()
                    .where(
                        practice_audits.c.month == month, practice_audits.c.child_id == r.child_id
                    )
                    .values(
                        workbook_sha256=digest, imported_at=stamp, graded_at=saved_at, **changed
                    )
                )
                counts["stored"] += 1
        return counts

    def record_practice_items(
        self,
        month: str,
        items: pd.DataFrame,
        workbook: Path,
        digest: str,
        saved_at: str | None,
        saved_by: str | None,
    ) -> int:
        """Keep every item typed in a practice-audit workbook (answers, comments, auditor,
        grades, flag; `items`: row, child_id, team, kind, item, value). A value is added when it
        differs from the latest held for that case and item; one from a copy saved before the
        latest is kept as history and does not replace it (the latest is the one saved last).
        Re-importing a workbook changes nothing. Returns how many were added."""
        if items.empty:
            return 0
        stamp = now()
        saved_at = saved_at or stamp
        with self.engine.begin() as conn:
            held = pd.read_sql(
                sa.select(
                    practice_entries.c.child_id,
                    practice_entries.c.item,
                    practice_entries.c.value,
                    practice_entries.c.entered_at,
                    practice_entries.c.entry_id,
                    practice_entries.c.workbook_sha256,
                ).where(practice_entries.c.month == month),
                conn,
            )
            from_here = set(
                zip(
                    held.loc[held["workbook_sha256"] == digest, "child_id"],
                    held.loc[held["workbook_sha256"] == digest, "item"],
                    strict=True,
                )
            )
            latest = held.sort_values(["entered_at", "entry_id"]).drop_duplicates(
                ["child_id", "item"], keep="last"
            )[["child_id", "item", "value"]]
            typed = items.assign(
                child_id=items["child_id"].astype(str), value=items["value"].astype(str)
            )
            known = typed.merge(latest, on=["child_id", "item"], how="left", suffixes=("", "_held"))
            new = [
                (c, i) not in from_here
                for c, i in zip(known["child_id"], known["item"], strict=True)
            ]
            fresh = known[
                (known["value"] != known["value_held"]) & pd.Series(new, index=known.index)
            ]
            if fresh.empty:
                return 0
            rows = [
                {
                    "month": month,
                    "child_id": r.child_id,
                    "team": r.team,
                    "kind": r.kind,
                    "item": r.item,
                    "value": r.value,
                    "entered_at": saved_at,
                    "entered_by": saved_by,
                    "workbook": str(Path(workbook).resolve()),
                    "workbook_sha256": digest,
                    "row": int(r.row),
                    "imported_at": stamp,
                }
                for r in fresh.itertuples(index=False)
            ]
            conn.execute(practice_entries.insert(), rows)
        return len(rows)


def _filled(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value)) and value != ""


def _holds_work(row: dict) -> bool:
    return any(_filled(row.get(f)) for f in GRADE_FIELDS) or bool(row.get("escalate"))
