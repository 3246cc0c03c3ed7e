"""Rules over the council's local tables (DESIGN §1): care leaver documents, workers and
management oversight. Each is reported *not run*, with the reason, when its table is absent."""

from __future__ import annotations

import numpy as np
import pandas as pd

from audits.calendar import add_days, age_in_years
from audits.engine.context import Context, frame_hits
from audits.engine.registry import rule
from audits.spec import header_key

CASELOAD_LISTS = (4, 5, 6, 7, 8, 9)
OVERSIGHT_LISTS = (6, 7, 8)


def _name_key(names: pd.Series) -> pd.Series:
    """Worker names compared without case, spacing or punctuation differences."""
    return (
        names.fillna("")
        .astype(str)
        .str.casefold()
        .str.replace(r"[^a-z0-9]+", " ", regex=True)
        .str.strip()
    )


@rule(
    "CL-06",
    area="Care leavers",
    severity="Error",
    title="Key document not held",
    basis="Children Act 1989 guidance and regulations vol. 3 (planning transition to adulthood "
    "for care leavers): NI number, birth certificate, bank account, health history; councils "
    "add passport or photo ID",
    condition="care leaver aged 18 or over at D; one finding per required document not "
    "recorded as Held = Y (no row, N, blank or unreadable)",
    needs={"list9": ("dob",), "care_leaver_documents": ("child_id", "document", "held")},
    threshold="required_documents",
)
def key_document_not_held(ctx: Context) -> pd.DataFrame:
    leavers = ctx.table("list9").frame
    adults = leavers[(age_in_years(leavers["dob"], ctx.as_at) >= 18).fillna(False).astype(bool)]
    adults = adults[adults["child_id"].notna()].drop_duplicates("child_id")
    required = pd.DataFrame({"document": list(ctx.config.required_documents)})
    required["key"] = required["document"].map(header_key)
    docs = ctx.table("care_leaver_documents").frame
    held = docs[docs["held"] == "Yes"].assign(
        key=docs["document"].map(header_key, na_action="ignore")
    )
    held = held[["child_id", "key"]].drop_duplicates().assign(held=True)
    wanted = adults.merge(required, how="cross").merge(held, on=["child_id", "key"], how="left")
    missing = wanted[wanted["held"].isna()]
    return frame_hits(
        area="Care leavers",
        lists="9",
        child_id=missing["child_id"],
        team=missing.get("team", pd.Series(pd.NA, index=missing.index)),
        worker=missing.get("worker", pd.Series(pd.NA, index=missing.index)),
        field="Document",
        value=missing["document"],
        message=missing["document"] + " not recorded as held",
        identity="L9",
        item=missing["document"],
        source_row=missing["_row"],
    )


@rule(
    "WF-01",
    area="Workforce",
    severity="Query",
    title="Caseload above standard",
    basis="Local standard (L): 18 children per full-time social worker, 16 for NQSW/ASYE",
    condition="distinct children on open List 4 to 9 rows allocated to the worker, divided by "
    "FTE, above the standard for the role (at the standard is met); workers with no FTE above "
    "zero are not assessed",
    needs={"workers": ("worker", "fte", "role")},
    threshold="caseload_standard",
)
def caseload_above_standard(ctx: Context) -> pd.DataFrame:
    parts = []
    for n in CASELOAD_LISTS:
        table = ctx.table(f"list{n}")
        if table is None or "worker" not in table.columns:
            continue
        f = table.frame
        parts.append(f.loc[ctx.is_open(table) & f["worker"].notna(), ["worker", "child_id"]])
    workers = ctx.table("workers").frame
    if not parts:
        return frame_hits(
            area="Workforce",
            lists="",
            child_id=pd.Series(dtype=str),
            team=pd.Series(dtype=str),
            worker=pd.Series(dtype=str),
            field="",
            value=pd.Series(dtype=str),
            message=pd.Series(dtype=str),
            identity="",
            item="",
            source_row=pd.Series(dtype=int),
        )
    cases = pd.concat(parts, ignore_index=True).dropna(subset=["child_id"])
    cases["key"] = _name_key(cases["worker"])
    children = cases.drop_duplicates(["key", "child_id"]).groupby("key").size().rename("children")
    staff = workers.assign(key=_name_key(workers["worker"])).drop_duplicates("key")
    staff = staff.merge(children, left_on="key", right_index=True, how="left").fillna(
        {"children": 0}
    )
    standard = np.where(
        staff["role"] == "NQSW/ASYE",
        ctx.config.caseload_standard_nqsw,
        ctx.config.caseload_standard,
    )
    assessed = staff["fte"] > 0
    caseload = (staff["children"] / staff["fte"].where(assessed)).round(1)
    over = staff[assessed & (caseload > standard)]
    if over.empty:
        return pd.DataFrame()
    load, limit = caseload[over.index], pd.Series(standard, index=staff.index)[over.index]
    message = (
        "Caseload "
        + load.map("{:g}".format)
        + " children per FTE ("
        + over["children"].astype(int).astype(str)
        + " children, FTE "
        + over["fte"].map("{:g}".format)
        + "); standard "
        + limit.map("{:g}".format)
    )
    return frame_hits(
        area="Workforce",
        lists="4-9",
        child_id=pd.Series("", index=over.index),
        team=over.get("team", pd.Series(pd.NA, index=over.index)),
        worker=over["worker"],
        field="Caseload per FTE",
        value=load.map("{:g}".format),
        message=message,
        identity="workers",
        item=over["key"],
        source_row=over["_row"],
    )


@rule(
    "MO-01",
    area="Management oversight",
    severity="Error",
    title="No management oversight recorded",
    basis="Local standard (L): management oversight recorded on every open case at least every "
    "42 days (Ofsted ILACS: leaders' oversight of practice)",
    condition="child with an open List 6, 7 or 8 row (one finding per child): no oversight "
    "recorded, or D > last oversight + 42 days",
    needs={"management_oversight": ("child_id", "last_oversight")},
    threshold="oversight_days",
)
def no_management_oversight(ctx: Context) -> pd.DataFrame:
    parts = []
    for n in OVERSIGHT_LISTS:
        table = ctx.table(f"list{n}")
        if table is None:
            continue
        f = table.frame
        part = f.loc[ctx.is_open(table) & f["child_id"].notna()].copy()
        part["list"] = n
        parts.append(part.reindex(columns=["child_id", "team", "worker", "_row", "list"]))
    if not parts:
        parts = [pd.DataFrame(columns=["child_id", "team", "worker", "_row", "list"])]
    cases = pd.concat(parts, ignore_index=True)
    codes, children = pd.factorize(cases["child_id"])  # one hashing pass; the rest is integers
    labels = pd.Series("", index=children, dtype=str)
    for n in OVERSIGHT_LISTS:  # "6", "6, 8" ...: which open lists the child is on
        on = np.zeros(len(children), dtype=bool)
        on[codes[(cases["list"] == n).to_numpy()]] = True
        labels = labels.where(~on, labels + np.where(labels == "", "", ", ") + str(n))
    cases = cases.drop_duplicates("child_id").set_index("child_id")
    cases["lists"] = labels
    oversight = ctx.table("management_oversight").frame
    last = oversight.dropna(subset=["child_id"]).groupby("child_id")["last_oversight"].max()
    cases["last"] = last.reindex(cases.index)
    due = add_days(cases["last"], ctx.config.oversight_days)
    flagged = cases[cases["last"].isna() | (ctx.date > due)]
    due = due[flagged.index]
    message = pd.Series(
        np.where(flagged["last"].isna(), "No management oversight recorded", None),
        index=flagged.index,
        dtype=object,
    )
    return frame_hits(
        area="Management oversight",
        lists=flagged["lists"],
        child_id=pd.Series(flagged.index, index=flagged.index),
        team=flagged["team"],
        worker=flagged["worker"],
        field="Date of Last Management Oversight",
        value=flagged["last"],
        message=message,
        identity="MO",
        item="",
        source_row=flagged["_row"],
        due_date=due,
        what="Management oversight",
    )
