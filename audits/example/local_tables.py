"""The council's local tables of the example (care leavers' documents, workers, management
oversight), with the planted records that break MO-01, CL-06 and WF-01."""

from __future__ import annotations

import datetime as dt

from audits.core.config import DEFAULT_DOCUMENTS as DOCUMENTS
from audits.example.people import TEAMS, Base, Expected


class LocalTables(Base):
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
