"""Lapses of a council's practice and recording, spread through a synthetic SSD at given rates
(`lapse`), and values no reader can read written into its tables (`unreadable`): what a large
council's month holds, for `make bench` (benchmarks/ssd_data.py). The example's own council
(`audit example-ssd`) never calls them: its background stays clean and its planted defects are
listed one by one in its manifest.

Every draw is made with the council's seeded random numbers after its background is built, so
the same seed gives the same council. A lapse changes a record the way practice lapses: a visit
made late moves that visit and the ones after it later (the record is in time again since, so
most are mid-period lapses only the SSD's history shows), a review held late, an episode with no
return interview offered, a care leaver the council has lost touch with. `lapse` returns what it
planted (`Planted`): the children each rule must find, and the number of findings for the rules
that report one per event (late visits, reviews, visits not seen alone, missing episodes).

The rates chosen for the large council (`REALISTIC`) and why:

- Published (DfE statistics shipped in ../shared/reference/dfe_statistics, OGL v3): 10% of
  children looked after had no annual health assessment and 19% no dental check (2025: 90% and
  81% had them); 10% had three or more placements in the year (2025); 27% had three or more
  social workers in the year (2024, i.e. two or more changes): we give 9% of open cases three
  changes (the WF-02 query) and 18% one or two; 3-5% of care leavers were in unsuitable
  accommodation and 6% had no information (2025); 2.3% of child protection plans open at 31
  March had lasted two years or more (2025).
- Published nationally, not in the shipped tables: about 85% of assessments completed in 45
  working days, and around four in five initial conferences within 15 working days
  (DfE, Characteristics of children in need); about one looked-after child in nine goes missing
  in a year and two thirds of those more than once (DfE, Children looked after, missing
  incidents): the background already gives three periods of care in ten an episode in the last
  few months (more than published; it is the example's), and 65% of those go missing again.
- No national figure (assumptions, in the range councils' own monthly performance reports
  show): a late interval for 10% of the intervals between visits to a child in need (about
  two intervals a month, so four in five children in need seen in time each month), 4% for a
  child on a plan (about four a month) and 8% in a placement (about one a month, so some 92%
  of children in care visited in time each month); 10% of visits to a child on a plan not seen
  alone (many are too young to be seen apart from their carer); 8% of review conferences and
  looked-after reviews held late; 12% of missing episodes without a return interview recorded
  as offered and 5% offered after 72 hours; 10% of care leavers' pathway plans and contacts
  overdue, 2% without a personal adviser, 6% not in touch; 3% of children in care without a
  permanence plan; 1% of open cases unallocated; and, as recording slips, 0.5% of coded values
  unreadable, 0.3% of open plans and care leavers recorded twice, 0.3% of closures dated years
  ahead or children born after their contact.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from audits.example.ssd.council import (
    ONE,
    Council,
    CpPlan,
    Involvement,
    Leaver,
    Missing,
    Period,
    Placement,
    Review,
    Visit,
)

HOURS = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Lapses:
    """Shares of records (or of events, where the name says so) that lapse; all zero: none."""

    cin_visit_late: float = 0.0  # of intervals between visits to a child in need
    cp_visit_late: float = 0.0  # of intervals between visits to a child on a plan
    cla_visit_late: float = 0.0  # of intervals between visits in a placement
    cp_visit_not_alone: float = 0.0  # of visits to a child on a plan
    cp_review_late: float = 0.0  # of the reviews of open plans
    cla_review_late: float = 0.0  # of the later reviews (third on) of open periods of care
    health_overdue: float = 0.0  # of open periods of care over a year old
    dental_overdue: float = 0.0
    placement_moves: float = 0.0  # of open periods over a year old: two moves in 12 months
    no_permanence_plan: float = 0.0
    missing_again: float = 0.0  # of children in care who went missing: more episodes
    rhi_not_offered: float = 0.0  # of missing episodes ended in the period
    rhi_late: float = 0.0
    leaver_review_overdue: float = 0.0
    leaver_no_adviser: float = 0.0
    leaver_out_of_touch: float = 0.0
    leaver_contact_overdue: float = 0.0
    leaver_unsuitable: float = 0.0  # accommodation unsuitable
    leaver_no_suitability: float = 0.0  # suitability not recorded
    assessment_late: float = 0.0  # of authorised assessments
    assessment_open_late: float = 0.0  # of open assessments
    assessment_not_seen: float = 0.0
    icpc_late: float = 0.0
    icpc_overdue: float = 0.0
    cp_two_years: float = 0.0  # of open plans, added as plans of two years or more
    worker_changes: float = 0.0  # of open cases: three changes of social worker in 12 months
    worker_change_once_or_twice: float = 0.0
    unallocated: float = 0.0  # of open children in need
    duplicate: float = 0.0  # of open plans and care leavers, recorded twice
    impossible_date: float = 0.0  # of open children in need and of contacts
    unreadable: float = 0.0  # of coded values (`unreadable`)


REALISTIC = Lapses(
    cin_visit_late=0.10,
    cp_visit_late=0.04,
    cla_visit_late=0.08,
    cp_visit_not_alone=0.10,
    cp_review_late=0.08,
    cla_review_late=0.08,
    health_overdue=0.10,
    dental_overdue=0.19,
    placement_moves=0.10,
    no_permanence_plan=0.03,
    missing_again=0.65,
    rhi_not_offered=0.12,
    rhi_late=0.05,
    leaver_review_overdue=0.10,
    leaver_no_adviser=0.02,
    leaver_out_of_touch=0.06,
    leaver_contact_overdue=0.10,
    leaver_unsuitable=0.04,
    leaver_no_suitability=0.06,
    assessment_late=0.15,
    assessment_open_late=0.15,
    assessment_not_seen=0.02,
    icpc_late=0.20,
    icpc_overdue=0.03,
    cp_two_years=0.023,
    worker_changes=0.09,
    worker_change_once_or_twice=0.18,
    unallocated=0.01,
    duplicate=0.003,
    impossible_date=0.003,
    unreadable=0.005,
)


@dataclass
class Planted:
    """What the lapses must cause: the children each rule finds, and for the rules with one
    finding per event, how many findings."""

    children: dict[str, set[str]] = field(default_factory=dict)
    events: Counter = field(default_factory=Counter)

    def add(self, rule_id: str, child: str, events: int = 0) -> None:
        self.children.setdefault(rule_id, set()).add(child)
        self.events[rule_id] += events

    def counts(self) -> dict[str, int]:
        """Children per rule."""
        return {rule: len(kids) for rule, kids in sorted(self.children.items())}


@dataclass
class _Lapsing:
    c: Council
    rates: Lapses
    planted: Planted = field(default_factory=Planted)

    @property
    def rng(self) -> random.Random:
        return self.c.rng

    @property
    def d(self) -> dt.date:
        return self.c.as_at

    def draw(self, rate: float) -> bool:
        return rate > 0 and self.rng.random() < rate

    def in_period(self, day: dt.date) -> bool:
        return self.c.period_start < day <= self.d

    def open(self, end: dt.date | None) -> bool:
        return end is None or end > self.d


def lapse(c: Council, rates: Lapses) -> Planted:
    """Spread lapses through the council's background records at `rates`; what they must
    cause."""
    lp = _Lapsing(c, rates)
    _front_door(lp)
    _children_in_need(lp)
    _child_protection(lp)
    _children_in_care(lp)
    _care_leavers(lp)
    _workers(lp)
    _recording(lp)
    return lp.planted


# --- visits and reviews ---------------------------------------------------------------------


def _delay(lp: _Lapsing, visits: list[Visit], due, rate: float, stop: dt.date) -> tuple[int, bool]:
    """Make each interval between `visits` late with chance `rate`: the visit comes 1 to 30 days
    after its due date `due(previous visit's day)`, the ones after it move with it, and those
    moved past `stop` are dropped. (Late visits kept in the audit period; whether the latest
    visit is overdue at D because the late one fell past `stop`.)"""
    late, overdue, i = 0, False, 1
    while i < len(visits):
        if lp.draw(rate):
            before = visits[i - 1].date.date()
            moved = dt.datetime.combine(
                due(before) + dt.timedelta(days=lp.rng.randint(1, 30)), visits[i].date.time()
            )
            shift = moved - visits[i].date
            for v in visits[i:]:
                v.date += shift
            visits[:] = [v for v in visits if v.date.date() <= stop]
            if len(visits) == i:  # the late visit is past the end: the latest is overdue now?
                overdue = stop >= lp.d and lp.d > due(before)
                break
            late += lp.in_period(visits[i].date.date())
        i += 1
    return late, overdue


def _late_reviews(
    lp: _Lapsing, reviews: list[Review], rate: float, first: int, first_due: dt.date
) -> tuple[int, bool]:
    """Make each review from position `first` on late with chance `rate`: held 1 to 45 days
    after its due date (`first_due` for the first review, else M(previous, 6)), the later ones
    moved with it and those moved past D dropped. (Late reviews held in the audit period;
    whether the latest is overdue at D because the late one fell past it.)"""
    late, i = 0, first
    while i < len(reviews):
        if lp.draw(rate):
            due = first_due if i == 0 else lp.c.days.months(reviews[i - 1].date, 6)
            held = due + dt.timedelta(days=lp.rng.randint(1, 45))
            shift = held - reviews[i].date
            for r in reviews[i:]:
                r.date += shift
            reviews[:] = [r for r in reviews if r.date <= lp.d]
            if len(reviews) == i:
                return late, lp.d > due
            late += lp.in_period(held)
        i += 1
    return late, False


# --- the parts of the council ---------------------------------------------------------------


def _front_door(lp: _Lapsing) -> None:
    c, d, rates = lp.c, lp.d, lp.rates
    for a in c.assessments:
        if a.auth is None:
            if lp.draw(rates.assessment_open_late):
                a.start = c.ago(75, 150)
                lp.planted.add("ASM-01", a.child)
            continue
        if lp.draw(rates.assessment_late):
            due = c.days.wd(a.start, 45)
            if due < d - dt.timedelta(days=2):
                a.auth = min(due + dt.timedelta(days=lp.rng.randint(1, 40)), d - ONE)
                lp.planted.add("ASM-02", a.child)
        if lp.draw(rates.assessment_not_seen):
            a.seen = "N"
            lp.planted.add("ASM-03", a.child)
    for s in c.s47:
        if lp.draw(rates.icpc_overdue):
            s.start, s.icpc, s.end = c.ago(30, 150), None, None
            lp.planted.add("S47-02", s.child)
        elif lp.draw(rates.icpc_late):
            held = c.days.wd(s.start, 15) + dt.timedelta(days=lp.rng.randint(1, 25))
            if held < d:
                s.icpc = s.end = held
                lp.planted.add("S47-01", s.child)


def _children_in_need(lp: _Lapsing) -> None:
    c, d, rates = lp.c, lp.d, lp.rates
    on_plan = {p.child for p in c.cp}
    for r in c.cin:
        if r.child in on_plan:  # seen at the plan's visits too (CIN-01 counts every table's)
            continue
        stop = min(r.end - ONE if r.end else d, d)
        late, overdue = _delay(
            lp, r.visits, lambda day: c.days.wd(day, 20), rates.cin_visit_late, stop
        )
        if late or overdue:
            lp.planted.add("CIN-01", r.child, late + overdue)
        if not lp.open(r.end):
            continue
        if lp.draw(rates.unallocated) and r.child in c._allocation:
            inv = c._allocation.pop(r.child)
            c.involvements.remove(inv)
            lp.planted.add("ALL-01", r.child)
        elif lp.draw(rates.impossible_date):
            r.end = d + dt.timedelta(days=lp.rng.randint(300, 1200))
            lp.planted.add("DQ-02", r.child)


def _child_protection(lp: _Lapsing) -> None:
    c, d, rates = lp.c, lp.d, lp.rates
    for _ in range(round(rates.cp_two_years * sum(lp.open(p.end) for p in c.cp))):
        p = c.cp_plan(start=c.ago(740, 1000))
        lp.planted.add("CP-03", p.child)
    for p in c.cp:
        stop = min(p.end or d, d)
        late, overdue = _delay(
            lp, p.visits, lambda day: c.days.wd(day, 10), rates.cp_visit_late, stop
        )
        if late or overdue:
            lp.planted.add("CP-01", p.child, late + overdue)
        alone = 0
        for v in p.visits:
            if lp.draw(rates.cp_visit_not_alone):
                v.alone = "N"
                alone += lp.in_period(v.date.date())
        if alone:
            lp.planted.add("CP-05", p.child, alone)
        if lp.open(p.end) and p.visits and p.visits[-1].alone == "N":
            lp.planted.add("CP-04", p.child)
        if lp.open(p.end):
            first_due = c.days.months(p.start, 3)
            late, overdue = _late_reviews(lp, p.reviews, rates.cp_review_late, 0, first_due)
            if late or overdue:
                lp.planted.add("CP-02", p.child, late + overdue)


def _children_in_care(lp: _Lapsing) -> None:
    c, d, rates = lp.c, lp.d, lp.rates
    year_ago = c.days.months(d, -12)
    for p in c.cla:
        is_open = lp.open(p.end)
        older = is_open and p.start < year_ago - dt.timedelta(days=40)
        if older and lp.draw(rates.placement_moves) and _move_twice(lp, p, year_ago):
            lp.planted.add("CLA-06", p.child)
        late = overdue = 0
        for pl in p.placements:
            stop = min(pl.end - ONE if pl.end else (p.end or d), d)
            mine = [v for v in p.visits if pl.start <= v.date.date() <= stop]
            others = [v for v in p.visits if v not in mine]
            n, now = _delay(
                lp,
                mine,
                lambda day: day + dt.timedelta(days=42),
                rates.cla_visit_late,
                stop,
            )
            late, overdue = late + n, overdue + (now and pl.end is None and is_open)
            p.visits = sorted(others + mine, key=lambda v: v.date)
        if late or overdue:
            lp.planted.add("CLA-02", p.child, late + overdue)
        if not is_open:
            continue
        late, overdue = _late_reviews(lp, p.reviews, rates.cla_review_late, 2, d)
        if late or overdue:
            lp.planted.add("CLA-01", p.child, late + overdue)
        older = p.start < d - dt.timedelta(days=430)
        if older and lp.draw(rates.health_overdue):
            cut = d - dt.timedelta(days=380)
            p.health = [h for h in p.health if h[1] != "Health Assessment" or h[2] <= cut]
            lp.planted.add("CLA-03", p.child)
        if older and lp.draw(rates.dental_overdue):
            cut = d - dt.timedelta(days=380)
            p.health = [h for h in p.health if h[1] != "Dental Check" or h[2] <= cut]
            lp.planted.add("CLA-04", p.child)
        if p.start < d - dt.timedelta(days=130) and lp.draw(rates.no_permanence_plan):
            p.plan = None
            lp.planted.add("CLA-07", p.child)
        _missing(lp, p)


def _move_twice(lp: _Lapsing, p: Period, year_ago: dt.date) -> bool:
    """Two moves in the 12 months: the current placement ends, a second runs, a third since;
    each new placement visited within a week of its start."""
    c, d = lp.c, lp.d
    current = p.placements[-1]
    first = year_ago + dt.timedelta(days=lp.rng.randint(20, 200))
    second = first + dt.timedelta(days=lp.rng.randint(30, 120))
    if current.start >= first - dt.timedelta(days=10) or second > d - dt.timedelta(days=10):
        return False
    current.end = first
    p.placements += [
        Placement(c.id("PL"), first, second, type=current.type),
        Placement(c.id("PL"), second, None, type=current.type),
    ]
    for start in (first, second):
        if not any(start <= v.date.date() <= start + dt.timedelta(days=7) for v in p.visits):
            when = start + dt.timedelta(days=lp.rng.randint(1, 6))
            p.visits.append(Visit(c.id("V"), dt.datetime.combine(when, dt.time(10))))
    p.visits.sort(key=lambda v: v.date)
    return True


def _missing(lp: _Lapsing, p: Period) -> None:
    """More episodes for a child who went missing (from the later of the period's start and a
    year ago), and return interviews not offered or offered late."""
    c, d, rates = lp.c, lp.d, lp.rates
    if p.missing and lp.draw(rates.missing_again):
        since = max(p.start, d - dt.timedelta(days=360)) + ONE
        for _ in range(lp.rng.randint(1, 6) if (d - since).days > 10 else 0):
            went = dt.datetime.combine(
                since + dt.timedelta(days=lp.rng.randint(0, (d - since).days - 4)),
                dt.time(lp.rng.randint(0, 23)),
            )
            back = went + HOURS * lp.rng.randint(2, 60)
            p.missing.append(Missing(c.id("M"), went, back))
        p.missing.sort(key=lambda m: m.start)
    events = 0
    for m in p.missing:
        ended = m.end.date() if m.end else None
        if ended is None or not lp.in_period(ended) or m.start.date() < p.start:
            continue
        if lp.draw(rates.rhi_not_offered):
            m.offered, m.accepted = lp.rng.choice(["N", None]), None
            events += d > ended + dt.timedelta(days=3)
        elif ended + dt.timedelta(days=11) <= d and lp.draw(rates.rhi_late):
            m.offered_at = m.end + HOURS * lp.rng.randint(73, 240)
            if m.end.time() == dt.time(0):  # 00:00 is no time recorded: judged by whole days
                events += m.offered_at.date() > ended + dt.timedelta(days=3)
            else:
                events += 1
    if events:
        lp.planted.add("CLA-08", p.child, events)
    ended = [
        m
        for m in p.missing
        if m.end and m.end.date() <= d and m.start.date() > c.days.months(d, -12)
    ]
    if ended and max(ended, key=lambda m: (m.end, m.start)).offered != "Y":
        lp.planted.add("CLA-05", p.child)


def _care_leavers(lp: _Lapsing) -> None:
    c, d, rates = lp.c, lp.d, lp.rates
    for r in c.leavers:
        if lp.draw(rates.leaver_review_overdue):
            r.review = d - dt.timedelta(days=lp.rng.randint(190, 400))
            lp.planted.add("CL-01", r.child)
        if lp.draw(rates.leaver_no_adviser):
            r.adviser = None
            lp.planted.add("CL-02", r.child)
        if lp.draw(rates.leaver_out_of_touch):
            r.in_touch = lp.rng.choice(["NO", "NO", "REFU"])
            lp.planted.add("CL-03", r.child)
        if lp.draw(rates.leaver_contact_overdue):
            r.contact = d - dt.timedelta(days=lp.rng.randint(60, 200))
            lp.planted.add("CL-04", r.child)
        if lp.draw(rates.leaver_unsuitable):
            r.suitable = "2"
            lp.planted.add("CL-05", r.child)
        elif lp.draw(rates.leaver_no_suitability):
            r.suitable = None
            lp.planted.add("CL-05", r.child)


def _workers(lp: _Lapsing) -> None:
    """Changes of social worker for open cases: three in the 12 months (WF-02) for some, one or
    two for more; a case's first allocation is not a change."""
    c, d, rates = lp.c, lp.d, lp.rates
    since = c.days.months(d, -12)
    cases = [(p.child, p.end) for p in c.cla] + [(p.child, p.end) for p in c.cp]
    cases += [(r.child, r.end) for r in c.cin]
    done: set[str] = set()
    for child, end in cases:
        inv = c._allocation.get(child)
        if child in done or not lp.open(end) or inv is None or inv.end is not None:
            continue
        done.add(child)
        if lp.draw(rates.worker_changes):
            n = 3
        elif lp.draw(rates.worker_change_once_or_twice):
            n = lp.rng.randint(1, 2)
        else:
            continue
        lo = max(inv.start, since) + dt.timedelta(days=5)
        if (d - lo).days < 20 * n:
            continue
        steps = sorted(lp.rng.sample(range(1, (d - lo).days), n))
        days = [lo + dt.timedelta(days=s) for s in steps]
        inv.end = days[0]
        reasons = ("LEFTRL", "MANAGE", "ORGRST", "CASELD")
        worker = inv.worker
        for start, stop in zip(days, [*days[1:], None], strict=True):
            worker = _another(c, worker)
            reason = lp.rng.choice(reasons)
            c.involvements.append(Involvement(c.id("I"), child, worker, start, stop, reason))
        if n >= 3:
            lp.planted.add("WF-02", child)


def _another(c: Council, worker: str) -> str:
    """The next background worker who is not `worker`."""
    other = c.any_worker()
    return other if other != worker else c.any_worker()


def _recording(lp: _Lapsing) -> None:
    """Records entered twice and children recorded as born after their contact."""
    c, d, rates = lp.c, lp.d, lp.rates
    lapsed = set().union(*lp.planted.children.values()) if lp.planted.children else set()
    for p in list(c.cp):
        if lp.open(p.end) and p.child not in lapsed and lp.draw(rates.duplicate):
            twin = CpPlan(c.id("CPP"), p.child, p.referral, p.start)
            twin.visits = [Visit(c.id("V"), v.date) for v in p.visits]
            twin.reviews = [Review(c.id("R"), r.date) for r in p.reviews]
            c.cp.append(twin)
            lp.planted.add("DQ-01", p.child)
    for r in list(c.leavers):
        if r.child not in lapsed and lp.draw(rates.duplicate):
            c.leavers.append(
                Leaver(
                    c.id("CL"),
                    r.child,
                    r.worker,
                    contact=r.contact,
                    review=r.review,
                    adviser=r.adviser,
                )
            )
            lp.planted.add("DQ-01", r.child)
    for _, child, when, _ in c.contacts:  # on List 1: contacts in the audit period
        if lp.in_period(when) and when < d and lp.draw(rates.impossible_date):
            c.children[child].dob = when + dt.timedelta(days=lp.rng.randint(1, (d - when).days))
            lp.planted.add("DQ-02", child)


# --- values that cannot be read -------------------------------------------------------------

UNREADABLE = {  # table: {field: values a reader cannot read}
    "ssd_person": {"pers_ethnicity": ["E5", "ZZZZ", "99", "White - Other?"]},
    "ssd_cin_episodes": {"cine_cin_primary_need_code": ["N0", "NX", "Need 1", "?"]},
    "ssd_cp_plans": {"cppl_cp_plan_latest_category": ["NEGLECT/EMO", "X", "TBC"]},
    "ssd_cp_visits": {"cppv_cp_visit_seen_alone": ["X", "Partly", "?"]},
    "ssd_cla_placement": {"clap_cla_placement_type": ["U9", "FOSTER", "Z1"]},
    "ssd_legal_status": {"lega_legal_status": ["C5", "S20", "Care order"]},
    "ssd_missing": {"miss_missing_rhi_accepted": ["Maybe", "X", "Declined?"]},
    "ssd_care_leavers": {"clea_care_leaver_activity": ["F9", "NEET?", "G0"]},
}


def unreadable(tables: dict[str, pd.DataFrame], rng: random.Random, share: float) -> int:
    """Replace `share` of the non-blank values of the coded fields in UNREADABLE with values
    that cannot be read (as a person types them into a case record); the number replaced.
    Only text fields: a database's typed date columns cannot hold an unreadable date, and the
    benchmark reads the same tables from CSV and from PostgreSQL."""
    replaced = 0
    for name, fields in UNREADABLE.items():
        frame = tables.get(name)
        if frame is None:
            continue
        for column, junk in fields.items():
            if column not in frame:
                continue
            present = frame.index[frame[column].notna()].tolist()
            chosen = rng.sample(present, round(share * len(present)))
            if not chosen:
                continue
            frame[column] = frame[column].astype(object)
            frame.loc[chosen, column] = [rng.choice(junk) for _ in chosen]
            replaced += len(chosen)
    return replaced
