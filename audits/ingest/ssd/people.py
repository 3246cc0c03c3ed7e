"""The child, the worker and the team (docs/ssd.md §3): person fields of every list, names of
workers and teams, the allocated involvement of a record, the workers table WF-01 reads, and the
history of allocated workers WF-02 reads."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from audits.core.calendar import age_in_years
from audits.ingest.histories import INVOLVEMENTS
from audits.ingest.keys import member
from audits.ingest.ssd import parse
from audits.ingest.ssd.extract import Extract, make_table
from audits.model import codes
from audits.model.spec import WORKERS

GENDER_CODES = {
    "00": "Not stated/recorded",
    "01": "Male",
    "02": "Female",
    "09": "Neither",
    "0": "Not stated/recorded",
    "1": "Male",
    "2": "Female",
    "9": "Neither",
}
LEGACY_ETHNICITY = {
    "A1": "WBRI",
    "A2": "WIRI",
    "A3": "WOTH",
    "A4": "WIRT",
    "A5": "WROM",
    "B1": "MWBC",
    "B2": "MWBA",
    "B3": "MWAS",
    "B4": "MOTH",
    "C1": "AIND",
    "C2": "APKN",
    "C3": "ABAN",
    "C4": "AOTH",
    "D1": "BCRB",
    "D2": "BAFR",
    "D3": "BOTH",
    "E1": "CHNE",
    "E2": "OOTH",
    "E3": "REFU",
    "E4": "NOBT",
    "CNHE": "CHNE",
}
JOB_TITLE_WORDS = (  # (words in the title, role), the first match wins
    (("nqsw", "asye", "newly qualified"), "NQSW/ASYE"),
    (("team manager", "practice manager", "service manager", "head of service", "manager"), "TM"),
    (("social worker", "practitioner", "social work"), "SW"),
    (("family support", "resource worker", "assistant", "support worker", "keyworker"), "CRW"),
)


@dataclass
class People:
    """Person fields by person id, and the names of workers and teams."""

    persons: pd.DataFrame  # index: person id; gender, ethnicity, dob, disability (+ _pos)
    worker_names: pd.Series  # professional id -> shown name
    team_names: pd.Series  # team id -> team name

    def person_columns(self, children: pd.Series, ex: Extract, fields: tuple[str, ...]):
        """Person fields of `fields` for each child of a list (blank for unknown children)."""
        at = self.persons.reindex(children.to_numpy())
        out = {}
        for name in fields:
            if name == "age":
                out["age"] = age_in_years(at["dob"].reset_index(drop=True), ex.as_at).astype(
                    "float64"
                )
            elif name in at:
                out[name] = at[name].reset_index(drop=True)
        return out

    def worker(self, ids: pd.Series) -> pd.Series:
        """The professional's name; an id that matches no professional is kept as it is."""
        named = ids.map(self.worker_names)
        return named.where(named.notna(), ids)

    def team(self, values: pd.Series) -> pd.Series:
        """The team's name; a value that is no team id is already a name (Mosaic writes names)."""
        named = values.map(self.team_names)
        return named.where(named.notna(), values)


def people(ex: Extract) -> People:
    persons = _persons(ex)
    return People(persons, _worker_names(ex), _team_names(ex))


def _persons(ex: Extract) -> pd.DataFrame:
    held = ex.get("ssd_person")
    if held is None:
        return pd.DataFrame(columns=["gender", "ethnicity", "dob", "disability"])
    ids = held.ids("pers_person_id")
    frame = pd.DataFrame(index=pd.Index(ids, name="child_id"))
    frame["_pos"] = np.arange(len(ids))
    if held.has("pers_sex") or held.has("pers_gender"):
        sex, gender = held.text("pers_sex"), held.text("pers_gender")
        chosen = sex.where(sex.notna(), gender)
        frame["_gender_from"] = np.where(sex.notna(), "pers_sex", "pers_gender")
        code, bad = parse.coded(chosen, codes.GENDER, GENDER_CODES)
        frame["gender"], frame["_gender_bad"] = code.to_numpy(), bad.to_numpy()
    if held.has("pers_ethnicity"):
        code, bad = parse.coded(held.raw["pers_ethnicity"], codes.ETHNICITY, LEGACY_ETHNICITY)
        frame["ethnicity"], frame["_ethnicity_bad"] = code.to_numpy(), bad.to_numpy()
    if held.has("pers_dob"):
        frame["dob"] = held.date("pers_dob").to_numpy()
        frame["_dob_bad"] = held.bad_date("pers_dob").to_numpy()
    disability = _disability(ex)
    if disability is not None:
        frame["disability"] = disability.reindex(frame.index).to_numpy()
    return frame[~frame.index.duplicated()]


def _disability(ex: Extract) -> pd.Series | None:
    held = ex.get("ssd_disability")
    if held is None or not held.has("disa_disability_code"):
        return None
    person = held.ids("disa_person_id")
    code = held.text("disa_disability_code").str.upper()
    real = code.notna() & code.ne("NONE")
    answered = code.notna()
    any_real = real.groupby(person).any()
    any_answer = answered.groupby(person).any()
    out = pd.Series(np.where(any_real, "Yes", "No"), index=any_real.index, dtype=object)
    return out.where(any_answer.reindex(out.index).to_numpy(), None)


def _worker_names(ex: Extract) -> pd.Series:
    held = ex.get("ssd_professionals")
    if held is None:
        return pd.Series(dtype=object)
    ids = held.ids("prof_professional_id")
    names = held.text("prof_professional_name")
    staff = held.ids("prof_staff_id")
    twice = names.notna() & names.duplicated(keep=False)
    tag = staff.where(staff.notna(), ids)
    shown = names.where(~twice, names + " (" + tag + ")")
    shown = shown.where(shown.notna(), ids)
    out = pd.Series(shown.to_numpy(), index=ids.to_numpy())
    return out[~out.index.duplicated() & out.index.notna()]


def _team_names(ex: Extract) -> pd.Series:
    held = ex.get("ssd_department")
    if held is None:
        return pd.Series(dtype=object)
    ids, names = held.ids("dept_team_id"), held.text("dept_team_name")
    out = pd.Series(names.to_numpy(), index=ids.to_numpy())
    return out[~out.index.duplicated() & out.index.notna() & out.notna()]


# --- involvements: allocated workers ----------------------------------------------------------


@dataclass
class Involvements:
    """The allocated-worker involvements of every child (role-filtered), parsed once."""

    frame: pd.DataFrame  # child, worker_id, team_raw, role, start, end, reason, id, referral, cover
    roles_found: dict[str, int]  # every role value in the table, with its count
    fallback: bool  # no role matched the configured ones: every involvement counts


def involvements(ex: Extract) -> Involvements | None:
    held = ex.get("ssd_involvements")
    if held is None or not held.has("invo_involvement_start_date"):
        return None
    role = held.text("invo_professional_role_id")
    key = role.str.strip().str.upper()
    allocated_roles = {r.strip().upper() for r in ex.config.ssd_worker_roles}
    cover_roles = {r.strip().upper() for r in ex.config.ssd_cover_roles}
    allocated = key.isin(allocated_roles).to_numpy()
    cover = key.isin(cover_roles).to_numpy()
    fallback = not allocated.any()
    if fallback:
        allocated = np.ones(len(key), dtype=bool)
    counts = role.fillna("(blank)").value_counts()
    start = held.date("invo_involvement_start_date")
    frame = pd.DataFrame(
        {
            "child": held.ids("invo_person_id").to_numpy(),
            "worker_id": held.ids("invo_professional_id").to_numpy(),
            "team_raw": held.text("invo_professional_team").to_numpy(),
            "role": role.to_numpy(),
            "start": start.to_numpy(),
            "end": held.date("invo_involvement_end_date").to_numpy(),
            "reason": held.text("invo_worker_change_reason").str.upper().to_numpy(),
            "id": held.ids("invo_involvements_id").to_numpy(),
            "referral": held.ids("invo_referral_id").to_numpy(),
            "allocated": allocated & ~cover,
            "cover": cover,
            "_row": held.raw["_row"].to_numpy(),
            "_pos": np.arange(len(start)),
        }
    )
    frame = frame[(frame["allocated"] | frame["cover"]) & frame["child"].notna()]
    frame = frame[frame["start"].notna() & (frame["start"] <= ex.date)]
    return Involvements(frame.reset_index(drop=True), counts.to_dict(), fallback)


def allocated_worker(
    inv: Involvements | None,
    records: pd.DataFrame,
    ex: Extract,
    pp: People,
) -> tuple[pd.Series, pd.Series]:
    """(worker, team) of each record from its allocated involvement (docs/ssd.md §3).

    `records` has `child`, `on` (the day the allocation is looked at: D for an open record,
    else its end date) and `referral` (or blank). The involvement runs on that day (start on
    or before it, end blank or on or after it; an open record's must still be open after D),
    belongs to the record's referral when it names one; several: the latest start, then the
    highest id."""
    n = len(records)
    blank = pd.Series([pd.NA] * n, dtype=object)
    if inv is None or inv.frame.empty or n == 0:
        return blank, blank
    work = inv.frame[inv.frame["allocated"]]
    left = records.reset_index(drop=True).assign(_rec=np.arange(n))
    pairs = left.merge(work, on="child", how="inner", suffixes=("", "_inv"))
    on = pairs["on"]
    runs = (pairs["start"] <= on) & (pairs["end"].isna() | (pairs["end"] >= on))
    open_now = pairs["on"] == ex.date
    runs &= ~open_now | pairs["end"].isna() | (pairs["end"] > ex.date)
    same_referral = (
        pairs["referral_inv"].isna()
        | pairs["referral"].isna()
        | (pairs["referral_inv"] == pairs["referral"])
    )
    pairs = pairs[runs & same_referral]
    if pairs.empty:
        return blank, blank
    pairs = pairs.sort_values(["_rec", "start", "id"], ascending=[True, False, False])
    best = pairs.drop_duplicates("_rec").set_index("_rec")
    worker = pp.worker(best["worker_id"]).reindex(range(n))
    team = pp.team(best["team_raw"]).reindex(range(n))
    return worker.reset_index(drop=True), team.reset_index(drop=True)


def involvement_history(inv: Involvements | None, children: set[str], ex: Extract, pp: People):
    """The `involvements` history of the children on Lists 6 to 8 (allocated and cover roles)."""
    if inv is None:
        return None
    f = inv.frame[member(inv.frame["child"], children)]
    f = f.sort_values(["child", "start", "id"], kind="stable")
    return make_table(
        INVOLVEMENTS,
        {
            "child_id": f["child"],
            "worker": pp.worker(f["worker_id"]),
            "worker_id": f["worker_id"],
            "team": pp.team(f["team_raw"]),
            "role": f["role"],
            "started": f["start"],
            "ended": f["end"],
            "change_reason": f["reason"],
            "cover": np.where(f["cover"], "Yes", "No"),
        },
        f["_row"],
        place=ex.get("ssd_involvements").place,
        sources={"started": "invo_involvement_start_date", "ended": "invo_involvement_end_date"},
    )


# --- the workers table (WF-01) ----------------------------------------------------------------


def workers_table(ex: Extract, pp: People, inv: Involvements | None, named: set[str]):
    """One row per professional with an allocated involvement open at D, or named as the worker
    of a list row: name, team, FTE, role (from the job title) and agency."""
    held = ex.get("ssd_professionals")
    if held is None:
        return None
    ids = held.ids("prof_professional_id")
    shown = pp.worker(ids)
    open_ids: set = set()
    team_of = pd.Series(dtype=object)
    if inv is not None and not inv.frame.empty:
        f = inv.frame[inv.frame["allocated"]]
        open_now = f[f["end"].isna() | (f["end"] > ex.date)]
        open_ids = set(open_now["worker_id"].dropna())
        teams = pp.team(open_now["team_raw"])
        if len(open_now):  # the team of most of each worker's open involvements
            pairs = pd.DataFrame({"w": open_now["worker_id"].to_numpy(), "t": teams.to_numpy()})
            sizes = pairs.dropna().groupby(["w", "t"]).size().sort_values(ascending=False)
            team_of = sizes.reset_index().drop_duplicates("w").set_index("w")["t"]
    keep = member(ids, open_ids) | member(shown, named)
    rows = np.flatnonzero(keep & ids.notna().to_numpy())
    team = ids.map(team_of)
    team = team.where(team.notna(), held.text("prof_professional_department"))
    fte, bad_fte = (
        parse.numbers(held.raw["prof_full_time_equivalency"])
        if held.has("prof_full_time_equivalency")
        else (pd.Series(np.nan, index=held.raw.index), pd.Series(False, index=held.raw.index))
    )
    title = held.text("prof_professional_job_title")
    role_text = _role_from_title(title, ex.config.ssd_job_titles)
    role, bad_role = parse.coded(role_text, codes.ROLE)
    agency, bad_agency = held.flag("prof_agency_worker_flag")
    columns = {
        "worker": shown.iloc[rows],
        "team": team.iloc[rows],
        "fte": fte.iloc[rows],
        "role": role.iloc[rows],
    }
    absent = {}
    if held.has("prof_agency_worker_flag"):
        agency_code = agency.where(agency != "Unknown", pd.NA).iloc[rows]
        columns["agency"] = agency_code
    else:
        absent["agency"] = "ssd_professionals has no column prof_agency_worker_flag"
    child = pd.Series([None] * len(held.raw), dtype=object)
    for name, bad, canonical, expected in (
        ("prof_full_time_equivalency", bad_fte, "fte", "a number (full-time equivalent)"),
        (
            "prof_professional_job_title",
            bad_role,
            "role",
            "a job title the config's "
            "ssd_job_titles or the words of docs/ssd.md §3 give a role (SW, NQSW/ASYE, CRW, TM)",
        ),
        ("prof_agency_worker_flag", bad_agency, "agency", parse.EXPECTED_FLAG),
    ):
        held.report(
            name,
            bad,
            rows=rows,
            list_label="workers",
            canonical=canonical,
            expected=expected,
            child=child,
        )
    return make_table(
        WORKERS,
        columns,
        held.raw["_row"].to_numpy()[rows],
        place=held.place,
        sources={
            "worker": "prof_professional_name",
            "team": "the team of most of the worker's open involvements",
            "fte": "prof_full_time_equivalency",
            "role": "prof_professional_job_title",
            "agency": "prof_agency_worker_flag",
        },
        absent=absent,
    )


def _role_from_title(title: pd.Series, configured: dict[str, str]) -> pd.Series:
    """A role code from a free-text job title: the config's table first, then by its words."""
    lower = title.str.lower()
    out = pd.Series(pd.NA, index=title.index, dtype=object)
    table = {k.strip().lower(): v for k, v in configured.items()}
    if table:
        out = lower.map(table)
    for words, role in JOB_TITLE_WORDS:
        pattern = "|".join(words)
        hit = out.isna() & lower.str.contains(pattern, regex=True).fillna(False).astype(bool)
        out = out.mask(hit, role)
    return out.where(out.notna(), title)  # unmatched: the title itself, reported unreadable
