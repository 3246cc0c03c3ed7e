"""The council's local tables of the example (care leavers' documents, workers, management
oversight), with the planted records that break MO-01, CL-06 and WF-01."""

from __future__ import annotations

import datetime as dt

from audits.core.config import DEFAULT_DOCUMENTS as DOCUMENTS
from audits.example.people import TEAMS, Base, Expected

PLANTED_WORKERS = ("Olu Overload", "Nia Newly")  # WF-01's planted caseloads, kept as they are
CASELOAD = (15, 18)  # a pooled worker's children: at least the first, never above the second


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

    def _open_rows(self) -> list[dict]:
        return [
            r
            for n in (4, 5, 6, 7, 8, 9)
            for r in self.rows[n]
            if not any(
                r.get(end) for end in ("assessment_authorised", "cin_closed", "plan_end", "ceased")
            )
        ]

    def pool_caseloads(self) -> list[str]:
        """Realistic caseloads (15 to 18 children per worker, as a council's workers table
        shows): the background records' workers, random names holding two or three children
        each, are pooled in name order into workers of 15 to 18 children, each taking the name
        of the first it pools, on every list. A worker already holding more stays alone; the
        planted WF-01 workers keep theirs. Draws no random numbers; returns the names before
        pooling, in the order the workers table draws their teams (so the seeded numbers drawn
        after it, and the whole export but its worker names and FTE, stay as they were)."""
        children: dict[str, set[str]] = {}
        written: dict[str, str] = {}
        for r in self._open_rows():
            if r.get("worker"):
                name = " ".join(r["worker"].split())
                children.setdefault(name, set()).add(r["child_id"])
                written.setdefault(name, r["worker"])
        pooled: dict[str, str] = {}
        head, held = None, set()
        for name in sorted(set(children) - set(PLANTED_WORKERS)):
            if head is None or len(held | children[name]) > CASELOAD[1]:
                head, held = name, set()
            pooled[name] = head
            held |= children[name]
            if len(held) >= CASELOAD[0]:
                head = None
        for rows in self.rows.values():
            for r in rows:
                name = " ".join(r["worker"].split()) if r.get("worker") else None
                if name in pooled and pooled[name] != name:
                    r["worker"] = written[pooled[name]]
        return sorted(children)

    def local_tables(self) -> dict[str, list[dict]]:
        before = self.pool_caseloads()
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
        open_rows = self._open_rows()
        children: dict[str, set[str]] = {}
        for r in open_rows:
            if r.get("worker"):
                children.setdefault(" ".join(r["worker"].split()), set()).add(r["child_id"])
        teams = {name: self.rng.choice(TEAMS) for name in before}
        workers = []
        for name, kids in sorted(children.items()):
            # whole-time for up to 18 children, then in halves: never above the standard (18)
            role, fte = "SW", max(0.5, -(-len(kids) * 2 // CASELOAD[1]) / 2)
            if name == "Olu Overload":
                fte = 0.5
            elif name == "Nia Newly":
                role = "NQSW/ASYE"
            workers.append(
                {
                    "worker": name,
                    "team": teams[name],
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
