"""Lists 8, 9 and 10 from the SSD (docs/ssd.md §4) and the histories of a period of care (§5):
placements, visits, reviews, health checks and missing episodes."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from audits.ingest.histories import (
    CLA_PLACEMENTS,
    CLA_VISITS,
    HEALTH_CHECKS,
    MISSING_EPISODES,
    SSD_CLA_REVIEWS,
)
from audits.ingest.keys import member
from audits.ingest.ssd import parse
from audits.ingest.ssd.base import (
    Context,
    Rows,
    allocation_columns,
    latest_per,
    legal_statuses,
    within,
)
from audits.ingest.ssd.cases import Visits
from audits.ingest.ssd.extract import make_table
from audits.ingest.ssd.people import allocated_worker
from audits.model import codes
from audits.model.spec import LIST8, LIST9, LIST10

SHORT_BREAKS = ("V3", "V4")
PERMANENCE_KEYS = (  # the care plan JSON's keys, in the order a parallel plan is shown
    ("REMAINSUP", "Return to family"),
    ("RETURN1M", "Return to family"),
    ("RETURN6M", "Return to family"),
    ("RETURNEV", "Return to family"),
    ("ADOPTION", "Adoption"),
    ("LTFOST18", "Long-term fostering"),
    ("LTRELFR", "Long-term fostering"),
    ("RESPLMT", "Long-term residential placement"),
    ("SUPPLIV", "Supported living in the community"),
    ("OTHERPLN", "Other"),
)
_JSON_PAIR = re.compile(r'"?([A-Za-z0-9_]+)"?\s*:\s*("[^"]*"|[^,}\s]+)')
ELIGIBILITY = {
    "RELEVANT": "Relevant child",
    "FORMER RELEVANT": "Former relevant child",
    "QUALIFYING": "Qualifying care leaver",
    "ELIGIBLE": "Eligible child",
}
SUITABLE = {"YES": "Suitable", "NO": "Unsuitable", "NOT SUITABLE": "Unsuitable"}


def _first_code(col: pd.Series) -> pd.Series:
    """`YES - Yes - in touch` -> `YES` (the spec's "CODE - label" wording)."""
    words = parse.text(col)
    return words.str.split(" - ", n=1).str[0].where(words.str.contains(" - ", regex=False), words)


# --- legal statuses and periods of care ------------------------------------------------------


@dataclass
class Periods:
    """Periods of care: one row per period (child, key, start, ceased, reason, need, referral,
    last IRO contact), from the episodes."""

    frame: pd.DataFrame


def periods(c: Context) -> Periods | None:
    held = c.ex.get("ssd_cla_episodes")
    if held is None or not held.has("clae_cla_episode_start_date"):
        return None
    ep = pd.DataFrame(
        {
            "child": held.person().to_numpy(),
            "start": held.date("clae_cla_episode_start_date").to_numpy(),
            "ceased": c.until_as_at(held, "clae_cla_episode_ceased_date").to_numpy(),
            "reason_start": held.text("clae_cla_episode_start_reason").str.upper().to_numpy(),
            "cla_id": held.ids("clae_cla_id").to_numpy(),
            "referral": held.ids("clae_referral_id").to_numpy(),
            "iro": held.date("clae_cla_last_iro_contact_date").to_numpy(),
            "_pos": np.arange(len(held)),
        }
    )
    ep = ep[ep["child"].notna() & ep["start"].notna() & (ep["start"] <= c.ex.date)]
    ep = ep.sort_values(["child", "start", "_pos"], kind="stable").reset_index(drop=True)
    same = ep["child"].eq(ep["child"].shift())
    continues = same & ep["start"].eq(ep["ceased"].shift()) & ep["reason_start"].ne("S")
    derived = "derived:" + (~continues).cumsum().astype(str)
    ep["key"] = ep["cla_id"].where(ep["cla_id"].notna(), derived)
    ep["key"] = ep["child"] + "|" + ep["key"]
    grouped = ep.groupby("key", sort=False)
    first = grouped.head(1).set_index("key")
    last = grouped.tail(1).set_index("key")
    frame = pd.DataFrame(
        {
            "child": first["child"],
            "cla_id": first["cla_id"],
            "start": grouped["start"].min(),
            "ceased": last["ceased"],
            "first_pos": first["_pos"],
            "last_pos": last["_pos"],
            "referral": last["referral"],
            "iro": grouped["iro"].max(),
        }
    )
    frame.index.name = "key"
    return Periods(frame.reset_index())


def _short_breaks(c: Context, per: pd.DataFrame) -> np.ndarray:
    """Periods whose legal statuses are all short breaks (V3, V4)."""
    legal = legal_statuses(c)
    if legal is None or per.empty:
        return np.zeros(len(per), dtype=bool)
    pairs = per.reset_index().merge(legal, on="child", suffixes=("", "_l"))
    stop = pairs["ceased"].where(pairs["ceased"].notna(), c.ex.date)
    overlap = (pairs["start_l"] <= stop) & (pairs["end"].isna() | (pairs["end"] >= pairs["start"]))
    pairs = pairs[overlap]
    short = pairs["code"].isin(SHORT_BREAKS).groupby(pairs["index"]).all()
    out = np.zeros(len(per), dtype=bool)
    out[short[short].index.to_numpy(np.int64)] = True
    return out


# --- List 8 -----------------------------------------------------------------------------------


@dataclass
class CareBuilt:
    list8: object
    tables: dict[str, object]
    rows: pd.DataFrame  # child, key, cla_id, start, ceased (one per List 8 row)


def list8(c: Context, visits: Visits, notes: list[str]) -> CareBuilt | None:
    per = periods(c)
    held = c.ex.get("ssd_cla_episodes")
    if per is None:
        return None
    f = per.frame
    in_period = (f["start"] <= c.ex.date) & (f["ceased"].isna() | (f["ceased"] > c.ex.period_start))
    short = _short_breaks(c, f)
    if (in_period & short).any():
        notes.append(
            f"{int((in_period & short).sum())} period(s) of care made only of short "
            "breaks (legal status V3/V4) are not List 8 rows"
        )
    chosen = f[in_period & ~short].sort_values(["child", "start"]).groupby("child").tail(1)
    chosen = chosen.sort_values("first_pos").reset_index(drop=True)
    held.report(
        "clae_cla_episode_start_date",
        held.bad_date("clae_cla_episode_start_date"),
        list_label="8",
        canonical="cla_start",
        expected="a date",
    )
    r = Rows(LIST8, held, chosen["last_pos"].to_numpy(np.int64))
    r.persons(c.pp, c.ex, ("disability",))
    child = r.child()
    r.put("cla_start", chosen["start"], "the earliest clae_cla_episode_start_date of the period")
    ceased = chosen["ceased"]
    r.put("ceased", ceased, "clae_cla_episode_ceased_date of the period's last episode")
    if held.has("clae_cla_episode_ceased_reason"):
        reason = r.code("reason_ceased", "clae_cla_episode_ceased_reason")
        r.put("reason_ceased", reason.where(ceased.notna() & (reason != "X1")))
    first = Rows(LIST8, held, chosen["first_pos"].to_numpy(np.int64))
    need = first.code("category_of_need", "clae_cla_primary_need_code")
    if need is not None:
        r.put("category_of_need", need, "clae_cla_primary_need_code of the first episode")
    else:
        r.lack("category_of_need", first.absent["category_of_need"])
    if held.has("clae_cla_last_iro_contact_date"):
        r.put("last_iro_contact", chosen["iro"], "clae_cla_last_iro_contact_date (the latest)")
    _uasc(c, r, child, within_months=12)
    _subsequent(c, r, f[~short], chosen)
    _legal_status(c, r, chosen)
    rows = chosen[["child", "key", "cla_id", "start", "ceased"]].copy()
    rows["end"] = rows["ceased"]
    tables = {}
    placements = placement_history(c, rows, r)
    if placements is not None:
        tables["cla_placements"] = placements
    tables["cla_visits"] = cla_visit_history(c, visits, rows, placements, r)
    tables["cla_reviews"] = cla_review_history(c, rows, r, notes)
    tables["health_checks"] = health_history(c, rows, r)
    tables["missing_episodes"] = missing_history(c, rows, r)
    _permanence(c, r, child)
    on = ceased.where(ceased.notna() & (ceased <= c.ex.date), c.ex.date)
    records = pd.DataFrame({"child": child, "on": on, "referral": chosen["referral"].to_numpy()})
    worker, team = allocated_worker(c.inv, records, c.ex, c.pp)
    allocation_columns(c, r, worker, team)
    return CareBuilt(r.build(), {k: v for k, v in tables.items() if v is not None}, rows)


def _uasc(c: Context, r: Rows, child: pd.Series, within_months: int | None) -> None:
    held = c.ex.get("ssd_immigration_status")
    if held is None or not held.has("immi_immigration_status"):
        r.lack("uasc", c.ex.why_absent("ssd_immigration_status", ("immi_immigration_status",)))
        return
    wanted = {s.strip().upper() for s in c.ex.config.ssd_uasc_statuses}
    uasc = held.text("immi_immigration_status").str.upper().isin(wanted).to_numpy(bool)
    start = held.date("immi_immigration_status_start_date")
    end = held.date("immi_immigration_status_end_date")
    hit = uasc & (start.isna() | (start <= c.ex.date)).to_numpy(bool)
    if within_months is not None:
        hit &= (end.isna() | (end > c.ex.months_before(within_months))).to_numpy(bool)
    children = set(held.person()[hit].dropna())
    r.put(
        "uasc",
        pd.Series(np.where(member(child, children), "Yes", "No")),
        "ssd_immigration_status (a UASC status"
        + (" in the 12 months up to the as-at date)" if within_months else ", ever)"),
    )


def _subsequent(c: Context, r: Rows, every: pd.DataFrame, chosen: pd.DataFrame) -> None:
    """Yes when the child had an earlier period of care that ended in the 12 months up to D."""
    since = c.ex.months_before(12)
    ended = every[
        every["ceased"].notna() & (every["ceased"] > since) & (every["ceased"] <= c.ex.date)
    ]
    pairs = chosen.reset_index().merge(ended[["child", "start"]], on="child", suffixes=("", "_o"))
    earlier = pairs[pairs["start_o"] < pairs["start"]]
    flag = np.where(np.isin(np.arange(len(chosen)), earlier["index"].to_numpy()), "Yes", "No")
    r.put("subsequent_period", pd.Series(flag), "an earlier period of care ended in the 12 months")


def _legal_status(c: Context, r: Rows, chosen: pd.DataFrame) -> None:
    legal = legal_statuses(c)
    if legal is None:
        why = c.ex.why_absent("ssd_legal_status", ("lega_legal_status",))
        r.lack("legal_status", why)
        r.lack("legal_status_start", why)
        return
    on = chosen["ceased"].where(
        chosen["ceased"].notna() & (chosen["ceased"] <= c.ex.date), c.ex.date
    )
    rows = pd.DataFrame({"child": chosen["child"], "on": on}).reset_index()
    pairs = rows.merge(legal, on="child")
    pairs = pairs[
        (pairs["start"] <= pairs["on"]) & (pairs["end"].isna() | (pairs["end"] >= pairs["on"]))
    ]
    pairs = pairs.assign(readable=~pairs["bad"]).sort_values(["index", "readable", "start"])
    best = pairs.groupby("index").tail(1).set_index("index")
    code = best["code"].reindex(range(len(chosen)))
    r.put("legal_status", code, "ssd_legal_status.lega_legal_status (the one in force)")
    r.put(
        "legal_status_start",
        best["start"].reindex(range(len(chosen))),
        "ssd_legal_status.lega_legal_status_start_date",
    )
    held = c.ex.get("ssd_legal_status")
    used = best["_pos"].to_numpy(np.int64)
    held.report(
        "lega_legal_status",
        legal["bad"].to_numpy(),
        rows=used,
        list_label="8",
        canonical="legal_status",
        expected="a DfE legal status code (C1, C2, E1, V2 ...) "
        "or a wording the config's ssd_legal_statuses maps to one",
    )


def placement_history(c: Context, rows: pd.DataFrame, r: Rows):
    held = c.ex.get("ssd_cla_placement")
    why = c.ex.why_absent("ssd_cla_placement", ("clap_cla_placement_start_date",))
    if why:
        for name in (
            "placements_12m",
            "placement_start",
            "placement_type",
            "placement_provider",
            "placement_postcode",
            "placement_urn",
        ):
            r.lack(name, why)
        return None
    start = held.date("clap_cla_placement_start_date")
    keep = np.flatnonzero((start <= c.ex.date).to_numpy(bool))
    pl = pd.DataFrame(
        {
            "cla_id": held.ids("clap_cla_id").to_numpy(),
            "person": held.ids("clap_person_id").to_numpy(),
            "placement_start": start.to_numpy(),
            "placement_end": c.until_as_at(held, "clap_cla_placement_end_date").to_numpy(),
            "_row": held.raw["_row"].to_numpy(),
            "_pos": np.arange(len(held)),
        }
    ).iloc[keep]
    plans = rows.reset_index().rename(columns={"index": "_plan"})
    by_id = pl[pl["cla_id"].notna()].merge(plans[["_plan", "cla_id", "child"]], on="cla_id")
    by_id = by_id[by_id["person"].isna() | (by_id["person"] == by_id["child"])]
    by_person = pl[pl["cla_id"].isna()].merge(plans, left_on="person", right_on="child")
    stop = by_person["ceased"].where(by_person["ceased"].notna(), c.ex.date)
    by_person = by_person[
        (by_person["placement_start"] >= by_person["start"])
        & (by_person["placement_start"] <= stop)
    ]
    pairs = pd.concat([by_id, by_person], ignore_index=True)
    pairs = pairs.sort_values(["_plan", "placement_start", "_pos"], kind="stable")
    used = pairs["_pos"].to_numpy(np.int64)
    columns: dict = {
        "child_id": pairs["child"],
        "placement_start": pairs["placement_start"],
        "placement_end": pairs["placement_end"],
    }
    for name, source, domain in (
        ("placement_type", "clap_cla_placement_type", codes.PLACEMENT_TYPE),
        ("placement_provider", "clap_cla_placement_provider", codes.PLACEMENT_PROVIDER),
    ):
        if held.has(source):
            code, bad = parse.coded(held.raw[source], domain)
            held.report(
                source,
                bad,
                rows=used,
                list_label="8",
                canonical=name,
                expected=f"one of: {domain.describe()}",
            )
            columns[name] = code.iloc[pairs["_pos"].to_numpy()].reset_index(drop=True)
    if held.has("clap_cla_placement_urn"):
        columns["placement_urn"] = (
            held.text("clap_cla_placement_urn").iloc[used].reset_index(drop=True)
        )
    held.report(
        "clap_cla_placement_start_date",
        held.bad_date("clap_cla_placement_start_date"),
        rows=used,
        list_label="8",
        canonical="placement_start",
        expected="a date",
    )
    table = make_table(
        CLA_PLACEMENTS,
        columns,
        pairs["_row"],
        place=held.place,
        sources={"placement_start": "clap_cla_placement_start_date"},
        hidden={"_plan": pairs["_plan"].to_numpy(np.int64)},
    )
    # List 8: placements running in the 12 months, and the latest placement
    p = table.frame
    since = c.ex.months_before(12)
    running = (p["placement_start"] <= c.ex.date) & (
        p["placement_end"].isna() | (p["placement_end"] > since)
    )
    n = len(rows)
    count = np.bincount(p["_plan"][running].to_numpy(np.int64), minlength=n).astype("float64")
    r.put("placements_12m", pd.Series(count), "ssd_cla_placement rows running in the 12 months")
    latest = p.groupby("_plan").tail(1).set_index("_plan")
    r.put(
        "placement_start",
        latest["placement_start"].reindex(range(n)),
        "clap_cla_placement_start_date (the latest placement)",
    )
    for name, source in (
        ("placement_type", "clap_cla_placement_type"),
        ("placement_provider", "clap_cla_placement_provider"),
        ("placement_urn", "clap_cla_placement_urn"),
    ):
        if name in latest:
            r.put(name, latest[name].reindex(range(n)), f"{source} (the latest placement)")
        else:
            r.lack(name, f"ssd_cla_placement has no column {source}")
    if held.has("clap_cla_placement_postcode"):
        last_pos = pairs.groupby("_plan")["_pos"].last()
        post = held.text("clap_cla_placement_postcode").iloc[last_pos.to_numpy()]
        r.put(
            "placement_postcode",
            pd.Series(post.to_numpy(), index=last_pos.index).reindex(range(n)),
            "clap_cla_placement_postcode (the latest placement)",
        )
    return table


def cla_visit_history(c: Context, visits: Visits, rows: pd.DataFrame, placements, r: Rows):
    if c.ex.get("ssd_cla_visits") is None:
        r.lack("last_visit", c.ex.why_absent("ssd_cla_visits"))
        return None
    v = visits.frame[visits.frame["_table"] == "ssd_cla_visits"]
    plans = rows.reset_index().rename(columns={"index": "_plan"})
    by_id = v[v["plan"].notna()].merge(
        plans, left_on=["plan", "child"], right_on=["cla_id", "child"]
    )
    by_person = v[v["plan"].isna()].merge(plans, on="child")
    pairs = pd.concat([by_id, by_person], ignore_index=True)
    pairs = pairs[within(pairs, "start", "end", c.ex.date)]
    pairs = pairs.sort_values(["_plan", "visit_date", "_row"], kind="stable").reset_index(drop=True)
    visits.use(pairs)
    placement = np.full(len(pairs), -1, dtype=np.int64)
    if placements is not None and len(pairs):
        p = placements.frame.reset_index(drop=True)
        cand = (
            pairs[["_plan", "visit_date"]]
            .reset_index()
            .merge(
                p[["_plan", "placement_start", "placement_end"]]
                .reset_index()
                .rename(columns={"index": "_placement"}),
                on="_plan",
            )
        )
        inside = (cand["placement_start"] <= cand["visit_date"]) & (
            cand["placement_end"].isna() | (cand["visit_date"] < cand["placement_end"])
        )
        cand = cand[inside].sort_values(["index", "placement_start"]).groupby("index").tail(1)
        placement[cand["index"].to_numpy(np.int64)] = cand["_placement"].to_numpy(np.int64)
    table = make_table(
        CLA_VISITS,
        {"child_id": pairs["child"]}
        | {name: pairs[name] for name in ("visit_date", "seen", "seen_alone", "visit_id")},
        pairs["_row"],
        place=c.ex.get("ssd_cla_visits").place,
        sources={"visit_date": "clav_cla_visit_date"},
        hidden={"_plan": pairs["_plan"].to_numpy(np.int64), "_placement": placement},
    )
    f = table.frame
    counted = f[f["seen"] != "No"]
    last = latest_per(
        counted["_plan"].to_numpy(), counted["visit_date"].to_numpy("datetime64[us]"), len(rows)
    )
    r.put("last_visit", pd.Series(last), "ssd_cla_visits (the latest visit, child not unseen)")
    return table


def cla_review_history(c: Context, rows: pd.DataFrame, r: Rows, notes: list[str]):
    held = c.ex.get("ssd_cla_reviews")
    why = c.ex.why_absent("ssd_cla_reviews", ("clar_cla_id", "clar_cla_review_date"))
    if why:
        r.lack("latest_review", why)
        return None
    keep = c.ex.keep_until_as_at(held, "clar_cla_review_date")
    cancelled = held.flag("clar_cla_review_cancelled")[0].eq("Yes").to_numpy(bool)
    rv = pd.DataFrame(
        {
            "cla_id": held.ids("clar_cla_id").to_numpy(),
            "review_date": held.date("clar_cla_review_date").to_numpy(),
            "review_due": held.date("clar_cla_review_due_date").to_numpy(),
            "cancelled": cancelled,
            "_row": held.raw["_row"].to_numpy(),
            "_pos": np.arange(len(held)),
        }
    ).iloc[keep]
    plans = rows.reset_index().rename(columns={"index": "_plan"})
    pairs = rv.merge(plans, on="cla_id")
    stop = pairs["ceased"].where(pairs["ceased"].notna(), c.ex.date)
    dated = pairs["review_date"].notna()
    pairs = pairs[
        ~dated | ((pairs["review_date"] >= pairs["start"]) & (pairs["review_date"] <= stop))
    ]
    held.report(
        "clar_cla_review_date",
        held.bad_date("clar_cla_review_date"),
        rows=pairs["_pos"].to_numpy(np.int64),
        list_label="8",
        canonical="latest_review",
        expected=parse.EXPECTED_DATE,
    )
    dropped = int((pairs["cancelled"] & dated).sum())
    if dropped:
        notes.append(f"{dropped} looked-after review(s) recorded as cancelled are not counted")
    pairs = pairs[dated & ~pairs["cancelled"]].sort_values(["_plan", "review_date"])
    table = make_table(
        SSD_CLA_REVIEWS,
        {
            "child_id": pairs["child"],
            "review_date": pairs["review_date"],
            "review_due": pairs["review_due"],
        },
        pairs["_row"],
        place=held.place,
        sources={"review_date": "clar_cla_review_date", "review_due": "clar_cla_review_due_date"},
        hidden={"_plan": pairs["_plan"].to_numpy(np.int64)},
    )
    latest = latest_per(
        pairs["_plan"].to_numpy(), pairs["review_date"].to_numpy("datetime64[us]"), len(rows)
    )
    r.put("latest_review", pd.Series(latest), "ssd_cla_reviews.clar_cla_review_date (the latest)")
    return table


def health_history(c: Context, rows: pd.DataFrame, r: Rows):
    held = c.ex.get("ssd_cla_health")
    why = c.ex.why_absent("ssd_cla_health", ("clah_health_check_type", "clah_health_check_date"))
    if why:
        r.lack("last_health_assessment", why)
        r.lack("last_dental_check", why)
        return None
    keep = c.ex.keep_until_as_at(held, "clah_health_check_date")
    kind = held.text("clah_health_check_type").str.upper()
    dental = kind.str.contains("DENT").fillna(False).to_numpy(bool)
    health = kind.str.contains("HEALTH").fillna(False).to_numpy(bool) & ~dental
    status = held.text("clah_health_check_status")
    completed = (status.isna() | status.str.upper().str.startswith("COMPLETE")).to_numpy(bool)
    hc = pd.DataFrame(
        {
            "child": held.person().to_numpy(),
            "check_date": held.date("clah_health_check_date").to_numpy(),
            "check_type": np.select(
                [dental, health],
                ["Dental check", "Health assessment"],
                default=kind.fillna("").to_numpy(),
            ).astype(object),
            "status": status.to_numpy(),
            "counts": completed,
            "_row": held.raw["_row"].to_numpy(),
            "_pos": np.arange(len(held)),
        }
    ).iloc[keep]
    plans = rows.reset_index().rename(columns={"index": "_plan"})
    pairs = hc.merge(plans, on="child")
    stop = pairs["ceased"].where(pairs["ceased"].notna(), c.ex.date)
    pairs = pairs[(pairs["check_date"] >= pairs["start"]) & (pairs["check_date"] <= stop)]
    pairs = pairs.sort_values(["_plan", "check_date"], kind="stable")
    held.report(
        "clah_health_check_date",
        held.bad_date("clah_health_check_date") & member(held.person(), rows["child"]),
        list_label="8",
        canonical="last_health_assessment",
        expected=parse.EXPECTED_DATE,
    )
    table = make_table(
        HEALTH_CHECKS,
        {
            "child_id": pairs["child"],
            "check_date": pairs["check_date"],
            "check_type": pairs["check_type"],
            "status": pairs["status"],
        },
        pairs["_row"],
        place=held.place,
        sources={"check_date": "clah_health_check_date"},
        hidden={"_plan": pairs["_plan"].to_numpy(np.int64)},
    )
    done = pairs[pairs["counts"]]
    for name, label in (
        ("last_health_assessment", "Health assessment"),
        ("last_dental_check", "Dental check"),
    ):
        of = done[done["check_type"] == label]
        last = latest_per(
            of["_plan"].to_numpy(), of["check_date"].to_numpy("datetime64[us]"), len(rows)
        )
        r.put(name, pd.Series(last), f"ssd_cla_health (the latest completed {label.lower()})")
    return table


def missing_history(c: Context, rows: pd.DataFrame, r: Rows):
    held = c.ex.get("ssd_missing")
    why = c.ex.why_absent(
        "ssd_missing", ("miss_missing_episode_start_date", "miss_missing_episode_type")
    )
    if why:
        for name in (
            "missing_episodes",
            "absent_episodes",
            "return_interview_offered",
            "return_interview_accepted",
        ):
            r.lack(name, why)
        return None
    start_stamp = held.stamp("miss_missing_episode_start_date")[0]
    keep = c.ex.keep_until_as_at(held, "miss_missing_episode_start_date")
    end_stamp = held.stamp("miss_missing_episode_end_date")[0]
    end_day = c.until_as_at(held, "miss_missing_episode_end_date")
    end_stamp = end_stamp.where(end_day.notna())
    kind = held.text("miss_missing_episode_type").str.upper()
    episode_type = np.select(
        [
            kind.isin(["M", "MISSING"]).to_numpy(bool),
            kind.isin(["A", "AWAY", "ABSENT"]).to_numpy(bool),
        ],
        ["Missing", "Away"],
        default=kind.fillna("").to_numpy(),
    ).astype(object)
    offered, bad_offered = held.flag("miss_missing_rhi_offered")
    accepted, bad_accepted = held.flag("miss_missing_rhi_accepted")
    offered_stamp = held.stamp("miss_missing_rhi_offered_date")[0]
    ms = pd.DataFrame(
        {
            "child": held.person().to_numpy(),
            "missing_start": parse.day(start_stamp).to_numpy(),
            "missing_end": end_day.to_numpy(),
            "episode_type": episode_type,
            "rhi_offered": offered.to_numpy(),
            "rhi_accepted": accepted.to_numpy(),
            "rhi_offered_date": parse.day(offered_stamp).to_numpy(),
            "_end_at": parse.time_part(end_stamp).to_numpy(),
            "_offered_at": parse.time_part(offered_stamp).to_numpy(),
            "_row": held.raw["_row"].to_numpy(),
            "_pos": np.arange(len(held)),
        }
    ).iloc[keep]
    ms = ms[member(ms["child"], rows["child"])]
    plans = rows.reset_index().rename(columns={"index": "_plan"})
    pairs = (
        ms.reset_index(drop=True)
        .reset_index()
        .merge(plans[["_plan", "child", "start", "ceased"]], on="child", how="left")
    )
    inside = (pairs["missing_start"] >= pairs["start"]) & (
        pairs["ceased"].isna() | (pairs["missing_start"] <= pairs["ceased"])
    )
    pairs["_plan"] = pairs["_plan"].where(inside, -1)
    pairs = pairs.sort_values(["index", "_plan"]).groupby("index").tail(1)
    pairs = pairs.sort_values(["child", "missing_start"], kind="stable")
    used = pairs["_pos"].to_numpy(np.int64)
    for name, bad, canonical, expected in (
        (
            "miss_missing_episode_start_date",
            held.bad_date("miss_missing_episode_start_date"),
            "missing_episodes",
            parse.EXPECTED_DATE,
        ),
        (
            "miss_missing_episode_end_date",
            held.bad_date("miss_missing_episode_end_date"),
            "return_interview_offered",
            parse.EXPECTED_DATE,
        ),
        ("miss_missing_rhi_offered", bad_offered, "return_interview_offered", "Y, N or NA"),
        ("miss_missing_rhi_accepted", bad_accepted, "return_interview_accepted", "Y, N or NA"),
    ):
        held.report(
            name,
            bad,
            rows=used if canonical != "missing_episodes" else None,
            list_label="8",
            canonical=canonical,
            expected=expected,
            child=None,
        )
    columns = {
        name: pairs[name]
        for name in ("missing_start", "missing_end", "episode_type", "rhi_offered", "rhi_accepted")
    }
    columns["child_id"] = pairs["child"]
    if held.has("miss_missing_rhi_offered_date"):
        columns["rhi_offered_date"] = pairs["rhi_offered_date"]
    table = make_table(
        MISSING_EPISODES,
        columns,
        pairs["_row"],
        place=held.place,
        sources={
            "missing_end": "miss_missing_episode_end_date",
            "rhi_offered": "miss_missing_rhi_offered",
        },
        hidden={
            "_plan": pairs["_plan"].to_numpy(np.int64),
            "_end_at": pairs["_end_at"],
            "_offered_at": pairs["_offered_at"],
        },
    )
    # List 8: episodes starting in the 12 months up to D, and the latest ended Missing one's RHI
    f = table.frame
    since = c.ex.months_before(12)
    recent = f[(f["_plan"] >= 0) & (f["missing_start"] > since) & (f["missing_start"] <= c.ex.date)]
    n = len(rows)
    for name, kind_ in (("missing_episodes", "Missing"), ("absent_episodes", "Away")):
        of = recent[recent["episode_type"] == kind_]
        r.put(
            name,
            pd.Series(np.bincount(of["_plan"].to_numpy(np.int64), minlength=n).astype("float64")),
            f"ssd_missing episodes of type {kind_} starting in the 12 months",
        )
    ended = recent[(recent["episode_type"] == "Missing") & recent["missing_end"].notna()]
    ended = ended.sort_values(["_plan", "missing_end", "missing_start"]).groupby("_plan").tail(1)
    ended = ended.set_index("_plan")
    for name, source in (
        ("return_interview_offered", "rhi_offered"),
        ("return_interview_accepted", "rhi_accepted"),
    ):
        r.put(
            name,
            ended[source].reindex(range(n)),
            f"ssd_missing.miss_missing_{source} (the latest ended missing episode)",
        )
    return table


def _permanence(c: Context, r: Rows, child: pd.Series) -> None:
    held = c.ex.get("ssd_cla_care_plan")
    why = c.ex.why_absent("ssd_cla_care_plan", ("lacp_cla_care_plan_json",))
    if why:
        r.lack("permanence_plan", why)
        return
    start = held.date("lacp_cla_care_plan_start_date")
    end = c.until_as_at(held, "lacp_cla_care_plan_end_date")
    plans = pd.DataFrame(
        {
            "child": held.person().to_numpy(),
            "start": start.to_numpy(),
            "end": end.to_numpy(),
            "plan": _plan_of(held.text("lacp_cla_care_plan_json")).to_numpy(),
            "_pos": np.arange(len(held)),
        }
    )
    plans = plans[
        member(plans["child"], child) & (plans["start"].isna() | (plans["start"] <= c.ex.date))
    ]
    now = plans["end"].isna() | (plans["end"] > c.ex.date)
    recent = plans["start"].notna() & (plans["start"] > c.ex.period_start)
    plans = plans[now | recent].assign(_now=now).sort_values(["child", "_now", "start"])
    best = plans.groupby("child").tail(1).set_index("child")["plan"]
    r.put("permanence_plan", child.map(best), "ssd_cla_care_plan.lacp_cla_care_plan_json")


def _plan_of(json_text: pd.Series) -> pd.Series:
    """The permanence plan a care plan JSON sets (a key whose value is Y-ish or other text)."""

    def one(text: str) -> str | None:
        if not isinstance(text, str):
            return None
        pairs = {k.upper(): v.strip('"').strip() for k, v in _JSON_PAIR.findall(text)}
        for key, plan in PERMANENCE_KEYS:
            value = pairs.get(key)
            if value is None:
                continue
            if value.upper() in ("", "N", "NO", "0", "FALSE", "NULL", "NONE"):
                continue
            return plan
        return None

    codes_, uniques = pd.factorize(json_text, use_na_sentinel=True)
    out = np.array([one(u) for u in uniques] + [None], dtype=object)
    return pd.Series(out[codes_], index=json_text.index)


# --- List 9 -----------------------------------------------------------------------------------


def list9(c: Context):
    held = c.ex.get("ssd_care_leavers")
    if held is None:
        return None
    person = held.person()
    known = person.notna()
    if c.ex.get("ssd_person") is not None:
        known &= member(person, c.pp.persons.index)
    r = Rows(LIST9, held, np.flatnonzero(known.to_numpy(bool)))
    r.persons(c.pp, c.ex, ("disability",))
    child = r.child()
    _uasc(c, r, child, within_months=None)
    if held.has("clea_care_leaver_eligibility"):
        eligibility = held.text("clea_care_leaver_eligibility")
        none = eligibility.str.upper().eq("NO CURRENT ELIGIBILITY").fillna(False)
        held.raw["clea_care_leaver_eligibility"] = held.raw["clea_care_leaver_eligibility"].where(
            ~none.to_numpy(), None
        )
    r.code("eligibility", "clea_care_leaver_eligibility", ELIGIBILITY)
    if held.has("clea_care_leaver_in_touch"):
        held.raw["_in_touch"] = _first_code(held.raw["clea_care_leaver_in_touch"])
    _code_from(r, "in_touch", "_in_touch", "clea_care_leaver_in_touch")
    r.date("latest_contact", "clea_care_leaver_latest_contact")
    r.code("accommodation_type", "clea_care_leaver_accommodation")
    if held.has("clea_care_leaver_accom_suitable"):
        held.raw["_suitable"] = _first_code(held.raw["clea_care_leaver_accom_suitable"])
    _code_from(
        r, "accommodation_suitability", "_suitable", "clea_care_leaver_accom_suitable", SUITABLE
    )
    r.code("activity", "clea_care_leaver_activity")
    r.date("pathway_plan_review", "clea_pathway_plan_review_date")
    if held.has("clea_care_leaver_personal_advisor"):
        adviser = held.text("clea_care_leaver_personal_advisor").iloc[r.at]
        by_id = adviser.map(c.pp.worker_names)
        r.put(
            "personal_adviser",
            by_id.where(by_id.notna(), adviser),
            "clea_care_leaver_personal_advisor (a professional id is shown by name)",
        )
    else:
        r.lack(
            "personal_adviser", "ssd_care_leavers has no column clea_care_leaver_personal_advisor"
        )
    if held.has("clea_care_leaver_worker_id"):
        r.put(
            "worker",
            c.pp.worker(held.ids("clea_care_leaver_worker_id").iloc[r.at]),
            "clea_care_leaver_worker_id (ssd_professionals.prof_professional_name)",
        )
    if held.has("clea_care_leaver_allocated_team"):
        r.put(
            "team",
            c.pp.team(held.text("clea_care_leaver_allocated_team").iloc[r.at]),
            "clea_care_leaver_allocated_team (ssd_department.dept_team_name)",
        )
    return r.build()


def _code_from(r: Rows, name: str, column: str, shown: str, mapping=None) -> None:
    """A coded field read from a prepared column, its unreadable values reported under the
    SSD field's own name."""
    held = r.held
    if column not in held.raw:
        r.lack(name, f"{held.table.name} has no column {shown}")
        return
    domain = r.spec.field(name).domain
    code, bad = parse.coded(held.raw[column], domain, mapping)
    held.report(
        shown,
        bad,
        rows=r.at,
        list_label=r.label,
        canonical=name,
        expected=f"one of: {domain.describe()}",
    )
    r.put(name, code.iloc[r.at], f"{held.table.name}.{shown}")


# --- List 10 ----------------------------------------------------------------------------------


def list10(c: Context):
    held = c.ex.get("ssd_permanence")
    if held is None or not held.has("perm_adm_decision_date"):
        return None
    decided = held.date("perm_adm_decision_date")
    order = c.until_as_at(held, "perm_permanence_order_date")
    kind = held.text("perm_permanence_order_type").str.upper()
    adoption = order.where(kind.str.contains("ADOPT").fillna(False))
    reversed_ = c.until_as_at(held, "perm_decision_reversed_date")
    since = c.ex.months_before(12)

    def recent(when: pd.Series) -> pd.Series:
        return when.notna() & (when > since) & (when <= c.ex.date)

    neither = adoption.isna() & reversed_.isna()
    keep = (
        decided.notna() & (decided <= c.ex.date) & (recent(adoption) | recent(reversed_) | neither)
    )
    r = Rows(LIST10, held, np.flatnonzero(keep.to_numpy(bool)))
    person = held.ids("perm_person_id")
    if c.ex.get("ssd_cla_episodes") is not None and len(c.pp.persons):
        episodes = c.ex.get("ssd_cla_episodes")
        by_episode = pd.Series(
            episodes.person().to_numpy(), index=episodes.ids("clae_cla_episode_id").to_numpy()
        )
        by_episode = by_episode[~by_episode.index.duplicated()]
        unknown = ~member(person, c.pp.persons.index)
        person = person.where(
            ~unknown, person.map(by_episode).where(person.map(by_episode).notna(), person)
        )
    r.who = person
    r.persons(c.pp, c.ex, ("disability",))
    r.sources["child_id"] = "ssd_permanence.perm_person_id (a pers_person_id, as D2I reads it)"
    per = periods(c)
    if per is not None and held.has("perm_cla_id"):
        starts = per.frame.drop_duplicates("cla_id").set_index("cla_id")["start"]
        r.put(
            "entered_care",
            held.ids("perm_cla_id").iloc[r.at].map(starts),
            "the start of the period of care perm_cla_id",
        )
    else:
        r.lack(
            "entered_care",
            "ssd_permanence has no column perm_cla_id, or ssd_cla_episodes is absent",
        )
    r.date("adoption_decision", "perm_adm_decision_date")
    r.date("placement_order", "perm_placement_order_date")
    r.date("matched", "perm_matched_date")
    r.date("placed_for_adoption", "perm_placed_for_adoption_date")
    r.put("adoption_order", adoption.iloc[r.at], "perm_permanence_order_date (type Adoption)")
    r.put("no_longer_decision", reversed_.iloc[r.at], "perm_decision_reversed_date")
    r.code("no_longer_reason", "perm_decision_reversed_reason")
    r.date("ffa_placed", "perm_placed_ffa_cp_date")
    r.lack("family_id", "not in the SSD")
    return r.build()
