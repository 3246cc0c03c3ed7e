"""Lists 6 and 7 of the example (children in need, child protection plans): clean records and
the planted records that each break one rule."""

from __future__ import annotations

from audits.example.people import Base


class Cases(Base):
    # --- clean records (meet every rule) -------------------------------------------------------
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

    # --- planted defects ------------------------------------------------------------------------
    def plant_cin(self) -> None:
        """CIN-01 (seen long ago; never seen), ALL-01, and a closed case (no finding)."""
        days, add = self.days, self.rows
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
        r["cin_start"] = min(r["cin_start"], r["last_seen"])  # opened before it was closed
        add[6].append(r)  # closed: no finding

    def plant_cp(self) -> None:
        """CP-01 to CP-04, and the DQ-04 / DQ-05 values of Lists 6 and 7."""
        days, add = self.days, self.rows
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
        self.expect("DQ-04", 6, r)  # not in Ofsted's code list: one finding, not a DQ-05 too
        add[6].append(r)
        r = self.cp()
        r["seen_alone"] = "Maybe"
        self.expect("DQ-04", 7, r)
        add[7].append(r)
