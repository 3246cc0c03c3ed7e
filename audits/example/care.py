"""Lists 8 and 9 of the example (children in care, care leavers): clean records and the planted
records that each break one rule."""

from __future__ import annotations

import datetime as dt

from audits.example.people import Base


class Care(Base):
    # --- clean records (meet every rule) -------------------------------------------------------
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
    def plant_cla(self) -> None:
        """CLA-01 to CLA-07, a DQ-04 date and a DQ-01 duplicate."""
        days, add = self.days, self.rows
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

    def plant_care_leavers(self) -> None:
        """CL-01 to CL-05."""
        days, add = self.days, self.rows
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
