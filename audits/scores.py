"""Compliance scores: children in scope with no Error finding in an area, as a percentage.

Scope of an area (DESIGN §3 leaves it open; this is the rule set's own scope):
Assessment: every List 4 row · Child protection: every List 5 row and open List 7 rows ·
Children in need: open List 6 rows · Children in care: open List 8 rows · Care leavers: every
List 9 row · Referrals: every List 3 row. A child counts once per area (and once per team within
it, under the team of their in-scope rows).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from audits.engine.context import Context

AREA_SCOPE: dict[str, tuple[tuple[int, bool], ...]] = {
    "Referrals": ((3, False),),
    "Assessment": ((4, False),),
    "Child protection": ((5, False), (7, True)),
    "Children in need": ((6, True),),
    "Children in care": ((8, True),),
    "Care leavers": ((9, False),),
}


@dataclass
class Score:
    area: str
    team: str | None
    in_scope: int
    compliant: int
    rag: str

    @property
    def percent(self) -> float | None:
        return round(100 * self.compliant / self.in_scope, 1) if self.in_scope else None

    def as_dict(self) -> dict:
        return {
            "area": self.area,
            "team": self.team,
            "children_in_scope": self.in_scope,
            "children_compliant": self.compliant,
            "score": self.percent,
            "rag": self.rag,
        }


def rag(percent: float | None, green: float, amber: float) -> str:
    if percent is None:
        return "n/a"
    return "Green" if percent >= green else "Amber" if percent >= amber else "Red"


def scope_frame(ctx: Context) -> pd.DataFrame:
    """(area, team, child_id) for every child in scope of an area."""
    parts = []
    for area, lists in AREA_SCOPE.items():
        for number, open_only in lists:
            table = ctx.export.get(number)
            if table is None or table.frame.empty:
                continue
            f = table.frame
            mask = ctx.is_open(table) if open_only else pd.Series(True, index=f.index)
            team = f["team"] if "team" in f else pd.Series(pd.NA, index=f.index, dtype="str")
            part = pd.DataFrame(
                {"area": area, "team": team.fillna("(no team)"), "child_id": f["child_id"]}
            )
            parts.append(part[mask & f["child_id"].notna()])
    if not parts:
        return pd.DataFrame(columns=["area", "team", "child_id"])
    return pd.concat(parts, ignore_index=True).drop_duplicates()


def compute_scores(ctx: Context, findings: pd.DataFrame) -> tuple[list[Score], list[Score]]:
    """(scores per area, scores per area and team)."""
    green, amber = ctx.config.rag_green, ctx.config.rag_amber
    scope = scope_frame(ctx)
    errors = findings[findings["severity"] == "Error"][["area", "team", "child_id"]].copy()
    errors["team"] = errors["team"].replace("", "(no team)")
    failing_area = errors[["area", "child_id"]].drop_duplicates().assign(failing_area=True)
    failing_team = errors.drop_duplicates().assign(failing_team=True)
    marked = scope.merge(failing_area, on=["area", "child_id"], how="left").merge(
        failing_team, on=["area", "team", "child_id"], how="left"
    )
    marked = marked.fillna({"failing_area": False, "failing_team": False})

    def score(area: str, team: str | None, rows: pd.DataFrame, flag: str) -> Score:
        children = rows.drop_duplicates("child_id")
        total = len(children)
        compliant = int((~children[flag].astype(bool)).sum())
        pct = round(100 * compliant / total, 1) if total else None
        return Score(area, team, total, compliant, rag(pct, green, amber))

    by_area, by_team = [], []
    for area in AREA_SCOPE:
        rows = marked[marked["area"] == area]
        by_area.append(score(area, None, rows, "failing_area"))
        for team, group in rows.groupby("team", sort=True):
            by_team.append(score(area, str(team), group, "failing_team"))
    return by_area, by_team
