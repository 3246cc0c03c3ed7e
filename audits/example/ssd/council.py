"""A synthetic council as its Standard Safeguarding Dataset would hold it: children, workers and
every record with its history (visits, reviews, placements, missing episodes, allocations), up
to `years` back from the as-at date. Background records meet every rule at every interval; each
planted record breaks one thing, and the findings it must cause are listed (`Expected`), with
the inputs that can see them: both the SSD and Annex A, or the SSD alone (a lapse mid-period
whose latest event is in time, a visit not seen alone, a return interview after an earlier
missing episode, changes of worker). Due dates come from the example's own day-by-day
calendar (`audits.example.calendar`), not the engine's. Everything in it is invented.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from audits.example import people
from audits.example.calendar import Days
from audits.example.people import FIRST, LAST, TEAMS

ONE = dt.timedelta(days=1)


@dataclass
class Visit:
    id: str
    date: dt.datetime
    seen: str = "Y"
    alone: str = "Y"
    bedroom: str = "Y"


@dataclass
class Review:
    id: str
    date: dt.date
    due: dt.date | None = None
    quorate: str = "Y"
    cancelled: str = "N"


@dataclass
class Child:
    id: str
    sex: str
    ethnicity: str
    dob: dt.date
    disability: bool = False


@dataclass
class Worker:
    id: str
    name: str
    team: str  # team id
    fte: float = 1.0
    title: str = "Social Worker"


@dataclass
class Involvement:
    id: str
    child: str
    worker: str
    start: dt.date
    end: dt.date | None = None
    reason: str = "FCONTA"
    role: str = "CW"


@dataclass
class Cin:
    id: str
    child: str
    start: dt.date
    end: dt.date | None = None
    need: str = "N1"
    source: str = "2A"
    nfa: str = "N"
    visits: list[Visit] = field(default_factory=list)


@dataclass
class Assessment:
    id: str
    child: str
    referral: str
    start: dt.date
    auth: dt.date | None
    seen: str = "Y"
    worker: str | None = None


@dataclass
class S47:
    id: str
    child: str
    start: dt.date
    end: dt.date | None
    icpc: dt.date | None
    conference: str = "Y"
    worker: str | None = None


@dataclass
class CpPlan:
    id: str
    child: str
    referral: str
    start: dt.date
    end: dt.date | None = None
    category: str = "NEG"
    visits: list[Visit] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)


@dataclass
class Placement:
    id: str
    start: dt.date
    end: dt.date | None
    type: str = "U6"
    provider: str = "PR1"


@dataclass
class Missing:
    id: str
    start: dt.datetime
    end: dt.datetime | None
    kind: str = "M"
    offered: str | None = "Y"
    accepted: str | None = "Y"
    offered_at: dt.datetime | None = None


@dataclass
class Period:
    id: str  # clae_cla_id
    child: str
    referral: str
    start: dt.date
    end: dt.date | None = None
    reason: str | None = None
    legal: str = "C2"
    plan: str | None = "LTFOST18"
    placements: list[Placement] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    health: list[tuple[str, str, dt.date]] = field(default_factory=list)  # id, type, date
    missing: list[Missing] = field(default_factory=list)


@dataclass
class Leaver:
    id: str
    child: str
    worker: str
    eligibility: str = "Former Relevant"
    in_touch: str = "YES"
    contact: dt.date | None = None
    accommodation: str = "U"
    suitable: str | None = "1"
    activity: str = "F2"
    review: dt.date | None = None
    adviser: str | None = None


@dataclass
class Expected(people.Expected):
    """A finding the example must cause, and the inputs that can see it: both (the SSD and
    Annex A), ssd (only the SSD's histories show it) or annex_a."""

    inputs: str = "both"


@dataclass
class Scale:
    """How many records of each kind (besides the planted ones) and how many years back."""

    cin: int = 40
    cp: int = 25
    cla: int = 25
    leavers: int = 20
    contacts: int = 40
    assessments: int = 30
    s47: int = 20
    early_help: int = 10
    years: int = 2
    closed_share: float = 0.2  # records that ended (some before the audit period)
    cin_days: int | None = None  # open CIN and CP records began at most this long ago
    cla_visit_days: int = 21  # days between visits to a child in care (42 at most)
    cla_review_days: int = 150  # days between later statutory reviews (6 months at most)


@dataclass
class Council:
    """The whole council, built record by record from seeded random numbers."""

    as_at: dt.date
    rng: random.Random
    days: Days = field(default_factory=Days)
    children: dict[str, Child] = field(default_factory=dict)
    workers: dict[str, Worker] = field(default_factory=dict)
    involvements: list[Involvement] = field(default_factory=list)
    contacts: list[tuple[str, str, dt.date, str]] = field(default_factory=list)
    early_help: list[tuple[str, str, dt.date, dt.date | None]] = field(default_factory=list)
    cin: list[Cin] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    s47: list[S47] = field(default_factory=list)
    cp: list[CpPlan] = field(default_factory=list)
    cla: list[Period] = field(default_factory=list)
    leavers: list[Leaver] = field(default_factory=list)
    expected: list[Expected] = field(default_factory=list)
    oversight: dict[str, dt.date | None] = field(default_factory=dict)  # child -> last oversight
    documents_missing: dict[str, list[str]] = field(default_factory=dict)
    years_back: int = 2
    scale: Scale = field(default_factory=Scale)
    _ids: int = 0
    _allocation: dict[str, Involvement] = field(default_factory=dict)
    _next_worker: int = 0

    # --- small helpers --------------------------------------------------------------------
    def id(self, prefix: str) -> str:
        self._ids += 1
        return f"{prefix}{self._ids:07d}"

    def ago(self, lo: int, hi: int | None = None) -> dt.date:
        return self.as_at - dt.timedelta(days=self.rng.randint(lo, hi if hi is not None else lo))

    @property
    def period_start(self) -> dt.date:
        return self.days.months(self.as_at, -6)

    def expect(self, rule_id, number, child, due=None, completed=None, inputs="both"):
        overdue = None if due is None else ((completed or self.as_at) - due).days
        self.expected.append(
            Expected(
                rule_id,
                str(number),
                child,
                due,
                overdue,
                completed=completed is not None,
                inputs=inputs,
            )
        )

    def child(self, age: tuple[int, int] = (3, 15)) -> Child:
        cid = str(3_100_000 + len(self.children) * 7 + self.rng.randint(1, 6))
        years = self.rng.randint(*age)
        dob = self.as_at - dt.timedelta(days=years * 365 + self.rng.randint(30, 300))
        child = Child(cid, self.rng.choice("MF"), self.rng.choice(["WBRI", "APKN", "BAFR"]), dob)
        self.children[cid] = child
        return child

    def hire(self, n: int) -> None:
        for i in range(n):
            name = f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}"
            if i >= len(FIRST) * len(LAST):
                name += f" {i // (len(FIRST) * len(LAST)) + 1}"
            wid = f"W{i + 1:05d}"
            self.workers[wid] = Worker(wid, name, f"T{i % len(TEAMS) + 1}")

    def any_worker(self) -> str:
        """The background's workers in turn (keeps every caseload near the average)."""
        ids = [
            w
            for w in sorted(self.workers)
            if self.workers[w].fte == 1.0 and "NQSW" not in self.workers[w].title
        ]
        self._next_worker += 1
        return ids[self._next_worker % len(ids)]

    def allocate(self, child: str, start: dt.date, end: dt.date | None = None) -> str:
        """The child's allocated worker from `start` (one involvement per child, widened to
        cover every record of theirs)."""
        inv = self._allocation.get(child)
        if inv is not None:
            inv.start = min(inv.start, start)
            if inv.end is not None:
                inv.end = None if end is None else max(inv.end, end)
            return inv.worker
        worker = self.any_worker()
        inv = Involvement(self.id("I"), child, worker, start, end)
        self.involvements.append(inv)
        self._allocation[child] = inv
        return worker

    def visits_every(self, start: dt.date, stop: dt.date, every: int, first: int = 3):
        out, day = [], start + dt.timedelta(days=first)
        while day <= stop:
            hour = self.rng.choice([0, 10, 14])
            out.append(Visit(self.id("V"), dt.datetime.combine(day, dt.time(hour))))
            day += dt.timedelta(days=every)
        return out

    def reviews_from(self, first: dt.date, stop: dt.date, gaps: list[int]) -> list[Review]:
        out, day, i = [], first, 0
        while day <= stop:
            out.append(Review(self.id("R"), day))
            day += dt.timedelta(days=gaps[min(i, len(gaps) - 1)])
            i += 1
        return out

    # --- clean records (meet every rule, every interval) ----------------------------------
    def cin_episode(
        self,
        child: Child | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
        allocate: bool = True,
    ) -> Cin:
        child = child or self.child()
        start = start or self.ago(30, self.scale.cin_days or 365 * self.years_back)
        rec = Cin(self.id("REF"), child.id, start, end)
        rec.visits = self.visits_every(start, min(end or self.as_at, self.as_at), 14, first=7)
        self.cin.append(rec)
        if allocate:
            self.allocate(child.id, start, end)
        return rec

    def cp_plan(self, start: dt.date | None = None, end: dt.date | None = None) -> CpPlan:
        child = self.child()
        start = start or self.ago(60, min(600, self.scale.cin_days or 365 * self.years_back))
        ref = self.cin_episode(child, start - dt.timedelta(days=30))
        plan = CpPlan(self.id("CPP"), child.id, ref.id, start, end)
        stop = end or self.as_at
        plan.visits = self.visits_every(start, stop, 7)
        plan.reviews = self.reviews_from(
            start + dt.timedelta(days=self.rng.randint(30, 80)), stop, [150]
        )
        self.cp.append(plan)
        return plan

    def cla_period(
        self, start: dt.date | None = None, age=(5, 15), end: dt.date | None = None
    ) -> Period:
        start = start or self.ago(200, 365 * self.years_back)
        in_care = (self.as_at - start).days // 365 + 1  # born before coming into care
        child = self.child((max(age[0], in_care), max(age[1], in_care)))
        self.allocate(child.id, start)
        p = Period(self.id("CLA"), child.id, self.id("REF"), start, end, "E4A" if end else None)
        stop = end or self.as_at
        moved = start + dt.timedelta(days=self.rng.randint(60, 150))
        if moved < stop - dt.timedelta(days=30) and self.rng.random() < 0.5:
            p.placements = [
                Placement(self.id("PL"), start, moved),
                Placement(self.id("PL"), moved, end),
            ]
        else:
            p.placements = [Placement(self.id("PL"), start, end)]
        for pl in p.placements:
            p.visits += self.visits_every(
                pl.start, min(pl.end - ONE if pl.end else stop, stop), self.scale.cla_visit_days
            )
        first = start + dt.timedelta(days=10)
        p.reviews = self.reviews_from(first, stop, [60, self.scale.cla_review_days])
        day = start + dt.timedelta(days=10)
        while day <= stop:
            p.health.append((self.id("H"), "Health Assessment", day))
            day += dt.timedelta(days=150)
        day = start + dt.timedelta(days=30)
        while day <= stop:
            p.health.append((self.id("H"), "Dental Check", day))
            day += dt.timedelta(days=300)
        if self.rng.random() < 0.3:
            went = dt.datetime.combine(self.ago(20, 100), dt.time(19))
            p.missing.append(Missing(self.id("M"), went, went + dt.timedelta(hours=30)))
        self.cla.append(p)
        return p

    def leaver(self) -> Leaver:
        child = self.child((18, 21))
        worker = self.any_worker()
        rec = Leaver(
            self.id("CL"),
            child.id,
            worker,
            contact=self.ago(0, 50),
            review=self.ago(5, 150),
            adviser="Pat Adviser",
        )
        self.leavers.append(rec)
        return rec

    def assessment(self, open_: bool | None = None) -> Assessment:
        child = self.child()
        open_ = self.rng.random() < 0.5 if open_ is None else open_
        start = self.ago(1, 40) if open_ else self.ago(100, 170)
        auth = None if open_ else start + dt.timedelta(days=self.rng.randint(10, 30))
        rec = Assessment(
            self.id("A"), child.id, self.id("REF"), start, auth, worker=self.any_worker()
        )
        self.assessments.append(rec)
        return rec

    def enquiry(self) -> S47:
        child = self.child()
        start = self.ago(20, 150)
        icpc = start + dt.timedelta(days=self.rng.randint(5, 14))
        rec = S47(self.id("S"), child.id, start, icpc, icpc, worker=self.any_worker())
        self.s47.append(rec)
        return rec

    # --- the council ----------------------------------------------------------------------
    def build(self, scale: Scale) -> None:
        """The background records (each meets every rule at every interval)."""
        self.years_back = scale.years
        self.scale = scale
        open_children = scale.cin + scale.cp + scale.cla + scale.leavers + scale.assessments
        self.hire(max(9, open_children // 10))
        for _ in range(scale.contacts):
            child = self.child()
            self.contacts.append((self.id("C"), child.id, self.ago(1, 150), "6"))
        for _ in range(max(1, scale.contacts // 5)):  # older contacts: in the SSD, not on List 1
            child = self.child()
            self.contacts.append((self.id("C"), child.id, self.ago(200, 365 * scale.years), "6"))
        for _ in range(scale.early_help):
            child, start = self.child(), self.ago(40, 150)
            self.early_help.append((self.id("E"), child.id, start, start + dt.timedelta(days=20)))
        for _ in range(scale.cin):
            if self.rng.random() < scale.closed_share:
                start = self.ago(200, 365 * scale.years)
                end = start + dt.timedelta(days=self.rng.randint(60, 150))
                self.cin_episode(start=start, end=min(end, self.as_at - ONE))
            else:
                self.cin_episode()
        for _ in range(scale.cp):
            if self.rng.random() < scale.closed_share:
                self.cp_plan(self.ago(200, 500), self.ago(1, 150))
            else:
                self.cp_plan()
        for _ in range(scale.cla):
            if self.rng.random() < scale.closed_share:
                self.cla_period(self.ago(300, 700), end=self.ago(1, 150))
            else:
                self.cla_period()
        for _ in range(scale.leavers):
            self.leaver()
        for _ in range(scale.assessments):
            self.assessment()
        for _ in range(scale.s47):
            self.enquiry()

    def oversee(self) -> None:
        """Management oversight recorded lately for every open child not planted otherwise."""
        for rec in [*self.cin, *self.cp, *self.cla]:
            if rec.child not in self.oversight and (rec.end is None or rec.end > self.as_at):
                self.oversight[rec.child] = self.ago(0, 40)
