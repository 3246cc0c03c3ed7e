"""Property: the vectorised cross-list rules agree with plain, row-by-row reference versions.

DQ-01, DQ-03, MO-01, CL-06 and WF-01 work on integer codes shared across the export's tables
(`audits.ingest.keys`). Here each is written again the obvious way, one row at a time in plain
Python straight from the catalogue, and both are run over random small exports whose few child
ids and workers recur across lists, with blanks, closed and future-dated records.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits.core.config import Config
from audits.engine.run import run_rules
from audits.model.spec import BY_NUMBER, header_key
from tests.conftest import make_ctx, rule_by_id

AS_AT = dt.date(2026, 11, 23)
IDS = st.sampled_from(["A", "B", "C", "D", "E", None])
WORKERS = st.sampled_from(["Ann Lee", "ann  lee", "Bob Roy", "bob roy.", "Cy", None])
DAYS = st.one_of(
    st.none(),
    st.sampled_from([AS_AT - dt.timedelta(days=n) for n in (-3, 0, 1, 41, 42, 43, 44, 400)]),
)
DOBS = st.one_of(
    st.none(),
    st.sampled_from(
        [dt.date(2008, 11, 23), dt.date(2008, 11, 24), dt.date(2010, 1, 1), dt.date(2020, 5, 5)]
    ),
)
DOCUMENTS = st.sampled_from(
    ["Birth certificate", "birth  Certificate", "National Insurance number", "Passport", None]
)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


@st.composite
def exports(draw) -> dict:
    lists = {}
    for n in (4, 6, 7, 8, 9):
        spec = BY_NUMBER[n]
        rows = []
        for _ in range(draw(st.integers(1, 6))):
            row = {"child_id": draw(IDS), "dob": _iso(draw(DOBS)), "worker": draw(WORKERS)}
            if spec.end_field:
                row[spec.end_field] = _iso(draw(DAYS))
            rows.append(row)
        lists[n] = rows
    lists["management_oversight"] = [
        {"child_id": draw(IDS), "last_oversight": _iso(draw(DAYS))}
        for _ in range(draw(st.integers(0, 5)))
    ] or [{"child_id": None, "last_oversight": None}]
    lists["care_leaver_documents"] = [
        {
            "child_id": draw(IDS),
            "document": draw(DOCUMENTS),
            "held": draw(st.sampled_from(["Yes", "No", None])),
        }
        for _ in range(draw(st.integers(0, 8)))
    ] or [{"child_id": None, "document": None, "held": None}]
    lists["workers"] = [
        {
            "worker": w,
            "fte": draw(st.sampled_from([0.0, 0.1, 0.5, 1.0])),
            "role": draw(st.sampled_from(["Social worker", "NQSW/ASYE"])),
        }
        for w in draw(st.lists(WORKERS.filter(bool), min_size=1, max_size=4))
    ]
    return lists


def _open(n: int, row: dict) -> bool:
    end = BY_NUMBER[n].end_field
    return end is None or row.get(end) is None or dt.date.fromisoformat(row[end]) > AS_AT


def _found(rule_id: str, lists: dict, config: Config | None = None):
    ctx = make_ctx(lists, AS_AT, config)
    result = run_rules(ctx, [rule_by_id(rule_id)])
    assert result.outcomes[0].ran, result.outcomes[0].reason
    return result.findings


def reference_dq01(lists: dict) -> set:
    expected = set()
    for n in (7, 8, 9):
        counts: dict[str, int] = defaultdict(int)
        for row in lists.get(n, []):
            if row["child_id"] is not None and _open(n, row):
                counts[row["child_id"]] += 1
        expected |= {(str(n), child, count) for child, count in counts.items() if count > 1}
    return expected


def reference_dq03(lists: dict) -> set:
    dobs: dict[str, set] = defaultdict(set)
    on: dict[str, set] = defaultdict(set)
    for n in sorted(k for k in lists if isinstance(k, int)):
        for row in lists[n]:
            if row["child_id"] is not None and row["dob"] is not None:
                dobs[row["child_id"]].add(row["dob"])
                on[row["child_id"]].add(n)
    return {
        (child, ", ".join(str(n) for n in sorted(on[child])))
        for child, seen in dobs.items()
        if len(seen) > 1
    }


def reference_mo01(lists: dict, days: int = 42) -> set:
    last: dict[str, dt.date] = {}
    for row in lists["management_oversight"]:
        if row["child_id"] is not None and row["last_oversight"] is not None:
            day = dt.date.fromisoformat(row["last_oversight"])
            last[row["child_id"]] = max(day, last.get(row["child_id"], day))
    on: dict[str, list] = defaultdict(list)
    for n in (6, 7, 8):
        for row in lists.get(n, []):
            if row["child_id"] is not None and _open(n, row) and n not in on[row["child_id"]]:
                on[row["child_id"]].append(n)
    return {
        (child, ", ".join(map(str, ns)))
        for child, ns in on.items()
        if child not in last or last[child] + dt.timedelta(days=days) < AS_AT
    }


def reference_cl06(lists: dict, required: tuple[str, ...]) -> set:
    held = {
        (row["child_id"], header_key(row["document"]))
        for row in lists["care_leaver_documents"]
        if row["held"] == "Yes" and row["document"] is not None
    }
    expected = set()
    for row in lists.get(9, []):
        if row["child_id"] is None or row["dob"] is None:
            continue
        born = dt.date.fromisoformat(row["dob"])
        age = AS_AT.year - born.year - ((AS_AT.month, AS_AT.day) < (born.month, born.day))
        if age >= 18:
            expected |= {
                (row["child_id"], doc)
                for doc in required
                if (row["child_id"], header_key(doc)) not in held
            }
    return expected


def _name(worker: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in worker.casefold()).split())


def reference_wf01(lists: dict, config: Config) -> set:
    children: dict[str, set] = defaultdict(set)
    for n in (4, 6, 7, 8, 9):
        for row in lists.get(n, []):
            if row["child_id"] is not None and row["worker"] is not None and _open(n, row):
                children[_name(row["worker"])].add(row["child_id"])
    expected, seen = set(), set()
    for staff in lists["workers"]:
        key = _name(staff["worker"])
        if key in seen:
            continue
        seen.add(key)
        standard = (
            config.caseload_standard_nqsw
            if staff["role"] == "NQSW/ASYE"
            else config.caseload_standard
        )
        if staff["fte"] > 0 and round(len(children[key]) / staff["fte"], 1) > standard:
            expected.add((staff["worker"], len(children[key])))
    return expected


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(exports())
def test_dq01_matches_reference(lists):
    found = _found("DQ-01", lists)
    counts = found["message"].str.extract(r"has (\d+) open records")[0].astype(int)
    got = set(zip(found["list"], found["child_id"], counts, strict=True))
    assert got == reference_dq01(lists)
    assert len(found) == len(got)  # one finding per child and list


@PROPERTY
@given(exports())
def test_dq03_matches_reference(lists):
    found = _found("DQ-03", lists)
    assert set(zip(found["child_id"], found["list"], strict=True)) == reference_dq03(lists)
    assert found["child_id"].is_unique


@PROPERTY
@given(exports())
def test_mo01_matches_reference(lists):
    found = _found("MO-01", lists)
    assert set(zip(found["child_id"], found["list"], strict=True)) == reference_mo01(lists)
    assert found["child_id"].is_unique


@PROPERTY
@given(exports())
def test_cl06_matches_reference(lists):
    config = Config(required_documents=("Birth certificate", "Passport", "Bank account"))
    found = _found("CL-06", lists, config)
    got = set(zip(found["child_id"], found["value"], strict=True))
    assert got == reference_cl06(lists, config.required_documents)
    assert len(found) == len(got)


@PROPERTY
@given(exports())
def test_wf01_matches_reference(lists):
    config = Config(caseload_standard=1, caseload_standard_nqsw=0.5)  # small teams, low standards
    found = _found("WF-01", lists, config)
    got = set(
        zip(
            found["worker"],
            found["message"].str.extract(r"\((\d+) children")[0].astype(int),
            strict=True,
        )
    )
    assert got == reference_wf01(lists, config)
