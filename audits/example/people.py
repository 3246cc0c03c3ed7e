"""The example's children, teams and workers, and the findings the planted records must cause."""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from audits.example.calendar import Days

TEAMS = ("Locality North", "Locality South", "Locality East")
FIRST = (
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Finn",
    "Grace",
    "Harvey",
    "Isla",
    "Jay",
    "Kai",
    "Lena",
)
LAST = (
    "Ahmed",
    "Brown",
    "Clarke",
    "Davies",
    "Evans",
    "Fraser",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
)


@dataclass
class Expected:
    rule_id: str
    list: str
    child_id: str
    due_date: dt.date | None = None
    days_overdue: int | None = None
    completed: bool = False  # judged on a completion date (days overdue fixed), not the as-at


def write_manifest(
    expected: Iterable[Expected],
    path: Path,
    *,
    order: Callable[[Expected], tuple],
    extra: tuple[str, ...] = (),
) -> Path:
    """`manifest.csv`: the findings an example must cause, one row each, in `order`, with any
    `extra` attributes of the expectations as further columns."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["rule_id", "list", "child_id", "due_date", "days_overdue", *extra])
        for e in sorted(expected, key=order):
            writer.writerow(
                [
                    e.rule_id,
                    e.list,
                    e.child_id,
                    e.due_date.isoformat() if e.due_date else "",
                    "" if e.days_overdue is None else e.days_overdue,
                    *(getattr(e, name) for name in extra),
                ]
            )
    return path


@dataclass
class Base:
    """What every part of the example shares: the as-at date, the seeded random numbers, the rows
    built so far (by list number) and the findings expected of them."""

    as_at: dt.date
    rng: random.Random
    days: Days = field(default_factory=Days)
    rows: dict[int, list[dict]] = field(default_factory=lambda: {n: [] for n in range(1, 10)})
    expected: list[Expected] = field(default_factory=list)
    next_id: int = 3_100_000

    def ago(self, lo: int, hi: int | None = None) -> dt.date:
        return self.as_at - dt.timedelta(days=self.rng.randint(lo, hi if hi is not None else lo))

    def child(self, team: str | None = None, age: tuple[int, int] = (3, 15)) -> dict:
        self.next_id += self.rng.randint(1, 97)
        years = self.rng.randint(*age)
        dob = self.as_at - dt.timedelta(days=years * 365 + self.rng.randint(30, 300))
        return {
            "child_id": str(self.next_id),
            "gender": self.rng.choice(["a) Male", "b) Female", "Male", "F"]),
            "ethnicity": self.rng.choice(["a) WBRI", "k) APKN", "o) BAFR", "WBRI"]),
            "dob": dob,
            "age": years,
            "team": team or self.rng.choice(TEAMS),
            "worker": f"{self.rng.choice(FIRST)}\u00a0{self.rng.choice(LAST)}",
        }

    def expect(
        self, rule_id: str, number: int, row: dict, due: dt.date | None = None, completed=None
    ):
        overdue = None
        if due is not None:
            overdue = ((completed or self.as_at) - due).days
        self.expected.append(
            Expected(rule_id, str(number), row["child_id"], due, overdue, completed is not None)
        )
