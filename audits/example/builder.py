"""A synthetic monthly Annex A export with planted defects, and the manifest of findings they cause.

Background records are built to meet every rule; each planted record breaks exactly one thing.
Due dates in the manifest come from this module's own day-by-day working-day count (not the
engine's vectorised calendar), so the end-to-end test compares two independent computations.
The workbook is deliberately messy in the ways real exports are: title rows, `List 3`-style
sheet names, prefixed and plain codes, dates as Excel dates and as dd/mm/yyyy text, and
non-breaking spaces in names. Everything in it is invented.
"""

from __future__ import annotations

import datetime as dt

from audits.example.care import Care
from audits.example.cases import Cases
from audits.example.front_door import FrontDoor
from audits.example.local_tables import LocalTables
from audits.example.people import Expected


class Builder(FrontDoor, Cases, Care, LocalTables):
    """The whole example: background records per list, then the planted defects in a fixed order
    (the seeded random numbers are drawn in that order, so a seed always gives the same export)."""

    def plant(self) -> None:
        self.plant_assessments()
        self.plant_s47()
        self.plant_cin()
        self.plant_cp()
        self.plant_cla()
        self.plant_care_leavers()
        self.plant_across_lists()

    def plant_across_lists(self) -> None:
        """DQ-02 (a contact after the as-at date) and DQ-03 (two dates of birth)."""
        d, add = self.as_at, self.rows
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
