"""The planted defects of the synthetic SSD: each record breaks one thing, and the findings it
must cause are expected of the SSD and, where Annex A can see them, of Annex A too."""

from __future__ import annotations

import datetime as dt

from audits.example.ssd.council import (
    ONE,
    Council,
    CpPlan,
    Involvement,
    Missing,
    Placement,
    Review,
    Visit,
    Worker,
)


def _gap(visits: list[Visit], newer: int, older: int, as_at: dt.date) -> tuple[dt.date, dt.date]:
    """Remove the visits dated between `older` and `newer` days before D (exclusive); return
    (the visit before the gap, the visit after it)."""
    lo, hi = as_at - dt.timedelta(days=older), as_at - dt.timedelta(days=newer)
    visits[:] = [v for v in visits if not (lo < v.date.date() < hi)]
    before = max(v.date.date() for v in visits if v.date.date() <= lo)
    after = min(v.date.date() for v in visits if v.date.date() >= hi)
    return before, after


def plant_defects(c: Council) -> None:
    _front_door(c)
    _children_in_need(c)
    _child_protection(c)
    _children_in_care(c)
    _care_leavers(c)
    _workforce(c)
    _across(c)


def _front_door(c: Council) -> None:
    days, d = c.days, c.as_at
    a = c.assessment(open_=True)
    a.start = c.ago(120)
    c.expect("ASM-01", 4, a.child, days.wd(a.start, 45))
    a = c.assessment(open_=False)
    due = days.wd(a.start, 45)
    a.auth = due + dt.timedelta(days=3)
    c.expect("ASM-02", 4, a.child, due, completed=a.auth)
    a = c.assessment(open_=False)
    a.seen = "N"
    c.expect("ASM-03", 4, a.child)
    s = c.enquiry()
    due = days.wd(s.start, 15)
    s.icpc = s.end = days.wd(due, 1)
    c.expect("S47-01", 5, s.child, due, completed=s.icpc)
    s = c.enquiry()
    s.start, s.icpc, s.end = c.ago(60), None, None
    c.expect("S47-02", 5, s.child, days.wd(s.start, 15))
    s = c.enquiry()  # ended with no conference asked for: deemed unnecessary, no finding
    s.start, s.icpc, s.conference = c.ago(60), None, "N"
    s.end = s.start + dt.timedelta(days=10)
    assert s.end < d


def _children_in_need(c: Council) -> None:
    days, d = c.days, c.as_at
    r = c.cin_episode(start=c.ago(300))
    r.visits = [v for v in r.visits if v.date.date() <= d - dt.timedelta(days=60)]
    c.expect("CIN-01", 6, r.child, days.wd(r.visits[-1].date.date(), 20))
    r = c.cin_episode(start=c.ago(90))
    r.visits = []
    c.expect("CIN-01", 6, r.child, days.wd(r.start, 20))
    # seen late mid-period, in time since: only the SSD's history shows it
    r = c.cin_episode(start=c.ago(400))
    before, after = _gap(r.visits, 40, 100, d)
    c.expect("CIN-01", 6, r.child, days.wd(before, 20), completed=after, inputs="ssd")
    # no allocated worker
    r = c.cin_episode(start=c.ago(250), allocate=False)  # referred before the period: List 6 only
    c.expect("ALL-01", 6, r.child)
    # closed: no finding, though its last weeks were not visited
    r = c.cin_episode(start=c.ago(250), end=c.ago(100))
    r.visits = [v for v in r.visits if v.date.date() <= r.end - dt.timedelta(days=50)]
    # a closure dated years ahead: impossible (DQ-02); the episode stays open
    r = c.cin_episode(start=c.ago(120))
    r.end = d + dt.timedelta(days=3 * 365)
    c._allocation[r.child].end = None
    c.expect("DQ-02", 6, r.child)
    # an ethnicity code that is no code (D2I's "unknown"): unreadable
    r = c.cin_episode(start=c.ago(120))  # a referral in the period: on Lists 3 and 6
    c.children[r.child].ethnicity = "E5"
    c.expect("DQ-04", 3, r.child, inputs="ssd")  # once, under the first list the child is on
    c.expect("DQ-04", 3, r.child, inputs="annex_a")  # Annex A: on each list's row
    c.expect("DQ-04", 6, r.child, inputs="annex_a")


def _child_protection(c: Council) -> None:
    days, d = c.days, c.as_at
    p = c.cp_plan()
    p.visits = [v for v in p.visits if v.date.date() <= d - dt.timedelta(days=30)]
    c.expect("CP-01", 7, p.child, days.wd(p.visits[-1].date.date(), 10))
    p = c.cp_plan(start=c.ago(400))
    before, after = _gap(p.visits, 60, 90, d)
    c.expect("CP-01", 7, p.child, days.wd(before, 10), completed=after, inputs="ssd")
    p = c.cp_plan(start=c.ago(500))
    p.reviews = [r for r in p.reviews if r.date <= d - dt.timedelta(days=200)]
    c.expect("CP-02", 7, p.child, days.months(p.reviews[-1].date, 6))
    p = c.cp_plan(start=c.ago(400))  # a review held late mid-period, the latest in time
    held = d - dt.timedelta(days=50)
    previous = d - dt.timedelta(days=250)
    p.reviews = [r for r in p.reviews if r.date < previous - dt.timedelta(days=60)]
    p.reviews += [Review(c.id("R"), previous), Review(c.id("R"), held)]
    c.expect("CP-02", 7, p.child, days.months(previous, 6), completed=held, inputs="ssd")
    p = c.cp_plan(start=c.ago(800))
    c.expect("CP-03", 7, p.child, days.months(p.start, 24))
    p = c.cp_plan()
    p.visits[-1].alone = "N"
    c.expect("CP-04", 7, p.child)
    c.expect("CP-05", 7, p.child, inputs="ssd")
    p = c.cp_plan(start=c.ago(300))  # not seen alone at a visit mid-period, alone since
    mid = [v for v in p.visits if v.date.date() > d - dt.timedelta(days=90)][0]
    mid.alone = "N"
    c.expect("CP-05", 7, p.child, inputs="ssd")
    p = c.cp_plan(start=c.ago(300))  # a visit at which the child was not seen at all (between
    mid = [v for v in p.visits if v.date.date() > d - dt.timedelta(days=60)][0]  # two others)
    p.visits.append(Visit(c.id("V"), mid.date + dt.timedelta(days=2), seen="N", alone="N"))
    p.visits.sort(key=lambda v: v.date)
    c.expect("CP-05", 7, p.child, inputs="ssd")
    p = c.cp_plan()  # two open plans for one child
    twin = CpPlan(c.id("CPP"), p.child, p.referral, p.start)
    twin.visits = [Visit(c.id("V"), v.date) for v in p.visits]
    twin.reviews = [Review(c.id("R"), r.date) for r in p.reviews]
    c.cp.append(twin)
    c.expect("DQ-01", 7, p.child)


def _children_in_care(c: Council) -> None:
    days, d = c.days, c.as_at
    p = c.cla_period(start=c.ago(600))
    p.reviews = [r for r in p.reviews if r.date <= d - dt.timedelta(days=250)]
    c.expect("CLA-01", 8, p.child, days.months(p.reviews[-1].date, 6))
    p = c.cla_period(start=c.ago(600))  # a review late mid-period, the latest in time
    previous, held = d - dt.timedelta(days=260), d - dt.timedelta(days=60)
    p.reviews = [r for r in p.reviews if r.date < previous - dt.timedelta(days=60)]
    p.reviews += [Review(c.id("R"), previous), Review(c.id("R"), held)]
    c.expect("CLA-01", 8, p.child, days.months(previous, 6), completed=held, inputs="ssd")
    p = c.cla_period(start=c.ago(400))
    p.placements = [Placement(c.id("PL"), p.start, None)]
    p.visits = c.visits_every(p.start, d - dt.timedelta(days=60), 21)
    c.expect("CLA-02", 8, p.child, p.visits[-1].date.date() + dt.timedelta(days=42))
    p = c.cla_period(start=c.ago(400))  # a visit late mid-period, in time since
    p.placements = [Placement(c.id("PL"), p.start, None)]
    p.visits = c.visits_every(p.start, d, 21)
    before, after = _gap(p.visits, 40, 110, d)
    c.expect("CLA-02", 8, p.child, before + dt.timedelta(days=42), completed=after, inputs="ssd")
    p = c.cla_period(start=c.ago(600))
    p.health = [h for h in p.health if h[1] != "Health Assessment"]
    p.health.append((c.id("H"), "Health Assessment", d - dt.timedelta(days=400)))
    c.expect("CLA-03", 8, p.child, days.months(d - dt.timedelta(days=400), 12))
    p = c.cla_period(start=c.ago(700))
    p.health = [h for h in p.health if h[1] != "Dental Check"]
    p.health.append((c.id("H"), "Dental Check", d - dt.timedelta(days=420)))
    c.expect("CLA-04", 8, p.child, days.months(d - dt.timedelta(days=420), 12))
    p = c.cla_period()  # the latest missing episode: no return interview offered
    went = dt.datetime.combine(d - dt.timedelta(days=22), dt.time(21))
    back = went + dt.timedelta(hours=40)
    p.missing = [Missing(c.id("M"), went, back, offered="N", accepted=None)]
    c.expect("CLA-05", 8, p.child)
    c.expect("CLA-08", 8, p.child, back.date() + dt.timedelta(days=3), inputs="ssd")
    p = c.cla_period()  # an earlier episode without an offer, the latest offered
    first = dt.datetime.combine(d - dt.timedelta(days=101), dt.time(8))
    later = dt.datetime.combine(d - dt.timedelta(days=31), dt.time(8))
    p.missing = [
        Missing(c.id("M"), first, first + dt.timedelta(hours=20), offered=None, accepted=None),
        Missing(c.id("M"), later, later + dt.timedelta(hours=20)),
    ]
    end = (first + dt.timedelta(hours=20)).date()
    c.expect("CLA-08", 8, p.child, end + dt.timedelta(days=3), inputs="ssd")
    p = c.cla_period()  # offered at 72 hours (met) and at 73 hours (late), times recorded
    on_time = dt.datetime.combine(d - dt.timedelta(days=80), dt.time(10))
    late = dt.datetime.combine(d - dt.timedelta(days=50), dt.time(10))
    p.missing = [
        Missing(
            c.id("M"),
            on_time - dt.timedelta(hours=5),
            on_time,
            offered_at=on_time + dt.timedelta(hours=72),
        ),
        Missing(
            c.id("M"), late - dt.timedelta(hours=5), late, offered_at=late + dt.timedelta(hours=73)
        ),
    ]
    c.expect(
        "CLA-08",
        8,
        p.child,
        late.date() + dt.timedelta(days=3),
        completed=(late + dt.timedelta(hours=73)).date(),
        inputs="ssd",
    )
    p = c.cla_period(start=c.ago(500))  # three placements in 12 months
    starts = [d - dt.timedelta(days=n) for n in (300, 200, 100)]
    p.placements = [Placement(c.id("PL"), p.start, starts[0])] + [
        Placement(c.id("PL"), s, e) for s, e in zip(starts, [*starts[1:], None], strict=True)
    ]
    p.visits = []
    for pl in p.placements:
        p.visits += c.visits_every(pl.start, (pl.end - ONE) if pl.end else d, 21)
    c.expect("CLA-06", 8, p.child)
    p = c.cla_period()
    p.plan = None
    c.expect("CLA-07", 8, p.child, days.months(p.start, 4))
    p = c.cla_period()  # a duplicate of nothing: oversight 60 days ago
    c.oversight[p.child] = d - dt.timedelta(days=60)
    c.expect("MO-01", 8, p.child, d - dt.timedelta(days=60) + dt.timedelta(days=42))


def _care_leavers(c: Council) -> None:
    days, d = c.days, c.as_at
    r = c.leaver()
    r.review = d - dt.timedelta(days=250)
    c.expect("CL-01", 9, r.child, days.months(r.review, 6))
    r = c.leaver()
    r.review = dt.date(1900, 1, 1)  # the extract's "none"
    c.expect("CL-01", 9, r.child)
    r = c.leaver()
    r.adviser = None
    c.expect("CL-02", 9, r.child)
    r = c.leaver()
    r.in_touch = "NO"
    c.expect("CL-03", 9, r.child)
    r = c.leaver()
    r.contact = d - dt.timedelta(days=90)
    c.expect("CL-04", 9, r.child, r.contact + dt.timedelta(days=56))
    r = c.leaver()
    r.suitable = "2"
    c.expect("CL-05", 9, r.child)
    r = c.leaver()
    c.documents_missing[r.child] = ["Passport or photo ID", "Bank account"]
    c.expect("CL-06", 9, r.child)
    c.expect("CL-06", 9, r.child)


def _workforce(c: Council) -> None:
    d = c.as_at
    olu = Worker("W90001", "Olu Overload", "T1", fte=0.5)
    nia = Worker("W90002", "Nia Newly", "T2", title="NQSW Social Worker")
    c.workers.update({olu.id: olu, nia.id: nia})
    for worker, n in ((olu, 10), (nia, 16)):
        for _ in range(n):
            r = c.cin_episode(allocate=False)
            c.involvements.append(Involvement(c.id("I"), r.child, worker.id, r.start))
    c.expect("WF-01", "4-9", "")
    # three changes of social worker in 12 months
    p = c.cla_period(start=c.ago(500))
    inv = c._allocation[p.child]
    steps = [d - dt.timedelta(days=n) for n in (300, 200, 100)]
    inv.end = steps[0]
    for start, end, reason in zip(
        steps, [*steps[1:], None], ("LEFTRL", "MANAGE", "ORGRST"), strict=True
    ):
        c.involvements.append(Involvement(c.id("I"), p.child, c.any_worker(), start, end, reason))
    c.expect("WF-02", 8, p.child, inputs="ssd")
    # co-workers joining and leaving, and a covering worker: no change of social worker
    p = c.cla_period(start=c.ago(500))
    for lo, hi in ((250, 200), (150, 100)):
        c.involvements.append(
            Involvement(
                c.id("I"),
                p.child,
                c.any_worker(),
                d - dt.timedelta(days=lo),
                d - dt.timedelta(days=hi),
                "MANAGE",
            )
        )
    c.involvements.append(
        Involvement(
            c.id("I"),
            p.child,
            c.any_worker(),
            d - dt.timedelta(days=60),
            d - dt.timedelta(days=40),
            "ABSENC",
            role="COVER",
        )
    )


def _across(c: Council) -> None:
    r = c.cin_episode()
    c.oversight[r.child] = None
    c.expect("MO-01", 6, r.child)
