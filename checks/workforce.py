"""Workforce from the histories: how often a child's social worker changes (WF-02). WF-01, the
caseload, is with the local tables (it reads the workers table)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from audits.core.calendar import add_months
from audits.engine.context import Context, hits
from audits.engine.registry import rule

FIRST_CONTACT = "FCONTA"  # first contact or re-referral: a first allocation, not a change


@rule(
    "WF-02",
    area="Workforce",
    severity="Query",
    title="Three or more changes of social worker in 12 months",
    basis="No statutory limit: the DfE collects every change of a looked-after child's social "
    "worker (SSDA903 social worker episodes) and the Children's Social Care National Framework "
    "(2023) makes stable relationships an outcome; the threshold is a local standard (L)",
    condition="child with an open List 8, else 7, else 6 row (one finding, on that row): "
    "allocated social workers starting in the 12 months up to D (M(D, -12) < start <= D) that "
    "differ from the worker before, >= 3; the child's first allocation, reason FCONTA (first "
    "contact or re-referral), a co-worker joining while the allocated worker stays, and cover "
    "roles (ssd_cover_roles) are not changes; the SSD only",
    needs={"involvements": ("worker_id", "started", "ended", "change_reason", "cover")},
    threshold="worker_changes_12m",
)
def changes_of_social_worker(ctx: Context):
    """Three or more changes of allocated social worker in 12 months, from the SSD's history of
    involvements (Annex A and the returns cannot feed it). A change is the start of an
    allocation to a worker other than the one before; A -> B -> A is two. An involvement that
    starts while another is open and ends no later than it (a co-worker) is not a change, and
    neither is a covering worker's (their role is one of `ssd_cover_roles`)."""
    inv = ctx.table("involvements").frame
    changes = worker_changes(inv, ctx.date)
    since = add_months(pd.Series([ctx.date]), -12).iloc[0]
    recent = changes[(changes["started"] > since) & (changes["started"] <= ctx.date)]
    counts = recent.groupby("child_id").size()
    many = counts[counts >= ctx.config.worker_changes_12m]
    if many.empty:
        return pd.DataFrame()
    listed = recent[recent["child_id"].isin(many.index)]
    shown = listed["started"].dt.strftime("%d/%m/%Y") + listed["change_reason"].map(
        lambda r: f" ({r})", na_action="ignore"
    ).fillna("")
    dates = shown.groupby(listed["child_id"]).agg(", ".join)
    parts, done = [], set()
    for number in (8, 7, 6):
        table = ctx.table(f"list{number}")
        if table is None:
            continue
        f = table.frame
        child = f["child_id"]
        candidate = (ctx.is_open(table) & child.isin(many.index) & ~child.isin(done)).to_numpy()
        pick = candidate & ~child.where(candidate).duplicated().to_numpy()  # one row per child
        if not pick.any():
            continue
        chosen = child[pick]
        done |= set(chosen)
        n = many.reindex(chosen.to_numpy()).to_numpy()
        message = pd.Series(
            [
                f"{k} changes of social worker in the 12 months to {ctx.date:%d/%m/%Y}: {d}"
                for k, d in zip(n, dates.reindex(chosen.to_numpy()), strict=True)
            ],
            index=chosen.index,
        )
        parts.append(
            hits(
                table,
                pd.Series(pick, index=f.index),
                field="worker",
                value=pd.Series(n.astype(str), index=chosen.index),
                message=message,
                item="worker changes",
                area="Workforce",
            )
        )
    return parts


def worker_changes(inv: pd.DataFrame, as_at: pd.Timestamp) -> pd.DataFrame:
    """The involvements that are a change of social worker (docs/ssd.md §9, WF-02)."""
    f = inv[(inv["cover"] != "Yes") & inv["started"].notna() & inv["child_id"].notna()]
    f = f.sort_values(["child_id", "started", "_row"], kind="stable").reset_index(drop=True)
    never = np.datetime64("2262-01-01")
    end = f["ended"].to_numpy("datetime64[us]")
    end = np.where(np.isnat(end) | (end > np.datetime64(as_at, "us")), never, end)
    end = pd.Series(end, index=f.index)
    before = end.groupby(f["child_id"]).cummax().groupby(f["child_id"]).shift()
    coworker = (before > f["started"]) & (before >= end)
    main = f[~coworker.fillna(False).to_numpy(bool)]
    previous = main.groupby("child_id")["worker_id"].shift()
    change = previous.notna() & (main["worker_id"] != previous)
    change &= main["change_reason"].fillna("").str.upper() != FIRST_CONTACT
    return main[change.to_numpy(bool)]
