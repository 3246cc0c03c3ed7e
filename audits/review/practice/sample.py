"""Choosing the month's cases for practice audit (DESIGN §3a): risk-weighted picks first (most
Error findings, CP plans over 18 months, care leavers missing documents, three or more
placements), then a seeded random sample per team; never a child audited in recent months."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from audits.core.calendar import add_months
from audits.engine.context import Context

CASE_LISTS = (8, 7, 9, 6, 4)  # a child's team and worker come from the first list they are open on


def open_cases(ctx: Context) -> pd.DataFrame:
    """One row per child open to the service: child_id, team, worker."""
    parts = []
    for n in CASE_LISTS:
        table = ctx.export.get(n)
        if table is None or table.frame.empty:
            continue
        f = table.frame
        rows = f.loc[ctx.is_open(table) & f["child_id"].notna()]
        parts.append(
            pd.DataFrame(
                {
                    "child_id": rows["child_id"],
                    "team": rows.get("team", pd.NA),
                    "worker": rows.get("worker", pd.NA),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["child_id", "team", "worker"])
    cases = pd.concat(parts, ignore_index=True).drop_duplicates("child_id")
    cases["team"] = cases["team"].fillna("(no team)").astype(str)
    return cases.sort_values(["team", "child_id"], kind="stable").reset_index(drop=True)


def risk_flags(ctx: Context, findings: pd.DataFrame) -> tuple[pd.DataFrame, set, set, set]:
    """Per child: Error findings, CP plan over 18 months, missing documents, 3+ placements."""
    errors = findings[findings["severity"] == "Error"].groupby("child_id").size().rename("errors")
    flags = pd.DataFrame({"errors": errors})
    cp = ctx.export.get(7)
    long_cp = set()
    if cp is not None and "plan_start" in cp.frame:
        f = cp.frame
        long_cp = set(
            f.loc[ctx.is_open(cp) & (ctx.date >= add_months(f["plan_start"], 18)), "child_id"]
        )
    documents = set(findings.loc[findings["rule_id"] == "CL-06", "child_id"])
    moves = set(findings.loc[findings["rule_id"] == "CLA-06", "child_id"])
    return flags, long_cp, documents, moves


def choose(
    ctx: Context,
    findings: pd.DataFrame,
    *,
    seed: int,
    per_team: int,
    risk_picks: int,
    exclude: set[str],
) -> pd.DataFrame:
    """The month's sample: risk-weighted picks first, then a seeded random sample per team."""
    cases = open_cases(ctx)
    cases = cases[~cases["child_id"].isin(exclude)].reset_index(drop=True)
    flags, long_cp, documents, moves = risk_flags(ctx, findings)
    cases["errors"] = cases["child_id"].map(flags["errors"]).fillna(0).astype(int)
    chosen: dict[str, str] = {}

    def pick(candidates: pd.DataFrame, reason: str, limit: int) -> None:
        taken = 0
        for child in candidates["child_id"]:
            if taken == limit:
                break
            if child not in chosen:
                chosen[child] = reason
                taken += 1

    most = cases[cases["errors"] > 0].sort_values(
        ["errors", "child_id"], ascending=[False, True], kind="stable"
    )
    pick(most, "Most Error findings", risk_picks)
    pick(cases[cases["child_id"].isin(long_cp)], "Child protection plan over 18 months", risk_picks)
    pick(cases[cases["child_id"].isin(documents)], "Care leaver missing key documents", risk_picks)
    pick(cases[cases["child_id"].isin(moves)], "Three or more placements in 12 months", risk_picks)
    rng = np.random.default_rng(seed)
    for team, group in cases.groupby("team", sort=True):
        pool = group[~group["child_id"].isin(chosen)]
        if pool.empty:
            continue
        take = min(per_team, len(pool))
        for child in pool["child_id"].to_numpy()[rng.choice(len(pool), size=take, replace=False)]:
            chosen[child] = f"Random sample ({team})"
    sample = cases[cases["child_id"].isin(chosen)].copy()
    sample["reason"] = sample["child_id"].map(chosen)
    mine = findings[findings["child_id"].isin(chosen)]
    summary = (
        mine.sort_values(["rule_id"])
        .groupby("child_id")["message"]
        .agg(lambda s: "\n".join(f"• {m}" for m in s))  # a few findings per sampled child
    )
    sample["findings"] = sample["child_id"].map(summary).fillna("No automated findings")
    order = {r: i for i, r in enumerate(dict.fromkeys(chosen.values()))}
    sample["_order"] = sample["reason"].map(order).fillna(99)
    return (
        sample.sort_values(["_order", "team", "child_id"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def month_of(as_at: dt.date) -> str:
    return as_at.strftime("%Y-%m")
