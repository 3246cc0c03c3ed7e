"""Lists 1-5 of the example (contacts, early help, referrals, assessments, s47 enquiries): clean
records that meet every rule, and the planted records that each break one."""

from __future__ import annotations

import datetime as dt

from audits.example.people import Base


class FrontDoor(Base):
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

    # --- planted defects ------------------------------------------------------------------------
    def plant_assessments(self) -> None:
        """ASM-01 (twice, one at its boundary), ASM-02, ASM-03."""
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

    def plant_s47(self) -> None:
        """S47-01, S47-02, and an ICPC deemed unnecessary (no finding)."""
        days, add = self.days, self.rows
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
