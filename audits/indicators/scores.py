"""Compliance scores: children in scope with no Error finding in an area, as a percentage.

Scope of an area (DESIGN §3 leaves it open; this is the rule set's own scope):
Assessment: every List 4 row · Child protection: every List 5 row and open List 7 rows ·
Children in need: open List 6 rows · Children in care: open List 8 rows · Care leavers: every
List 9 row · Referrals: every List 3 row. A child counts once per area (and once per team within
it, under the team of their in-scope rows). An area in which no Error rule could run on this
export (its columns absent, e.g. Children in need on a CIN census without visit dates) has no
score: "n/a", never 100%.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from audits.engine.context import Context
from audits.ingest.keys import encode

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
    checked: bool = True  # False: no Error rule of the area could run, so there is no score

    @property
    def percent(self) -> float | None:
        if not self.checked or not self.in_scope:
            return None
        return round(100 * self.compliant / self.in_scope, 1)

    def as_dict(self) -> dict:
        return {
            "area": self.area,
            "team": self.team,
            "children_in_scope": self.in_scope,
            "children_compliant": self.compliant,
            "score": self.percent,
            "rag": self.rag,
            **({} if self.checked else {"why_no_score": NOT_CHECKED}),
        }


NOT_CHECKED = "no Error rule of this area could run on this export (see rules not run)"
_AREA_OF_LIST = {n: area for area, lists in AREA_SCOPE.items() for n, _ in lists}
PER_LIST_AREA = "(area of the list)"  # a rule whose findings take the area of their list


def checked_areas(ctx: Context, outcomes) -> set[str]:
    """The areas in which at least one Error rule ran (for a rule whose area is its list's, the
    areas of the lists it could read): only these can be scored."""
    from audits.engine.run import missing_inputs

    areas: set[str] = set()
    for outcome in outcomes:
        rule = outcome.rule
        if not outcome.ran or rule.severity != "Error":
            continue
        if rule.area != PER_LIST_AREA:
            areas.add(rule.area)
            continue
        _, usable = missing_inputs(rule, ctx)
        numbers = {int(key[4:]) for key in usable if key.startswith("list") and key[4:].isdigit()}
        areas |= {_AREA_OF_LIST[n] for n in numbers if n in _AREA_OF_LIST}
    return areas


def rag(percent: float | None, green: float, amber: float) -> str:
    if percent is None:
        return "n/a"
    return "Green" if percent >= green else "Amber" if percent >= amber else "Red"


def scope_frame(ctx: Context) -> pd.DataFrame:
    """(area, team, child_id) for every child in scope of an area (each once)."""
    parts = []
    for area, lists in AREA_SCOPE.items():
        for number, open_only in lists:
            table = ctx.export.get(number)
            if table is None or table.frame.empty:
                continue
            f = table.frame
            mask = ctx.is_open(table) if open_only else pd.Series(True, index=f.index)
            mask = (mask & f["child_id"].notna()).to_numpy()
            team = f["team"] if "team" in f else pd.Series(pd.NA, index=f.index, dtype="str")
            parts.append(
                pd.DataFrame(
                    {
                        "area": area,
                        "team": team[mask].fillna("(no team)"),
                        "child_id": f["child_id"][mask],
                    }
                )
            )
    if not parts:
        return pd.DataFrame(columns=["area", "team", "child_id"])
    return pd.concat(parts, ignore_index=True)


def compute_scores(
    ctx: Context, findings: pd.DataFrame, checked: set[str] | None = None
) -> tuple[list[Score], list[Score]]:
    """(scores per area, scores per area and team); `checked`: the areas that can be scored
    (`checked_areas`; every area when None).

    Children and teams are compared as integer codes (one Arrow hashing of the in-scope and
    failing ids together), so a national pass of millions of in-scope rows stays quick.
    """
    green, amber = ctx.config.rag_green, ctx.config.rag_amber
    scope = scope_frame(ctx)
    errors = findings[findings["severity"] == "Error"]
    errors = pd.DataFrame(
        {
            "area": errors["area"],
            "team": errors["team"].replace("", "(no team)"),
            "child_id": errors["child_id"],
        }
    )
    children = encode({"scope": scope["child_id"], "errors": errors["child_id"]})
    teams = encode({"scope": scope["team"], "errors": errors["team"]})
    size = max(children.size, 1)

    def score(area: str, team: str | None, total: int, failing: int) -> Score:
        scored = checked is None or area in checked
        found = Score(area, team, total, total - failing, "n/a", checked=scored)
        found.rag = rag(found.percent, green, amber)
        return found

    by_area, by_team = [], []
    for area in AREA_SCOPE:
        rows = (scope["area"] == area).to_numpy()
        bad = (errors["area"] == area).to_numpy()
        child, team = children.of("scope")[rows], teams.of("scope")[rows].astype(np.int64)
        bad_child, bad_team = children.of("errors")[bad], teams.of("errors")[bad].astype(np.int64)
        present = np.zeros(children.size, dtype=bool)
        present[child] = True
        failing = np.zeros(children.size, dtype=bool)
        failing[bad_child[bad_child >= 0]] = True
        by_area.append(score(area, None, int(present.sum()), int((present & failing).sum())))
        pairs = pd.unique(team * size + child)  # each child once per team
        failed = np.isin(pairs, bad_team * size + bad_child)
        totals = np.bincount(pairs // size, minlength=teams.size)
        fails = np.bincount(pairs[failed] // size, minlength=teams.size)
        for code in sorted(np.flatnonzero(totals), key=lambda c: str(teams.vocabulary[c])):
            by_team.append(
                score(area, str(teams.vocabulary[code]), int(totals[code]), int(fails[code]))
            )
    return by_area, by_team
