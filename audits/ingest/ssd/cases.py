"""Lists 6 and 7 from the SSD (docs/ssd.md §4) and their histories (§5): every visit of a child
in need (from the three visit tables), every statutory visit and review conference of a plan."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from audits.ingest.histories import CIN_VISITS, CP_VISITS, SSD_CP_REVIEWS
from audits.ingest.keys import member
from audits.ingest.ssd import parse
from audits.ingest.ssd.base import (
    Context,
    Rows,
    allocation_columns,
    latest_per,
    legal_statuses,
    open_rows,
    within,
)
from audits.ingest.ssd.extract import make_table
from audits.ingest.ssd.people import allocated_worker
from audits.model.spec import LIST6, LIST7

ABUSE = {
    "NEG": "Neglect",
    "PHY": "Physical abuse",
    "SAB": "Sexual abuse",
    "EMO": "Emotional abuse",
    "MUL": "Multiple/not recommended",
    "MULTIPLE*": "Multiple/not recommended",  # the spec's "Multiple: [categories]"
}
VISIT_TABLES = {  # table: (date, seen, alone, bedroom, id, the list its values belong to)
    "ssd_cin_visits": (
        "cinv_cin_visit_date",
        "cinv_cin_visit_seen",
        "cinv_cin_visit_seen_alone",
        "cinv_cin_visit_bedroom",
        "cinv_cin_visit_id",
        "6",
        "last_seen",
    ),
    "ssd_cp_visits": (
        "cppv_cp_visit_date",
        "cppv_cp_visit_seen",
        "cppv_cp_visit_seen_alone",
        "cppv_cp_visit_bedroom",
        "cppv_cp_visit_id",
        "7",
        "last_visit",
    ),
    "ssd_cla_visits": (
        "clav_cla_visit_date",
        "clav_cla_visit_seen",
        "clav_cla_visit_seen_alone",
        None,
        "clav_cla_visit_id",
        "8",
        "last_visit",
    ),
}
_RANK = {"Yes": 4, "No": 3, "Unknown": 2, parse.values.UNREADABLE: 1}


@dataclass
class Visits:
    """Every visit of the three visit tables, one frame (person, date, flags, where it came
    from), which of their rows the histories used (their unreadable values are reported), and
    the flags a table does not have (table -> {"seen": "ssd_cp_visits has no column ..."})."""

    frame: pd.DataFrame
    used: dict[str, set[int]] = field(default_factory=dict)
    absent: dict[str, dict[str, str]] = field(default_factory=dict)

    def lacks(self, table: str, name: str) -> str | None:
        return self.absent.get(table, {}).get(name)

    def use(self, rows: pd.DataFrame) -> None:
        for table, pos in rows.groupby("_table")["_pos"]:
            self.used.setdefault(table, set()).update(pos.tolist())


def all_visits(c: Context) -> Visits:
    parts, absent = [], {}
    for name, (date, seen, alone, bedroom, key, _, _) in VISIT_TABLES.items():
        held = c.ex.get(name)
        if held is None or not held.has(date):
            continue
        absent[name] = {
            flag: f"{name} has no column {source}"
            for flag, source in (("seen", seen), ("seen_alone", alone), ("bedroom_seen", bedroom))
            if source is not None and not held.has(source)
        }
        rows = c.ex.keep_until_as_at(held, date)
        part = pd.DataFrame(
            {
                "child": held.person().to_numpy(),
                "visit_date": held.date(date).to_numpy(),
                "seen": held.flag(seen)[0].to_numpy(),
                "seen_alone": held.flag(alone)[0].to_numpy(),
                "bedroom_seen": (
                    held.flag(bedroom)[0]
                    if bedroom
                    else pd.Series(pd.NA, index=held.raw.index, dtype="str")
                ).to_numpy(),
                "visit_id": held.ids(key).to_numpy(),
                "plan": (
                    held.ids("cppv_cp_plan_id")
                    if name == "ssd_cp_visits"
                    else held.ids("clav_cla_id")
                ).to_numpy(),
                "_row": held.raw["_row"].to_numpy(),
                "_table": name,
                "_pos": np.arange(len(held)),
            }
        ).iloc[rows]
        parts.append(part[part["visit_date"].notna() & part["child"].notna()])
    columns = [
        "child",
        "visit_date",
        "seen",
        "seen_alone",
        "bedroom_seen",
        "visit_id",
        "plan",
        "_row",
        "_table",
        "_pos",
    ]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    return Visits(frame, absent=absent)


def report_visits(c: Context, visits: Visits, on_lists: set[str]) -> None:
    """Unreadable values of the visits the histories used; unreadable dates of the visits of
    children on the lists (they could not be placed in any history)."""
    for name, (date, seen, alone, bedroom, _, label, canonical) in VISIT_TABLES.items():
        held = c.ex.get(name)
        if held is None:
            continue
        used = np.fromiter(visits.used.get(name, ()), dtype=np.int64)
        child = held.person()
        held.report(
            date,
            held.bad_date(date) & member(child, on_lists),
            list_label=label,
            canonical=canonical,
            expected=parse.EXPECTED_DATE,
        )
        for flag, field_name in (
            (seen, canonical),
            (alone, "seen_alone" if label == "7" else canonical),
            (bedroom, canonical),
        ):
            if flag is None or not held.has(flag):
                continue
            held.report(
                flag,
                held.flag(flag)[1],
                rows=used,
                list_label=label,
                canonical=field_name,
                expected=parse.EXPECTED_FLAG,
            )


# --- List 7 -----------------------------------------------------------------------------------


def list7(c: Context, visits: Visits):
    held = c.ex.get("ssd_cp_plans")
    if held is None:
        return None, None, None
    start = held.date("cppl_cp_plan_start_date")
    other_la = held.flag("cppl_cp_plan_ola")[0].eq("Yes").to_numpy(bool)  # not this council's
    r, end, plan_start = open_rows(
        c,
        LIST7,
        held,
        "cppl_cp_plan_start_date",
        "cppl_cp_plan_end_date",
        "plan_start",
        leave_out=other_la,
    )
    plan_end = end.iloc[r.at].reset_index(drop=True)
    r.put("plan_end", plan_end, "ssd_cp_plans.cppl_cp_plan_end_date")
    for name, source in (
        ("initial_category", "cppl_cp_plan_initial_category"),
        ("latest_category", "cppl_cp_plan_latest_category"),
    ):
        r.code(name, source, ABUSE)
    child = r.child()
    plan_id = held.ids("cppl_cp_plan_id").iloc[r.at].reset_index(drop=True)
    rows = pd.DataFrame({"child": child, "plan_id": plan_id, "start": plan_start, "end": plan_end})
    # previous plans: the child's plans (any) that started before this one
    every = pd.DataFrame({"child": held.person().to_numpy(), "other": start.to_numpy()}).dropna()
    pairs = rows.reset_index().merge(every, on="child")
    before = (pairs["other"] < pairs["start"]).groupby(pairs["index"]).sum()
    r.put(
        "previous_plans",
        before.reindex(range(len(rows)), fill_value=0).astype("float64"),
        "the child's CP plans starting before this one (ssd_cp_plans)",
    )
    history = cp_visit_history(c, visits, rows, r)
    reviews = cp_review_history(c, rows, r)
    _epo(c, r, child)
    on = plan_end.where(plan_end.notna() & (plan_end <= c.ex.date), c.ex.date)
    records = pd.DataFrame(
        {"child": child, "on": on, "referral": held.ids("cppl_referral_id").iloc[r.at].to_numpy()}
    )
    worker, team = allocated_worker(c.inv, records, c.ex, c.pp)
    allocation_columns(c, r, worker, team)
    return r.build(), history, reviews


def cp_visit_history(c: Context, visits: Visits, rows: pd.DataFrame, r: Rows):
    """Statutory visits of each plan: by plan id (and person) in the CP visits table; a visit
    with no plan id by person and date within the plan."""
    if c.ex.get("ssd_cp_visits") is None:
        r.lack("last_visit", c.ex.why_absent("ssd_cp_visits"))
        r.lack("seen_alone", c.ex.why_absent("ssd_cp_visits"))
        return None
    v = visits.frame[visits.frame["_table"] == "ssd_cp_visits"]
    plans = rows.reset_index().rename(columns={"index": "_plan"})
    by_id = v[v["plan"].notna()].merge(
        plans, left_on=["plan", "child"], right_on=["plan_id", "child"]
    )
    by_person = v[v["plan"].isna()].merge(plans, on="child")
    pairs = pd.concat([by_id, by_person], ignore_index=True)
    pairs = pairs[within(pairs, "start", "end", c.ex.date)]
    pairs = pairs.sort_values(["_plan", "visit_date", "_row"], kind="stable")
    visits.use(pairs)
    lacking = visits.absent.get("ssd_cp_visits", {})
    names = [
        n
        for n in ("visit_date", "seen", "seen_alone", "bedroom_seen", "visit_id")
        if n not in lacking
    ]
    table = make_table(
        CP_VISITS,
        {name: pairs[name] for name in names} | {"child_id": pairs["child"]},
        pairs["_row"],
        place=c.ex.get("ssd_cp_visits").place,
        sources={"visit_date": "cppv_cp_visit_date"},
        absent=lacking,
        hidden={"_plan": pairs["_plan"].to_numpy(np.int64)},
    )
    f = table.frame
    counted = f[f["seen"] != "No"] if "seen" in f else f  # a visit with the child not seen
    last = latest_per(
        counted["_plan"].to_numpy(), counted["visit_date"].to_numpy("datetime64[us]"), len(rows)
    )
    r.put("last_visit", pd.Series(last), "ssd_cp_visits (the latest visit, child not unseen)")
    if "seen_alone" not in f:
        r.lack("seen_alone", lacking["seen_alone"])
        return table
    that_day = counted[counted["visit_date"].to_numpy() == last[counted["_plan"].to_numpy()]]
    rank = that_day["seen_alone"].map(_RANK).fillna(0)
    best = that_day.assign(_rank=rank.to_numpy()).sort_values("_rank").groupby("_plan").tail(1)
    alone = pd.Series(pd.NA, index=range(len(rows)), dtype=object)
    alone[best["_plan"].to_numpy()] = best["seen_alone"].to_numpy()
    r.put("seen_alone", alone, "ssd_cp_visits.cppv_cp_visit_seen_alone (that visit)")
    return table


def cp_review_history(c: Context, rows: pd.DataFrame, r: Rows):
    held = c.ex.get("ssd_cp_reviews")
    why = c.ex.why_absent("ssd_cp_reviews", ("cppr_cp_plan_id", "cppr_cp_review_date"))
    if why:
        r.lack("latest_review", why)
        return None
    keep = c.ex.keep_until_as_at(held, "cppr_cp_review_date")
    quorate, bad_quorate = held.flag("cppr_cp_review_quorate")
    reviews = pd.DataFrame(
        {
            "plan_id": held.ids("cppr_cp_plan_id").to_numpy(),
            "person": held.ids("cppr_person_id").to_numpy(),
            "review_date": held.date("cppr_cp_review_date").to_numpy(),
            "review_due": held.date("cppr_cp_review_due").to_numpy(),
            "quorate": quorate.to_numpy(),
            "_row": held.raw["_row"].to_numpy(),
            "_pos": np.arange(len(held)),
        }
    ).iloc[keep]
    plans = rows.reset_index().rename(columns={"index": "_plan"})
    pairs = reviews.merge(plans, on="plan_id")
    pairs = pairs[pairs["person"].isna() | (pairs["person"] == pairs["child"])]
    stop = pairs["end"].where(pairs["end"].notna() & (pairs["end"] <= c.ex.date), c.ex.date)
    dated = pairs["review_date"].notna()
    pairs = pairs[
        (~dated | (pairs["review_date"] >= pairs["start"]))
        & (~dated | (pairs["review_date"] <= stop))
    ]
    used = pairs["_pos"].to_numpy(np.int64)
    held.report(
        "cppr_cp_review_date",
        held.bad_date("cppr_cp_review_date"),
        rows=used,
        list_label="7",
        canonical="latest_review",
        expected=parse.EXPECTED_DATE,
    )
    held.report(
        "cppr_cp_review_quorate",
        bad_quorate,
        rows=used,
        list_label="7",
        canonical="latest_review",
        expected=parse.EXPECTED_FLAG,
    )
    pairs = pairs[pairs["review_date"].notna()].sort_values(["_plan", "review_date"])
    table = make_table(
        SSD_CP_REVIEWS,
        {
            "child_id": pairs["child"],
            "review_date": pairs["review_date"],
            "review_due": pairs["review_due"],
            "quorate": pairs["quorate"],
        },
        pairs["_row"],
        place=held.place,
        sources={"review_date": "cppr_cp_review_date", "review_due": "cppr_cp_review_due"},
        hidden={"_plan": pairs["_plan"].to_numpy(np.int64)},
    )
    latest = latest_per(
        pairs["_plan"].to_numpy(), pairs["review_date"].to_numpy("datetime64[us]"), len(rows)
    )
    r.put("latest_review", pd.Series(latest), "ssd_cp_reviews.cppr_cp_review_date (the latest)")
    return table


def _epo(c: Context, r: Rows, child: pd.Series) -> None:
    """Yes when a legal status of police protection (L1) or an EPO (L2) overlaps the six months
    up to D."""
    legal = legal_statuses(c)
    if legal is None:
        r.lack("epo", c.ex.why_absent("ssd_legal_status", ("lega_legal_status",)))
        return
    since = c.ex.months_before(6)
    hit = legal[
        legal["code"].isin(["L1", "L2"])
        & (legal["start"] <= c.ex.date)
        & (legal["end"].isna() | (legal["end"] > since))
    ]
    r.put(
        "epo",
        pd.Series(np.where(member(child, hit["child"]), "Yes", "No")),
        "ssd_legal_status (L1 or L2 in the six months up to the as-at date)",
    )


# --- List 6 -----------------------------------------------------------------------------------


def list6(c: Context, visits: Visits, status: dict[str, set[str]]):
    """Children in need: one row per referral episode open in the period. `status` holds the
    children with an open List 8, List 7, CIN plan and List 4 row (for Case Status)."""
    held = c.ex.get("ssd_cin_episodes")
    if held is None:
        return None, None
    r, end, cin_start = open_rows(
        c, LIST6, held, "cine_referral_date", "cine_close_date", "cin_start"
    )
    closed = end.iloc[r.at].reset_index(drop=True)
    r.put("cin_closed", closed, "ssd_cin_episodes.cine_close_date")
    r.code("primary_need", "cine_cin_primary_need_code")
    if held.has("cine_close_reason"):
        reason = r.code("closure_reason", "cine_close_reason")
        r.put("closure_reason", reason.where(closed.notna()))
    else:
        r.lack("closure_reason", "ssd_cin_episodes has no column cine_close_reason")
    child = r.child()
    rows = pd.DataFrame({"child": child, "start": cin_start, "end": closed})
    history = None
    if visits.frame.empty and not any(c.ex.get(t) for t in VISIT_TABLES):
        r.lack(
            "last_seen",
            "no visit table (ssd_cin_visits, ssd_cp_visits, ssd_cla_visits) is in the SSD",
        )
    else:
        history = cin_visit_history(c, visits, rows, r)
    is_closed = closed.notna() & (closed <= c.ex.date)
    case = pd.Series(pd.NA, index=range(len(rows)), dtype=object)
    for label, children in (
        ("Open assessment", status.get("assessment", set())),
        ("Child in need plan", status.get("cin_plan", set())),
        ("Child Protection plan", status.get("cp", set())),
        ("Looked after child", status.get("cla", set())),
    ):
        case[member(child, children)] = label
    case[is_closed.to_numpy()] = "Closed episode"
    r.put(
        "case_status",
        case,
        "Closed episode, else the child's open CLA, CP, CIN plan or assessment record",
    )
    on = closed.where(is_closed, c.ex.date)
    records = pd.DataFrame(
        {"child": child, "on": on, "referral": held.ids("cine_referral_id").iloc[r.at].to_numpy()}
    )
    worker, team = allocated_worker(c.inv, records, c.ex, c.pp)
    allocation_columns(c, r, worker, team)
    return r.build(), history


def cin_visit_history(c: Context, visits: Visits, rows: pd.DataFrame, r: Rows):
    """Every visit of the person from the three visit tables dated within the episode: the
    tables carry no referral id, and one casenote can sit in two of them (one row per person,
    date and visit id)."""
    v = visits.frame.drop_duplicates(["child", "visit_date", "visit_id"])
    pairs = v.merge(rows.reset_index().rename(columns={"index": "_plan"}), on="child")
    pairs = pairs[within(pairs, "start", "end", c.ex.date)]
    pairs = pairs.sort_values(["_plan", "visit_date", "_row"], kind="stable")
    visits.use(pairs)
    source = pairs["_table"].str.removeprefix("ssd_").str.removesuffix("_visits")
    table = make_table(
        CIN_VISITS,
        {"child_id": pairs["child"]}
        | {
            name: pairs[name]
            for name in ("visit_date", "seen", "seen_alone", "bedroom_seen", "visit_id")
        }
        | {"source": source},
        pairs["_row"],
        place="ssd_cin_visits, ssd_cp_visits, ssd_cla_visits",
        sources={"visit_date": "cinv_cin_visit_date, cppv_cp_visit_date, clav_cla_visit_date"},
        hidden={"_plan": pairs["_plan"].to_numpy(np.int64)},
    )
    why = visits.lacks("ssd_cin_visits", "seen")
    if why:  # the child's being seen cannot be told at the CIN visits
        r.lack("last_seen", why)
        return table
    f = table.frame
    seen = f[f["seen"] == "Yes"]  # CIN-01 and "date child was last seen": seen only
    last = latest_per(
        seen["_plan"].to_numpy(), seen["visit_date"].to_numpy("datetime64[us]"), len(rows)
    )
    r.put(
        "last_seen",
        pd.Series(last),
        "the latest visit with the child seen (ssd_cin_visits, ssd_cp_visits, ssd_cla_visits)",
    )
    return table


def open_cin_plans(c: Context) -> set[str]:
    held = c.ex.get("ssd_cin_plans")
    if held is None or not held.has("cinp_cin_plan_start_date"):
        return set()
    start = held.date("cinp_cin_plan_start_date")
    end = c.until_as_at(held, "cinp_cin_plan_end_date")
    now = (start <= c.ex.date) & (end.isna() | (end > c.ex.date))
    return set(held.person()[now.to_numpy(bool)].dropna())
