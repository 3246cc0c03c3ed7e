"""A synthetic monthly Annex A export with planted defects, and the manifest of findings they cause.

Background records are built to meet every rule; each planted record breaks exactly one thing.
Due dates in the manifest come from this module's own day-by-day working-day count (not the
engine's vectorised calendar), so the end-to-end test compares two independent computations.
The workbook is deliberately messy in the ways real exports are: title rows, `List 3`-style
sheet names, prefixed and plain codes, dates as Excel dates and as dd/mm/yyyy text, and
non-breaking spaces in names. Everything in it is invented.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

import holidays as holidays_lib

from audits.config import DEFAULT_DOCUMENTS as DOCUMENTS
from audits.spec import BY_LABEL, BY_NUMBER

TEAMS = ("Locality North", "Locality South", "Locality East")
FIRST = (
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Finn",
    "Grace",
    "Harvey",
    "Isla",
    "Jay",
    "Kai",
    "Lena",
)
LAST = (
    "Ahmed",
    "Brown",
    "Clarke",
    "Davies",
    "Evans",
    "Fraser",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
)


class Days:
    """Independent date arithmetic: a day-by-day working-day count and month addition."""

    def __init__(self) -> None:
        self.bank = holidays_lib.country_holidays("GB", subdiv="ENG", years=range(2000, 2040))

    def working(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self.bank

    def wd(self, start: dt.date, n: int) -> dt.date:
        day, counted = start, 0
        while counted < n:
            day += dt.timedelta(days=1)
            counted += self.working(day)
        return day

    @staticmethod
    def months(start: dt.date, n: int) -> dt.date:
        total = start.year * 12 + start.month - 1 + n
        year, month = divmod(total, 12)
        month += 1
        return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass
class Expected:
    rule_id: str
    list: str
    child_id: str
    due_date: dt.date | None = None
    days_overdue: int | None = None


@dataclass
class Builder:
    as_at: dt.date
    rng: random.Random
    days: Days = field(default_factory=Days)
    rows: dict[int, list[dict]] = field(default_factory=lambda: {n: [] for n in range(1, 10)})
    expected: list[Expected] = field(default_factory=list)
    next_id: int = 3_100_000

    def ago(self, lo: int, hi: int | None = None) -> dt.date:
        return self.as_at - dt.timedelta(days=self.rng.randint(lo, hi if hi is not None else lo))

    def child(self, team: str | None = None, age: tuple[int, int] = (3, 15)) -> dict:
        self.next_id += self.rng.randint(1, 97)
        years = self.rng.randint(*age)
        dob = self.as_at - dt.timedelta(days=years * 365 + self.rng.randint(30, 300))
        return {
            "child_id": str(self.next_id),
            "gender": self.rng.choice(["a) Male", "b) Female", "Male", "F"]),
            "ethnicity": self.rng.choice(["a) WBRI", "k) APKN", "o) BAFR", "WBRI"]),
            "dob": dob,
            "age": years,
            "team": team or self.rng.choice(TEAMS),
            "worker": f"{self.rng.choice(FIRST)}\u00a0{self.rng.choice(LAST)}",
        }

    def expect(
        self, rule_id: str, number: int, row: dict, due: dt.date | None = None, completed=None
    ):
        overdue = None
        if due is not None:
            overdue = ((completed or self.as_at) - due).days
        self.expected.append(Expected(rule_id, str(number), row["child_id"], due, overdue))

    # --- clean records (meet every rule) -------------------------------------------------------
    def contact(self) -> dict:
        return {**self.child(), "contact_date": self.ago(1, 150), "contact_source": "q) 6: Police"}

    def early_help(self) -> dict:
        start = self.ago(40, 150)
        return {
            **self.child(),
            "eh_start": start,
            "eh_completed": start + dt.timedelta(days=20),
            "eh_organisation": "Early Help Hub",
        }

    def referral(self) -> dict:
        return {
            **self.child(),
            "referral_date": self.ago(1, 150),
            "referral_source": "e) 2A: Schools",
            "referral_nfa": "b) No",
            "referrals_12m": self.rng.randint(0, 2),
        }

    def assessment(self, open_: bool | None = None) -> dict:
        open_ = self.rng.random() < 0.5 if open_ is None else open_
        start = self.ago(1, 40) if open_ else self.ago(100, 200)
        row = {
            **self.child(),
            "disability": "b) No",
            "assessment_start": start,
            "child_seen": "a) Yes",
            "assessed_in_need": "a) Yes",
        }
        row["assessment_authorised"] = (
            None if open_ else start + dt.timedelta(days=self.rng.randint(10, 30))
        )
        return row

    def s47(self) -> dict:
        strategy = self.ago(20, 120)
        return {
            **self.child(),
            "disability": "b) No",
            "strategy_date": strategy,
            "icpc_unnecessary": "b) No",
            "icpc_date": strategy + dt.timedelta(days=self.rng.randint(5, 14)),
            "icpc_plan": "a) Yes",
            "s47_12m": 0,
            "icpc_12m": 0,
        }

    def cin(self) -> dict:
        return {
            **self.child(),
            "disability": "b) No",
            "cin_start": self.ago(100, 600),
            "primary_need": "N1 - Abuse or neglect",
            "last_seen": self.ago(0, 14),
            "cin_closed": None,
            "closure_reason": None,
            "case_status": "c) Child in need plan",
        }

    def cp(self) -> dict:
        return {
            **self.child(),
            "disability": "b) No",
            "plan_start": self.ago(200, 600),
            "initial_category": "a) Neglect",
            "latest_category": "a) Neglect",
            "last_visit": self.ago(0, 7),
            "seen_alone": self.rng.choice(["a) Yes", "Yes", "Y"]),
            "latest_review": self.ago(10, 150),
            "plan_end": None,
            "epo": "b) No",
            "previous_plans": 0,
        }

    def cla(self) -> dict:
        row = self.child(team="Children in Care", age=(5, 15))
        placed = self.ago(60, 300)
        return {
            **row,
            "uasc": "b) No",
            "disability": "b) No",
            "cla_start": self.ago(700, 1200),
            "category_of_need": "N1 - Abuse or neglect",
            "subsequent_period": "b) No",
            "legal_status_start": self.ago(600, 650),
            "legal_status": "C2: FCO",
            "latest_review": self.ago(5, 150),
            "last_visit": self.ago(0, 30),
            "permanence_plan": "f) Long-term fostering",
            "last_iro_contact": self.ago(5, 150),
            "last_health_assessment": self.ago(5, 150),
            "last_dental_check": self.ago(5, 300),
            "placements_12m": self.rng.randint(1, 2),
            "ceased": None,
            "reason_ceased": None,
            "placement_start": placed,
            "placement_type": self.rng.choice(["f) U6: Foster placement - not FFA", "U6"]),
            "placement_provider": "b) PR1: Own provision",
            "missing_episodes": 0,
            "absent_episodes": 0,
            "return_interview_offered": None,
            "return_interview_accepted": None,
        }

    def care_leaver(self) -> dict:
        row = self.child(team="Care Leavers", age=(18, 21))
        return {
            **row,
            "uasc": "b) No",
            "disability": "b) No",
            "personal_adviser": "Pat\u00a0Adviser",
            "eligibility": "b) Former relevant child",
            "pathway_plan_review": self.ago(5, 150),
            "in_touch": self.rng.choice(["a) Yes", "Yes"]),
            "latest_contact": self.ago(0, 50),
            "accommodation_type": "U: Independent living",
            "accommodation_suitability": self.rng.choice(["a) Suitable", "Suitable"]),
            "activity": "F3: Full time in training or employment",
        }

    # --- planted defects ------------------------------------------------------------------------
    def plant(self) -> None:
        d, days, add = self.as_at, self.days, self.rows

        r = self.assessment(open_=True)
        r["assessment_start"] = self.ago(120)
        self.expect("ASM-01", 4, r, days.wd(r["assessment_start"], 45))
        add[4].append(r)
        r = self.assessment(open_=True)  # the latest start whose due date is not after today
        start = d - dt.timedelta(days=60)
        while days.wd(start + dt.timedelta(days=1), 45) <= d:
            start += dt.timedelta(days=1)
        r["assessment_start"] = start
        if days.wd(start, 45) < d:  # no start falls due exactly today (a weekend or holiday)
            self.expect("ASM-01", 4, r, days.wd(start, 45))
        add[4].append(r)
        r = self.assessment(open_=False)
        due = days.wd(r["assessment_start"], 45)
        r["assessment_authorised"] = due + dt.timedelta(days=3)
        self.expect("ASM-02", 4, r, due, completed=r["assessment_authorised"])
        add[4].append(r)
        r = self.assessment(open_=False)
        r["child_seen"] = "b) No"
        self.expect("ASM-03", 4, r)
        add[4].append(r)

        r = self.s47()
        due = days.wd(r["strategy_date"], 15)
        r["icpc_date"] = days.wd(due, 1)
        self.expect("S47-01", 5, r, due, completed=r["icpc_date"])
        add[5].append(r)
        r = self.s47()
        r["strategy_date"], r["icpc_date"], r["icpc_plan"] = self.ago(60), None, None
        self.expect("S47-02", 5, r, days.wd(r["strategy_date"], 15))
        add[5].append(r)
        r = self.s47()
        r["strategy_date"], r["icpc_date"], r["icpc_unnecessary"], r["icpc_plan"] = (
            self.ago(60),
            None,
            "a) Yes",
            None,
        )
        add[5].append(r)  # deemed unnecessary: no finding

        r = self.cin()
        r["last_seen"] = self.ago(60)
        self.expect("CIN-01", 6, r, days.wd(r["last_seen"], 20))
        add[6].append(r)
        r = self.cin()
        r["last_seen"], r["cin_start"] = None, self.ago(90)
        self.expect("CIN-01", 6, r, days.wd(r["cin_start"], 20))
        add[6].append(r)
        r = self.cin()
        r["worker"] = None
        self.expect("ALL-01", 6, r)
        add[6].append(r)
        r = self.cin()
        r["last_seen"], r["cin_closed"], r["closure_reason"] = self.ago(200), self.ago(150), "RC7"
        add[6].append(r)  # closed: no finding

        r = self.cp()
        r["last_visit"] = self.ago(30)
        self.expect("CP-01", 7, r, days.wd(r["last_visit"], 10))
        add[7].append(r)
        r = self.cp()
        r["latest_review"] = self.ago(200)
        self.expect("CP-02", 7, r, days.months(r["latest_review"], 6))
        add[7].append(r)
        r = self.cp()
        r["plan_start"] = self.ago(800)
        self.expect("CP-03", 7, r, days.months(r["plan_start"], 24))
        add[7].append(r)
        r = self.cp()
        r["seen_alone"] = "b) No"
        self.expect("CP-04", 7, r)
        add[7].append(r)
        r = self.cp()
        r["plan_start"], r["plan_end"] = self.ago(200), self.ago(300)  # ended before it started
        self.expect("DQ-05", 7, r)
        add[7].append(r)
        r = self.cin()
        r["primary_need"] = (
            "PSRMEM - Support with memory and cognition"  # an adult social care code
        )
        self.expect("DQ-05", 6, r)
        self.expect("DQ-04", 6, r)  # not in Ofsted's Primary Need code list
        add[6].append(r)
        r = self.cp()
        r["seen_alone"] = "Maybe"
        self.expect("DQ-04", 7, r)
        add[7].append(r)

        r = self.cla()
        r["latest_review"] = self.ago(250)
        self.expect("CLA-01", 8, r, days.months(r["latest_review"], 6))
        add[8].append(r)
        r = self.cla()
        r["last_visit"] = self.ago(60)
        self.expect("CLA-02", 8, r, r["last_visit"] + dt.timedelta(days=42))
        add[8].append(r)
        r = self.cla()
        r["last_health_assessment"] = self.ago(400)
        self.expect("CLA-03", 8, r, days.months(r["last_health_assessment"], 12))
        add[8].append(r)
        r = self.cla()
        r["last_dental_check"] = self.ago(420)
        self.expect("CLA-04", 8, r, days.months(r["last_dental_check"], 12))
        add[8].append(r)
        r = self.cla()
        r["missing_episodes"], r["return_interview_offered"] = 2, "b) No"
        self.expect("CLA-05", 8, r)
        add[8].append(r)
        r = self.cla()
        r["placements_12m"] = 4
        self.expect("CLA-06", 8, r)
        add[8].append(r)
        r = self.cla()
        r["permanence_plan"] = None
        self.expect("CLA-07", 8, r, days.months(r["cla_start"], 4))
        add[8].append(r)
        r = self.cla()
        r["last_iro_contact"] = "31/02/2026"
        self.expect("DQ-04", 8, r)
        add[8].append(r)
        r = self.cla()
        self.expect("DQ-01", 8, r)
        add[8].extend([r, dict(r)])

        r = self.care_leaver()
        r["pathway_plan_review"] = self.ago(250)
        self.expect("CL-01", 9, r, days.months(r["pathway_plan_review"], 6))
        add[9].append(r)
        r = self.care_leaver()
        r["personal_adviser"] = None
        self.expect("CL-02", 9, r)
        add[9].append(r)
        r = self.care_leaver()
        r["in_touch"] = "b) No"
        self.expect("CL-03", 9, r)
        add[9].append(r)
        r = self.care_leaver()
        r["latest_contact"] = self.ago(90)
        self.expect("CL-04", 9, r, r["latest_contact"] + dt.timedelta(days=56))
        add[9].append(r)
        r = self.care_leaver()
        r["accommodation_suitability"] = "b) Unsuitable"
        self.expect("CL-05", 9, r)
        add[9].append(r)

        r = self.contact()
        r["contact_date"] = d + dt.timedelta(days=5)
        self.expect("DQ-02", 1, r)
        add[1].append(r)
        a, b = self.referral(), self.assessment(open_=True)
        b["child_id"] = a["child_id"]
        b["dob"] = a["dob"] - dt.timedelta(days=40)
        self.expected.append(Expected("DQ-03", "3, 4", a["child_id"]))
        add[3].append(a)
        add[4].append(b)

    def build(self, per_list: int | dict[int, int]) -> None:
        """Background rows (the same number per list, or a count per list number), then defects."""
        makers = {
            1: self.contact,
            2: self.early_help,
            3: self.referral,
            4: self.assessment,
            5: self.s47,
            6: self.cin,
            7: self.cp,
            8: self.cla,
            9: self.care_leaver,
        }
        for number, make in makers.items():
            count = per_list.get(number, 0) if isinstance(per_list, dict) else per_list
            self.rows[number].extend(make() for _ in range(count))
        self.plant()
        self.plant_local()
        self.local = self.local_tables()
        for rows in [*self.rows.values(), *self.local.values()]:
            self.rng.shuffle(rows)

    # --- the council's local tables ---------------------------------------------------------------
    def plant_local(self) -> None:
        add = self.rows
        self.no_oversight: set[str] = set()
        self.old_oversight: dict[str, dt.date] = {}
        self.missing_documents: dict[str, dict[str, str | None]] = {}
        r = self.cla()
        self.old_oversight[r["child_id"]] = self.ago(60)
        due = self.old_oversight[r["child_id"]] + dt.timedelta(days=42)
        self.expect("MO-01", 8, r, due)
        add[8].append(r)
        r = self.cin()
        self.no_oversight.add(r["child_id"])
        self.expect("MO-01", 6, r)
        add[6].append(r)
        r = self.care_leaver()
        self.missing_documents[r["child_id"]] = {"Passport or photo ID": "N", "Bank account": None}
        self.expect("CL-06", 9, r)
        self.expect("CL-06", 9, r)
        add[9].append(r)
        overloaded = [{**self.cin(), "worker": "Olu\u00a0Overload"} for _ in range(10)]
        at_standard = [{**self.cin(), "worker": "Nia Newly"} for _ in range(16)]
        add[6].extend(overloaded + at_standard)
        self.expected.append(Expected("WF-01", "4-9", ""))

    def local_tables(self) -> dict[str, list[dict]]:
        documents = []
        for row in self.rows[9]:
            held = {doc: "Y" for doc in DOCUMENTS} | self.missing_documents.get(row["child_id"], {})
            for doc, value in held.items():
                if value is not None:
                    documents.append(
                        {
                            "child_id": row["child_id"],
                            "document": doc,
                            "held": value,
                            "recorded": self.ago(30, 400),
                        }
                    )
        open_rows = [
            r
            for n in (4, 5, 6, 7, 8, 9)
            for r in self.rows[n]
            if not any(
                r.get(end) for end in ("assessment_authorised", "cin_closed", "plan_end", "ceased")
            )
        ]
        children: dict[str, set[str]] = {}
        for r in open_rows:
            if r.get("worker"):
                children.setdefault(" ".join(r["worker"].split()), set()).add(r["child_id"])
        workers = []
        for name, kids in sorted(children.items()):
            role, fte = "SW", float(max(1, -(-len(kids) // 15)))
            if name == "Olu Overload":
                fte = 0.5
            elif name == "Nia Newly":
                role = "NQSW/ASYE"
            workers.append(
                {
                    "worker": name,
                    "team": self.rng.choice(TEAMS),
                    "fte": fte,
                    "role": role,
                    "agency": "N",
                }
            )
        oversight = []
        for n in (6, 7, 8):
            for r in self.rows[n]:
                if r["child_id"] in self.no_oversight or r.get("cin_closed"):
                    continue
                when = self.old_oversight.get(r["child_id"], self.ago(0, 40))
                oversight.append({"child_id": r["child_id"], "last_oversight": when})
        return {
            "care_leaver_documents": documents,
            "workers": workers,
            "management_oversight": oversight,
        }


def _cell(value: object, text_dates: bool):
    if isinstance(value, dt.date) and text_dates:
        return value.strftime("%d/%m/%Y")
    return value


def write_example(
    out: Path, as_at: dt.date, *, seed: int = 7, children: int | dict[int, int] = 40
) -> tuple[Path, Path]:
    """Write `annex_a_<yyyy-mm>.xlsx` and `manifest.csv` into `out`."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    builder = Builder(as_at, random.Random(seed))
    builder.build(children)
    out.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    front = wb.create_sheet("Front_Sheet")
    front.append(["Annex A - Child level data (synthetic example; every record is invented)"])

    def cell(ws, value):
        if isinstance(value, dt.date):
            dated = WriteOnlyCell(ws, value=value)
            dated.number_format = "dd/mm/yyyy"
            return dated
        return value

    for number, rows in builder.rows.items():
        spec = BY_NUMBER[number]
        ws = wb.create_sheet(f"List {number}" if number in (3, 9) else f"List_{number}")
        if number not in (3, 9):
            ws.append([f"List {number}: {spec.title}"])
        ws.append([f.heading for f in spec.fields])
        text_dates = number in (6, 9)
        for row in rows:
            ws.append([cell(ws, _cell(row.get(f.name), text_dates)) for f in spec.fields])
    for key, rows in builder.local.items():
        spec = BY_LABEL[key]
        ws = wb.create_sheet(spec.title)
        ws.append([f.heading for f in spec.fields])
        for row in rows:
            ws.append([cell(ws, row.get(f.name)) for f in spec.fields])
    workbook = out / f"annex_a_{as_at:%Y-%m}.xlsx"
    wb.save(workbook)
    manifest = out / "manifest.csv"
    with manifest.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["rule_id", "list", "child_id", "due_date", "days_overdue"])
        for e in sorted(builder.expected, key=lambda e: (e.rule_id, e.child_id)):
            writer.writerow(
                [
                    e.rule_id,
                    e.list,
                    e.child_id,
                    e.due_date.isoformat() if e.due_date else "",
                    "" if e.days_overdue is None else e.days_overdue,
                ]
            )
    return workbook, manifest
