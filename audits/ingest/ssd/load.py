"""The Standard Safeguarding Dataset read onto the canonical lists, with their histories
(docs/ssd.md). `load_ssd` reads the tables from a `Source` (database or CSV dumps), builds Lists
1 to 10 as at D, the histories of Lists 6 to 8, the workers table, and says what it could not
read and why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from audits.core.config import Config
from audits.core.errors import InputError
from audits.ingest.keys import member
from audits.ingest.returns import ReturnExport
from audits.ingest.ssd import care, cases, front
from audits.ingest.ssd.base import Context
from audits.ingest.ssd.extract import ORIGIN, Extract, read_all
from audits.ingest.ssd.parse import Problems
from audits.ingest.ssd.people import involvement_history, involvements, people, workers_table
from audits.ingest.ssd.source import Source

STALE_DAYS = 7
EVENT_FIELDS = (  # the latest of these is the extract's latest recorded event (docs/ssd.md §2)
    ("ssd_contacts", "cont_contact_date"),
    ("ssd_cin_episodes", "cine_referral_date"),
    ("ssd_cin_assessments", "cina_assessment_start_date"),
    ("ssd_s47_enquiry", "s47e_s47_start_date"),
    ("ssd_cin_visits", "cinv_cin_visit_date"),
    ("ssd_cp_visits", "cppv_cp_visit_date"),
    ("ssd_cla_visits", "clav_cla_visit_date"),
    ("ssd_cp_reviews", "cppr_cp_review_date"),
    ("ssd_cla_reviews", "clar_cla_review_date"),
    ("ssd_missing", "miss_missing_episode_start_date"),
)
START_FIELDS = (  # the earliest of these is the first date the extract holds
    ("ssd_cin_episodes", "cine_referral_date"),
    ("ssd_cp_plans", "cppl_cp_plan_start_date"),
    ("ssd_cla_episodes", "clae_cla_episode_start_date"),
    ("ssd_cla_reviews", "clar_cla_review_date"),
)
LIST_TABLES = {
    1: "ssd_contacts",
    2: "ssd_early_help_episodes",
    3: "ssd_cin_episodes",
    4: "ssd_cin_assessments",
    5: "ssd_s47_enquiry",
    6: "ssd_cin_episodes",
    7: "ssd_cp_plans",
    8: "ssd_cla_episodes",
    9: "ssd_care_leavers",
    10: "ssd_permanence",
    11: None,
}
HISTORY_TABLES = {
    "cin_visits": "ssd_cin_visits",
    "cp_visits": "ssd_cp_visits",
    "cla_visits": "ssd_cla_visits",
    "cla_placements": "ssd_cla_placement",
    "cp_reviews": "ssd_cp_reviews",
    "cla_reviews": "ssd_cla_reviews",
    "health_checks": "ssd_cla_health",
    "missing_episodes": "ssd_missing",
    "involvements": "ssd_involvements",
}


@dataclass
class SsdExport(ReturnExport):
    """An export read from the SSD: where from (a folder, or a URL without its password), the
    as-at date used and where it came from, and what the reading found worth saying."""

    source: str = ""
    schema: str | None = None
    details: dict = field(default_factory=dict)
    # warnings already shaped for Summary and the CLI (`Export.notes` holds the readers' text)
    ssd_warnings: list[dict] = field(default_factory=list)

    def summary(self, given: dt.date | None) -> dict:
        return {
            "export": self.source + (f" (schema {self.schema})" if self.schema else ""),
            "ssd": {
                **self.details,
                "as_at_from": "--as-at" if given else self.reference_note,
                "not_read": list(self.skipped),
                "histories": {key: len(t.frame) for key, t in self.tables.items()},
            },
        }

    def warnings(self) -> list[dict]:
        return list(self.ssd_warnings)


def _warning(kind: str, message: str, rules: list[str] | None = None, number=None, column=None):
    return {
        "kind": kind,
        "list": number,
        "column": column,
        "rules": rules or [],
        "message": message,
    }


def load_ssd(source: Source, as_at: dt.date | None, config: Config | None) -> SsdExport:
    """Read the SSD at `source` as at `as_at` (default: today)."""
    try:
        return _load(source, as_at, config or Config())
    finally:
        source.close()


def _load(source: Source, as_at: dt.date | None, config: Config) -> SsdExport:
    problems = Problems()
    held = read_all(source, problems)
    useful = set(held) & {t for t in LIST_TABLES.values() if t}
    if not useful:
        raise InputError(
            "The SSD holds none of the tables the audit's lists come from",
            file=source.description,
            expected="ssd_ tables such as ssd_person, ssd_cin_episodes, ssd_cp_plans, "
            "ssd_cla_episodes (docs/ssd.md)",
        )
    date = as_at or dt.date.today()
    note = "--as-at" if as_at else "today (the default, as for Annex A)"
    ex = Extract(source, held, problems, config, date, note)
    pp = people(ex)
    inv = involvements(ex)
    c = Context(ex, pp, inv)
    visits = cases.all_visits(c)
    lists, tables, notes = {}, {}, []
    for number, build in (
        (1, front.list1),
        (2, front.list2),
        (3, front.list3),
        (4, front.list4),
        (5, front.list5),
    ):
        table = build(c)
        if table is not None:
            lists[number] = table
    list7, cp_visits, cp_reviews = cases.list7(c, visits)
    if list7 is not None:
        lists[7] = list7
        tables.update({"cp_visits": cp_visits, "cp_reviews": cp_reviews})
    built8 = care.list8(c, visits, notes)
    if built8 is not None:
        lists[8] = built8.list8
        tables.update(built8.tables)
    status = _open_children(c, lists)
    list6, cin_visits = cases.list6(c, visits, status)
    if list6 is not None:
        lists[6] = list6
        tables["cin_visits"] = cin_visits
    for number, build in ((9, care.list9), (10, care.list10)):
        table = build(c)
        if table is not None:
            lists[number] = table
    on_lists = {child for t in lists.values() for child in t.frame["child_id"].dropna()}
    cases.report_visits(c, visits, on_lists)
    allocated = set()
    for n in (6, 7, 8):
        if n in lists:
            allocated |= set(lists[n].frame["child_id"].dropna())
    tables["involvements"] = involvement_history(inv, allocated, ex, pp)
    named = {w for t in lists.values() if "worker" in t.frame for w in t.frame["worker"].dropna()}
    workers = workers_table(ex, pp, inv, named)
    if workers is not None:
        tables["workers"] = workers
    _report_persons(c, lists)
    tables = {k: v for k, v in tables.items() if v is not None}
    absent = _absent(ex, lists, tables)
    export = SsdExport(
        Path(source.description),
        list(source.files),
        dict(sorted(lists.items())),
        problems.frame(),
        list(source.not_read),
        tables,
        absent=absent,
        history_period=True,
        history_from=_history_from(ex),
        kind=ORIGIN,
        reference_date=date,
        reference_note=note,
        source=source.description,
        schema=source.schema,
    )
    export.details, export.ssd_warnings = _details(ex, c, lists, tables, notes)
    return export


def _open_children(c: Context, lists: dict) -> dict[str, set[str]]:
    """Children with an open List 8, List 7, List 4 row or an open CIN plan (Case Status)."""
    out: dict[str, set[str]] = {"cin_plan": cases.open_cin_plans(c)}
    for key, number, end in (
        ("cla", 8, "ceased"),
        ("cp", 7, "plan_end"),
        ("assessment", 4, "assessment_authorised"),
    ):
        table = lists.get(number)
        if table is None or end not in table.frame:
            out[key] = set()
            continue
        f = table.frame
        is_open = f[end].isna() | (f[end] > c.ex.date)
        out[key] = set(f.loc[is_open, "child_id"].dropna())
    return out


def _report_persons(c: Context, lists: dict) -> None:
    """Unreadable person values, once per person, under the first list the child is on."""
    held = c.ex.get("ssd_person")
    persons = c.pp.persons
    if held is None or persons.empty:
        return
    first = pd.Series(np.nan, index=persons.index, dtype="float64")
    for number in sorted(lists, reverse=True):
        children = lists[number].frame["child_id"]
        first[member(persons.index, children)] = number
    for field_name, bad, canonical, expected in (
        ("pers_ethnicity", "_ethnicity_bad", "ethnicity", "a DfE ethnicity code (WBRI, APKN ...)"),
        ("pers_dob", "_dob_bad", "dob", "a date"),
    ):
        if bad not in persons:
            continue
        for number in sorted(set(first.dropna().astype(int))):
            mask = persons[bad].to_numpy(bool) & (first == number).to_numpy()
            rows = persons["_pos"].to_numpy()[mask]
            held.report(
                field_name,
                np.ones(len(held), dtype=bool),
                rows=rows,
                list_label=str(number),
                canonical=canonical,
                expected=expected,
            )
    if "_gender_bad" in persons:
        for number in sorted(set(first.dropna().astype(int))):
            for source in ("pers_sex", "pers_gender"):
                mask = (
                    persons["_gender_bad"].to_numpy(bool)
                    & (first == number).to_numpy()
                    & (persons["_gender_from"] == source).to_numpy()
                )
                held.report(
                    source,
                    np.ones(len(held), dtype=bool),
                    rows=persons["_pos"].to_numpy()[mask],
                    list_label=str(number),
                    canonical="gender",
                    expected="M, F, U, I or 00, 01, 02, 09",
                )


def _absent(ex: Extract, lists: dict, tables: dict) -> dict[str, str]:
    where = "the CSV files" if ex.source.files else f"the database{_schema(ex)}"
    out = {}
    for number, table in LIST_TABLES.items():
        if number in lists:
            continue
        out[f"list{number}"] = (
            f"{table} is not in {where}" if table else "the SSD holds no adopters (List 11)"
        )
    for key, table in HISTORY_TABLES.items():
        if key not in tables:
            out[key] = f"{table} is not in {where}"
    if "workers" not in tables:
        out["workers"] = f"ssd_professionals is not in {where}"
    for key in ("care_leaver_documents", "management_oversight"):
        out[key] = "the SSD has no such table; give it as a CSV file beside the SSD dumps"
    return out


def _schema(ex: Extract) -> str:
    return f" (schema {ex.source.schema})" if ex.source.schema else ""


def _history_from(ex: Extract) -> dt.date | None:
    earliest = []
    for table, name in START_FIELDS:
        held = ex.get(table)
        if held is not None and held.has(name):
            when = held.date(name)
            if when.notna().any():
                earliest.append(when.min())
    return min(earliest).date() if earliest else None


def _latest_event(ex: Extract) -> tuple[pd.Timestamp | None, str | None]:
    today = pd.Timestamp(dt.date.today())
    best, where = None, None
    for table, name in EVENT_FIELDS:
        held = ex.get(table)
        if held is None or not held.has(name):
            continue
        when = held.date(name)
        when = when[when <= max(today, ex.date)]
        if when.notna().any():
            latest = when.max()
            if best is None or latest > best:
                best, where = latest, f"{table}.{name}"
    return best, where


def _details(ex: Extract, c: Context, lists: dict, tables: dict, notes: list[str]):
    latest, where = _latest_event(ex)
    warnings = []
    if latest is not None and (ex.date - latest).days > STALE_DAYS:
        warnings.append(
            _warning(
                "stale extract",
                f"The latest event recorded in the SSD is {latest:%d/%m/%Y} ({where}), "
                f"{(ex.date - latest).days} days before the as-at date {ex.as_at:%d/%m/%Y}: the "
                "extract may be stale, and every timescale is judged as if nothing had happened "
                "since. Refresh the SSD, or give --as-at the date it was built",
            )
        )
    elif latest is None:
        warnings.append(
            _warning(
                "stale extract",
                "The SSD holds no dated event (contact, "
                "referral, visit, review ...): the as-at date cannot be "
                "checked against it",
            )
        )
    if ex.dropped_after:
        text = ", ".join(f"{n:,} in {t}" for t, n in sorted(ex.dropped_after.items()))
        warnings.append(
            _warning(
                "events after the as-at date",
                f"Events dated after the as-at date were left out ({text}): the audit judges the "
                "SSD as it stood on the as-at date",
            )
        )
    if ex.problems.sentinels:
        text = ", ".join(f"{n:,} in {f}" for f, n in sorted(ex.problems.sentinels.items()))
        warnings.append(
            _warning(
                "placeholder dates",
                f"Dates on or before 01/01/1900 (the extract's way of writing 'none') were read as "
                f"blank: {text}",
            )
        )
    inv = c.inv
    if inv is not None and inv.fallback:
        found = ", ".join(f"'{k}' ({v:,})" for k, v in list(inv.roles_found.items())[:12])
        warnings.append(
            _warning(
                "worker roles",
                "No involvement in ssd_involvements has a role the config names as an allocated "
                f"social worker (ssd_worker_roles), so every involvement counts as one: the roles "
                f"found are {found}. Set ssd_worker_roles in the audit config",
                ["ALL-01", "WF-01", "WF-02"],
            )
        )
    for text in notes:
        warnings.append(_warning("ssd", text))
    details = {
        "source": ex.source.description,
        "schema": ex.source.schema,
        "period": {
            "from": ex.period_start.date().isoformat(),
            "to": ex.as_at.isoformat(),
            "months": ex.config.history_months,
        },
        "latest_event": {
            "date": latest.date().isoformat() if latest is not None else None,
            "field": where,
        },
        "history_from": (h.isoformat() if (h := _history_from(ex)) else None),
        "tables_read": {name: len(h) for name, h in sorted(ex.held.items())},
        "events_after_as_at": dict(ex.dropped_after),
        "placeholder_dates": dict(ex.problems.sentinels),
        "worker_roles": {
            "in_force": list(ex.config.ssd_worker_roles),
            "found": dict(inv.roles_found) if inv is not None else {},
            "every_involvement_counted": bool(inv.fallback) if inv is not None else None,
        },
    }
    return details, warnings
