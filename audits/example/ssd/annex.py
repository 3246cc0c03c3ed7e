"""The same synthetic council as its Annex A export, built from the council's records directly
(as D2I's scripts build Annex A from an SSD), not through the adapter: the latest visit, review
and placement, counts in 12 months and the allocated worker are worked out here on their own,
so the consistency test compares two computations."""

from __future__ import annotations

import datetime as dt

from audits.example.people import TEAMS
from audits.example.ssd.council import Council

GENDER = {"M": "Male", "F": "Female"}
LEGACY = {"A1": "WBRI"}
YES_NO = {"Y": "Yes", "N": "No", "NA": "Unknown"}


def _day(value) -> dt.date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, dt.datetime) else value


def annex_a_rows(c: Council) -> tuple[dict[int, list[dict]], dict[str, list[dict]]]:
    """(rows of Lists 1 to 9 by number, the local tables) in canonical field names."""
    d = c.as_at
    p_start = c.period_start
    year_ago = c.days.months(d, -12)
    team_name = {f"T{n}": t for n, t in enumerate(TEAMS, start=1)}

    def person(cid: str) -> dict:
        ch = c.children[cid]
        age = d.year - ch.dob.year - ((d.month, d.day) < (ch.dob.month, ch.dob.day))
        return {
            "child_id": cid,
            "gender": GENDER[ch.sex],
            "ethnicity": LEGACY.get(ch.ethnicity, ch.ethnicity),
            "dob": ch.dob,
            "age": age,
            "disability": "No",
        }

    by_child: dict[str, list] = {}
    for inv in c.involvements:
        by_child.setdefault(inv.child, []).append(inv)
    seen_by: dict[str, list] = {}
    for rec in [*c.cin, *c.cp, *c.cla]:
        seen_by.setdefault(rec.child, []).extend(rec.visits)

    def allocated(cid: str, on: dt.date) -> tuple[str | None, str | None]:
        running = [
            inv
            for inv in by_child.get(cid, [])
            if inv.role == "CW"
            and inv.start <= on
            and (inv.end is None or inv.end >= on)
            and (on < d or inv.end is None or inv.end > d)
        ]
        if not running:
            return None, None
        inv = max(running, key=lambda i: (i.start, i.id))
        w = c.workers[inv.worker]
        return w.name, team_name[w.team]

    def visits_of(cid: str):
        return seen_by.get(cid, [])

    rows: dict[int, list[dict]] = {n: [] for n in range(1, 10)}
    for _, cid, when, source in c.contacts:
        if p_start < when <= d:
            rows[1].append({**person(cid), "contact_date": when, "contact_source": source})
    for _, cid, start, end in c.early_help:
        if start <= d and (end is None or end > p_start):
            rows[2].append(
                {
                    **person(cid),
                    "eh_start": start,
                    "eh_completed": end,
                    "eh_organisation": "Early Help Hub",
                }
            )
    first_worker = {inv.child: inv.worker for inv in c.involvements if inv.reason == "FCONTA"}
    for r in c.cin:
        if p_start < r.start <= d:
            w = first_worker.get(r.child)
            before = [
                o
                for o in c.cin
                if o.child == r.child
                and o is not r
                and c.days.months(r.start, -12) <= o.start < r.start
            ]
            rows[3].append(
                {
                    **person(r.child),
                    "referral_date": r.start,
                    "referral_source": r.source,
                    "referral_nfa": "No",
                    "referrals_12m": len(before),
                    "worker": c.workers[w].name if w else None,
                    "team": team_name[c.workers[w].team] if w else None,
                }
            )
    for a in c.assessments:
        if a.start <= d and (a.auth is None or a.auth > p_start):
            w = c.workers[a.worker]
            rows[4].append(
                {
                    **person(a.child),
                    "assessment_start": a.start,
                    "assessment_authorised": a.auth,
                    "child_seen": YES_NO[a.seen],
                    "assessed_in_need": "Yes" if a.auth and a.auth <= d else None,
                    "worker": w.name,
                    "team": team_name[w.team],
                }
            )
    for s in c.s47:
        if s.start <= d and (s.end is None or s.end > p_start):
            w = c.workers[s.worker]
            ended = s.end is not None and s.end <= d
            icpc = s.icpc if s.icpc and s.icpc <= d else None
            if icpc or s.conference == "Y":
                unnecessary = "No"
            elif ended:
                unnecessary = "Yes"
            else:
                unnecessary = None
            rows[5].append(
                {
                    **person(s.child),
                    "strategy_date": s.start,
                    "icpc_date": icpc,
                    "icpc_plan": "Yes" if icpc else None,
                    "icpc_unnecessary": unnecessary,
                    "s47_12m": 0,
                    "icpc_12m": 0,
                    "worker": w.name,
                    "team": team_name[w.team],
                }
            )
    open_cla = {p.child for p in c.cla if p.start <= d and (p.end is None or p.end > d)}
    open_cp = {p.child for p in c.cp if p.start <= d and (p.end is None or p.end > d)}
    open_asm = {a.child for a in c.assessments if a.start <= d and (a.auth is None or a.auth > d)}
    cin_plan = {
        r.child for r in c.cin if r.end is None and not any(p.referral == r.id for p in c.cp)
    }
    for r in c.cin:
        if not (r.start <= d and (r.end is None or r.end > p_start)):
            continue
        stop = min(r.end, d) if r.end else d
        seen = [
            _day(v.date)
            for v in visits_of(r.child)
            if v.seen == "Y" and r.start <= _day(v.date) <= stop
        ]
        closed = r.end is not None and r.end <= d
        if closed:
            status = "Closed episode"
        elif r.child in open_cla:
            status = "Looked after child"
        elif r.child in open_cp:
            status = "Child Protection plan"
        elif r.child in cin_plan:
            status = "Child in need plan"
        elif r.child in open_asm:
            status = "Open assessment"
        else:
            status = None
        worker, team = allocated(r.child, r.end if closed else d)
        rows[6].append(
            {
                **person(r.child),
                "cin_start": r.start,
                "primary_need": r.need,
                "last_seen": max(seen, default=None),
                "cin_closed": r.end,
                "closure_reason": "RC7" if r.end else None,
                "case_status": status,
                "worker": worker,
                "team": team,
            }
        )
    for p in c.cp:
        if not (p.start <= d and (p.end is None or p.end > p_start)):
            continue
        stop = min(p.end, d) if p.end else d
        counted = [v for v in p.visits if v.seen != "N" and p.start <= _day(v.date) <= stop]
        last = max((_day(v.date) for v in counted), default=None)
        that_day = [v.alone for v in counted if _day(v.date) == last]
        alone = "Yes" if "Y" in that_day else ("No" if "N" in that_day else None)
        reviews = [r.date for r in p.reviews if p.start <= r.date <= stop]
        worker, team = allocated(p.child, p.end if p.end and p.end <= d else d)
        rows[7].append(
            {
                **person(p.child),
                "plan_start": p.start,
                "plan_end": p.end,
                "initial_category": "Neglect",
                "latest_category": "Neglect",
                "last_visit": last,
                "seen_alone": alone,
                "latest_review": max(reviews, default=None),
                "epo": "No",
                "previous_plans": sum(1 for o in c.cp if o.child == p.child and o.start < p.start),
                "worker": worker,
                "team": team,
            }
        )
    latest = {}
    for p in c.cla:
        in_period = p.start <= d and (p.end is None or p.end > p_start)
        if in_period and (p.child not in latest or p.start > latest[p.child].start):
            latest[p.child] = p
    for p in latest.values():
        stop = min(p.end, d) if p.end else d
        visits = [
            _day(v.date) for v in p.visits if v.seen != "N" and p.start <= _day(v.date) <= stop
        ]
        reviews = [r.date for r in p.reviews if p.start <= r.date <= stop and r.cancelled != "Y"]
        health = [w for _, k, w in p.health if k == "Health Assessment" and p.start <= w <= stop]
        dental = [w for _, k, w in p.health if k == "Dental Check" and p.start <= w <= stop]
        placed = [pl for pl in p.placements if pl.start <= d]
        current = max(placed, key=lambda pl: pl.start)
        recent = [m for m in p.missing if year_ago < _day(m.start) <= d]
        missing = [m for m in recent if m.kind == "M"]
        ended = [m for m in missing if m.end is not None and _day(m.end) <= d]
        last_ended = max(ended, key=lambda m: (_day(m.end), m.start), default=None)
        worker, team = allocated(p.child, p.end if p.end and p.end <= d else d)
        plan = {"LTFOST18": "Long-term fostering", None: None}[p.plan]
        rows[8].append(
            {
                **person(p.child),
                "uasc": "No",
                "cla_start": p.start,
                "category_of_need": "N1",
                "subsequent_period": "No",
                "legal_status_start": p.start,
                "legal_status": p.legal,
                "latest_review": max(reviews, default=None),
                "last_visit": max(visits, default=None),
                "permanence_plan": plan,
                "last_iro_contact": max((r.date for r in p.reviews), default=None),
                "last_health_assessment": max(health, default=None),
                "last_dental_check": max(dental, default=None),
                "placements_12m": sum(1 for pl in placed if pl.end is None or pl.end > year_ago),
                "ceased": p.end,
                "reason_ceased": p.reason,
                "placement_start": current.start,
                "placement_type": current.type,
                "placement_provider": current.provider,
                "placement_postcode": "AB1 2CD",
                "placement_urn": "SC000123",
                "missing_episodes": len(missing),
                "absent_episodes": sum(1 for m in recent if m.kind == "A"),
                "return_interview_offered": YES_NO.get(last_ended.offered) if last_ended else None,
                "return_interview_accepted": YES_NO.get(last_ended.accepted)
                if last_ended
                else None,
                "worker": worker,
                "team": team,
            }
        )
    for r in c.leavers:
        w = c.workers[r.worker]
        review = None if r.review is None or r.review <= dt.date(1900, 1, 1) else r.review
        rows[9].append(
            {
                **person(r.child),
                "uasc": "No",
                "team": team_name[w.team],
                "worker": w.name,
                "personal_adviser": r.adviser,
                "eligibility": "Former relevant child",
                "pathway_plan_review": review,
                "in_touch": {"YES": "Yes", "NO": "No"}[r.in_touch],
                "latest_contact": r.contact,
                "accommodation_type": r.accommodation,
                "accommodation_suitability": {"1": "Suitable", "2": "Unsuitable"}.get(r.suitable),
                "activity": r.activity,
            }
        )
    workers = [
        {
            "worker": w.name,
            "team": team_name[w.team],
            "fte": w.fte,
            "role": "NQSW/ASYE" if "NQSW" in w.title else "SW",
            "agency": "N",
        }
        for w in c.workers.values()
    ]
    return rows, {"workers": workers}
