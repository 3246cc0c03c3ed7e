"""Consecutive months of one council (`audit example --months N`): a monthly loop to rehearse.

The first month is `audit example`'s month for its as-at date. Each month after it is the same
council a calendar month on:
- every record persists, its child, date of birth and identifying dates unchanged, so its findings
  keep their ids month after month;
- the work of a well-run case is kept current: the visits, reviews, contacts and health checks of
  clean records move on with the calendar, open assessments are authorised in time, and child
  protection plans end before they reach two years;
- of the planted defects still open, about a third are put right each month (the review held,
  the visit made, the contact recorded): their findings resolve; the rest persist, more days
  overdue each month;
- new children arrive, with their own clean records and a new set of planted defects.
Each month is written to its own folder (`<out>/<yyyy-mm>/`) with its manifest: the planted
defects still open, with their days overdue as at that month.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from audits.example.builder import Builder
from audits.example.calendar import Days
from audits.example.people import Expected
from audits.example.workbook import save_month

# The fields a well-run case keeps current, by list: moved on with the calendar.
ACTIVITY = {
    6: ("last_seen",),
    7: ("last_visit", "latest_review"),
    8: (
        "latest_review",
        "last_visit",
        "last_iro_contact",
        "last_health_assessment",
        "last_dental_check",
    ),
    9: ("pathway_plan_review", "latest_contact"),
}
# The field each planted defect rests on (held as it is), and which the team puts right when it
# is fixed (the work done a few days before the month's as-at date).
FIELD_OF_RULE = {
    "CIN-01": "last_seen",
    "CP-01": "last_visit",
    "CP-02": "latest_review",
    "CLA-01": "latest_review",
    "CLA-02": "last_visit",
    "CLA-03": "last_health_assessment",
    "CLA-04": "last_dental_check",
    "CL-01": "pathway_plan_review",
    "CL-04": "latest_contact",
}
OPEN_PLAN_RULES = ("CP-01", "CP-02", "CP-04")  # raised only while the plan is open
SHARE_FIXED = 1 / 3
MAKERS = ("contact", "early_help", "referral", "assessment", "s47", "cin", "cp", "cla")


def month_dates(last: dt.date, months: int) -> list[dt.date]:
    """The as-at dates of `months` consecutive months ending with `last` (the same day of each
    month, clamped at a month's end)."""
    return [Days.months(last, k - months + 1) for k in range(months)]


def write_months(
    out: Path, last: dt.date, months: int, *, seed: int = 7, children: int = 40
) -> list[tuple[Path, Path]]:
    """Write `months` consecutive months ending at `last` into `<out>/<yyyy-mm>/`."""
    dates = month_dates(last, months)
    builder = Builder(dates[0], random.Random(seed))
    builder.build(children)
    written = [save_month(out / f"{dates[0]:%Y-%m}", builder)]
    for k, as_at in enumerate(dates[1:], start=1):
        builder = next_month(builder, as_at, random.Random(seed * 1000 + k), children)
        written.append(save_month(out / f"{as_at:%Y-%m}", builder))
    return written


def _keys(e: Expected) -> list[tuple[int, str]]:
    """The (list, child) records an expected finding rests on ('3, 4' names two lists)."""
    lists = [int(n) for n in e.list.replace("-", ",").split(",") if n.strip().isdigit()]
    return [(n, e.child_id) for n in lists] if e.child_id else []


def next_month(prev: Builder, as_at: dt.date, rng: random.Random, children: int) -> Builder:
    """The council a month after `prev`: its records moved on (see the module docstring), new
    children arrived, and the manifest of what is still expected."""
    delta = dt.timedelta(days=(as_at - prev.as_at).days)
    planted: dict[tuple[int, str], list[Expected]] = {}
    for e in prev.expected:
        for key in _keys(e):
            planted.setdefault(key, []).append(e)
    gone: set[int] = set()  # expected findings (by id()) no longer raised
    fixable = [e for e in prev.expected if e.rule_id in FIELD_OF_RULE]
    fixed = {id(e) for e in rng.sample(fixable, round(len(fixable) * SHARE_FIXED))}
    days = Days()
    rows: dict[int, list[dict]] = {}
    for number, records in prev.rows.items():
        rows[number] = []
        for old in records:
            r = dict(old)
            mine = planted.get((number, r["child_id"]), [])
            held = {FIELD_OF_RULE[e.rule_id] for e in mine if e.rule_id in FIELD_OF_RULE}
            for name in ACTIVITY.get(number, ()):
                if name not in held and isinstance(r.get(name), dt.date):
                    r[name] = r[name] + delta  # the case's work kept current
            for e in mine:
                if id(e) in fixed:  # put right a few days before the as-at date
                    r[FIELD_OF_RULE[e.rule_id]] = as_at - dt.timedelta(days=rng.randint(1, 5))
                    gone.add(id(e))
            if (
                number == 4
                and r.get("assessment_authorised") is None
                and not any(e.rule_id == "ASM-01" for e in mine)
            ):  # authorised in time
                start = r["assessment_start"]
                r["assessment_authorised"] = start + dt.timedelta(days=rng.randint(10, 30))
            if (
                number == 7
                and r.get("plan_end") is None
                and not any(e.rule_id == "CP-03" for e in mine)
                and as_at >= days.months(r["plan_start"], 24) - dt.timedelta(days=35)
            ):  # ended before two years
                r["plan_end"] = as_at - dt.timedelta(days=3)
                gone |= {id(e) for e in mine if e.rule_id in OPEN_PLAN_RULES}
            if number == 1 and r["contact_date"] <= as_at:  # no longer after the as-at date
                gone |= {id(e) for e in mine if e.rule_id == "DQ-02"}
            rows[number].append(r)

    new = Builder(as_at, rng)
    ids = [int(r["child_id"]) for rs in prev.rows.values() for r in rs if r["child_id"].isdigit()]
    new.next_id = max(ids, default=new.next_id) + 1000
    arrivals = max(2, children // 8)
    for number, maker in enumerate(MAKERS, start=1):
        new.rows[number].extend(getattr(new, maker)() for _ in range(arrivals))
    new.rows[9].extend(new.care_leaver() for _ in range(arrivals))
    new.plant()
    kept = [_as_at(e, as_at) for e in prev.expected if id(e) not in gone]
    new.expected = kept + new.expected
    for number in rows:
        new.rows[number] = rows[number] + new.rows[number]
    new.no_oversight = prev.no_oversight
    new.old_oversight = prev.old_oversight
    new.missing_documents = prev.missing_documents
    new.local = new.local_tables()
    for records in [*new.rows.values(), *new.local.values()]:
        rng.shuffle(records)
    return new


def _as_at(e: Expected, as_at: dt.date) -> Expected:
    """An expected finding as at a later month: an open item is that much more overdue."""
    if e.due_date is None or e.completed:
        return e
    return Expected(e.rule_id, e.list, e.child_id, e.due_date, (as_at - e.due_date).days)
